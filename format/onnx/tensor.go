package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/modelviz/modelviz/model"
)

// maxLoad caps what a Loader allocates for decoded or densified data.
const maxLoad = 1 << 34

// typedField says where TensorProto keeps the values of a dtype when it
// does not use raw_data, and how many stored values make one element
// (per is negative for packed sub-byte types: -k means k elements per
// stored value).
func typedField(d model.DType) (field int, per int) {
	switch d {
	case model.Float32:
		return 4, 1
	case model.Complex64:
		return 4, 2
	case model.Int32, model.Int16, model.Int8, model.Uint16, model.Uint8, model.Bool,
		model.Float16, model.BFloat16, model.Float8E4M3FN, model.Float8E4M3FNUZ,
		model.Float8E5M2, model.Float8E5M2FNUZ, model.Float8E8M0:
		return 5, 1
	case model.Uint4, model.Int4, model.Float4E2M1:
		return 5, -2
	case model.Uint2, model.Int2:
		return 5, -4
	case model.String:
		return 6, 1
	case model.Int64:
		return 7, 1
	case model.Float64:
		return 10, 1
	case model.Complex128:
		return 10, 2
	case model.Uint32, model.Uint64:
		return 11, 1
	}
	return 0, 0
}

var fieldNames = map[int]string{4: "float_data", 5: "int32_data", 6: "string_data", 7: "int64_data", 10: "double_data", 11: "uint64_data"}

// byteSize is the numpy-layout size of n elements; -1 when not fixed.
func byteSize(d model.DType, n int64) int64 {
	bits := int64(d.Bits())
	if bits == 0 || n < 0 || n > math.MaxInt64/bits {
		return -1
	}
	return (n*bits + 7) / 8
}

// parseTensor reads a TensorProto. Its data stays in the file.
func (p *parser) parseTensor(b []byte, at int64) (*model.Tensor, error) {
	t := &model.Tensor{Length: 0}
	var (
		counts   [12]int64 // stored values per typed field number
		raw      bool
		external []model.KV
		location int64
		segment  bool
		err      error
	)
	f := newFields(b, at, "TensorProto")
	for f.next() {
		switch f.num {
		case 1:
			if len(t.Dims)+int(f.countRepeated(0)) > maxRank {
				return nil, fmt.Errorf("tensor %q has more than %d dims", t.Name, maxRank)
			}
			err = f.varints(func(v uint64) { t.Dims = append(t.Dims, int64(v)) })
		case 2:
			var v int64
			if v, err = f.int64(); err == nil {
				t.DType, err = checkDType(v)
			}
		case 3:
			segment = true
		case 4:
			counts[4] += f.countRepeated(4)
		case 5, 7, 11:
			if f.typ != 0 && f.typ != 2 {
				err = f.wrong()
			}
			counts[f.num] += f.countRepeated(0)
		case 10:
			counts[10] += f.countRepeated(8)
		case 6:
			if f.typ != 2 {
				err = f.wrong()
			}
			counts[6]++
		case 8:
			t.Name, err = f.str()
		case 9:
			if f.typ != 2 {
				err = f.wrong()
			}
			raw = true
			t.Offset, t.Length = f.at, int64(len(f.bytes))
		case 13:
			var kv model.KV
			if kv, err = parseKV(f); err == nil {
				external = append(external, kv)
			}
		case 14:
			location, err = f.int64()
		}
		if err != nil {
			return nil, err
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	if err := p.spend(320 + 8*len(t.Dims)); err != nil {
		return nil, err
	}
	n := t.NumElements()
	if n < 0 {
		// Negative or overflowing dims: the structure is still worth showing.
		t.Length = 0
		p.tensorWarn(t, fmt.Sprintf("has impossible dims %v", t.Dims))
		return t, nil
	}
	if segment {
		p.tensorWarn(t, "is one segment of a larger tensor; segments are not joined")
	}
	want := byteSize(t.DType, n)
	switch {
	case location == 1:
		t.Location = "external"
		if err := p.ext.resolve(t, external, want); err != nil {
			return nil, err
		}
		if t.Warning != "" {
			p.warn("tensor %q: %s", t.Name, t.Warning)
		}
	case raw:
		t.Location = "embedded"
		t.File = p.path
		switch {
		case t.DType == model.String:
			p.tensorWarn(t, "is a string tensor stored in raw_data, which ONNX does not allow")
		case want >= 0 && t.Length != want:
			p.tensorWarn(t, fmt.Sprintf("stores %d bytes but %s×%d needs %d", t.Length, t.DType, n, want))
		default:
			if t.Length <= smallTensor {
				t.Loader = copyLoader(b[t.Offset-at : t.Offset-at+t.Length])
			} else {
				t.Loader = fileLoader(t.File, t.Offset, t.Length)
			}
		}
	default:
		field, per := typedField(t.DType)
		have := int64(0)
		if field > 0 {
			have = counts[field]
		}
		var other int64
		for _, c := range counts {
			other += c
		}
		need := n
		switch {
		case per > 1:
			need = n * int64(per)
		case per < 0:
			need = (n + int64(-per) - 1) / int64(-per)
		}
		switch {
		case have == 0 && other == 0 && n > 0:
			p.tensorWarn(t, fmt.Sprintf("declares %d elements but stores no data", n))
		case have == 0 && other == 0:
			t.Location = "inline"
			t.Loader = func() ([]byte, error) { return []byte{}, nil }
		case field == 0:
			p.tensorWarn(t, fmt.Sprintf("has data type %s, which cannot hold data", t.DType))
		case have != need:
			p.tensorWarn(t, fmt.Sprintf("stores %d values in %s but %s×%d needs %d", have, fieldNames[field], t.DType, n, need))
		default:
			t.Location = "inline"
			t.File = p.path
			t.Length = want
			if t.DType == model.String {
				t.Length = -1
			}
			if len(b) <= smallTensor {
				if data, err := decodeTyped(b, at, t.DType, field); err != nil {
					t.Location, t.Length = "", 0
					p.tensorWarn(t, fmt.Sprintf("has malformed %s: %v", fieldNames[field], err))
				} else {
					t.Loader = copyLoader(data)
				}
			} else {
				t.Loader = inlineLoader(p.path, at, int64(len(b)), t.DType, field)
			}
		}
	}
	return t, nil
}

func (p *parser) tensorWarn(t *model.Tensor, msg string) {
	if t.Warning == "" {
		t.Warning = msg
	}
	p.warn("tensor %q %s", t.Name, msg)
}

// smallTensor is the size up to which tensor bytes are kept in memory:
// shape constants and scalars, which analysis reads by the thousand, cost
// less to keep than an open/read/close each.
const smallTensor = 64

// copyLoader serves a private copy of b, so callers may modify what they get.
func copyLoader(b []byte) func() ([]byte, error) {
	keep := append([]byte{}, b...)
	return func() ([]byte, error) { return append([]byte{}, keep...), nil }
}

// fileLoader reads length bytes at off of file.
func fileLoader(file string, off, length int64) func() ([]byte, error) {
	return func() ([]byte, error) {
		if length > maxLoad {
			return nil, fmt.Errorf("tensor of %d bytes is too large to load", length)
		}
		return readRange(file, off, length)
	}
}

// readRange is a variable so the fuzz test can serve bytes from memory.
var readRange = readFileRange

func readFileRange(file string, off, length int64) ([]byte, error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil {
		return nil, err
	} else if off < 0 || off+length > st.Size() {
		return nil, fmt.Errorf("%s is shorter than the tensor's data (it changed since it was opened?)", file)
	}
	buf := make([]byte, length)
	if _, err := fh.ReadAt(buf, off); err != nil {
		return nil, err
	}
	return buf, nil
}

// inlineLoader re-reads the TensorProto at [off, off+size) of file and
// converts the typed field to little-endian bytes.
func inlineLoader(file string, off, size int64, d model.DType, field int) func() ([]byte, error) {
	read := fileLoader(file, off, size)
	return func() ([]byte, error) {
		b, err := read()
		if err != nil {
			return nil, err
		}
		return decodeTyped(b, off, d, field)
	}
}

// decodeTyped converts the typed values of a TensorProto to numpy layout.
// Strings become a uint32 length then the bytes, for each element.
func decodeTyped(b []byte, off int64, d model.DType, field int) ([]byte, error) {
	var out []byte
	var err error
	f := newFields(b, off, "TensorProto")
	for f.next() && err == nil {
		if int(f.num) != field {
			continue
		}
		switch field {
		case 4:
			err = f.fixed32s(func(v uint32) { out = binary.LittleEndian.AppendUint32(out, v) })
		case 10:
			err = f.fixed64s(func(v uint64) { out = binary.LittleEndian.AppendUint64(out, v) })
		case 7:
			err = f.varints(func(v uint64) { out = binary.LittleEndian.AppendUint64(out, v) })
		case 11:
			err = f.varints(func(v uint64) {
				if d == model.Uint32 {
					out = binary.LittleEndian.AppendUint32(out, uint32(v))
				} else {
					out = binary.LittleEndian.AppendUint64(out, v)
				}
			})
		case 5:
			// One stored value per element, truncated to the element width;
			// 4- and 2-bit types are already packed into one byte each.
			bits := d.Bits()
			err = f.varints(func(v uint64) {
				switch {
				case bits == 32:
					out = binary.LittleEndian.AppendUint32(out, uint32(v))
				case bits == 16:
					out = binary.LittleEndian.AppendUint16(out, uint16(v))
				case d == model.Bool:
					if v != 0 {
						v = 1
					}
					out = append(out, byte(v))
				default:
					out = append(out, byte(v))
				}
			})
		case 6:
			out = binary.LittleEndian.AppendUint32(out, uint32(len(f.bytes)))
			out = append(out, f.bytes...)
		}
	}
	if err == nil {
		err = f.err
	}
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// parseSparse reads a SparseTensorProto: values and indices are
// TensorProtos, dims the dense shape.
func (p *parser) parseSparse(b []byte, at int64) (*model.Tensor, error) {
	var values, indices *model.Tensor
	var dims []int64
	var err error
	f := newFields(b, at, "SparseTensorProto")
	for f.next() {
		switch f.num {
		case 1, 2:
			var mb []byte
			var mat int64
			if mb, mat, err = f.msg(); err == nil {
				var t *model.Tensor
				if t, err = p.parseTensor(mb, mat); err == nil {
					if f.num == 1 {
						values = t
					} else {
						indices = t
					}
				}
			}
		case 3:
			if len(dims)+int(f.countRepeated(0)) > maxRank {
				return nil, fmt.Errorf("sparse tensor has more than %d dims", maxRank)
			}
			err = f.varints(func(v uint64) { dims = append(dims, int64(v)) })
		}
		if err != nil {
			return nil, err
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	if values == nil {
		values = &model.Tensor{}
	}
	t := &model.Tensor{Name: values.Name, DType: values.DType, Dims: dims, Sparse: true,
		Location: values.Location, File: values.File, ExternalLocation: values.ExternalLocation,
		Warning: values.Warning}
	n := t.NumElements()
	if n < 0 {
		t.Loader = nil
		p.tensorWarn(t, fmt.Sprintf("has impossible dims %v", dims))
		return t, nil
	}
	t.Length = byteSize(t.DType, n)
	if values.Loader != nil && indices != nil && indices.Loader != nil && t.Length >= 0 {
		t.Loader = sparseLoader(values, indices, dims, t.Length)
	}
	return t, nil
}

// sparseLoader densifies: indices are int64, either [NNZ] linear positions
// or [NNZ, rank] coordinates.
func sparseLoader(values, indices *model.Tensor, dims []int64, size int64) func() ([]byte, error) {
	return func() ([]byte, error) {
		if size > maxLoad {
			return nil, fmt.Errorf("sparse tensor of %d dense bytes is too large to load", size)
		}
		if indices.DType != model.Int64 {
			return nil, fmt.Errorf("sparse tensor indices are %s, not int64", indices.DType)
		}
		elem := int64(values.DType.Bits() / 8)
		if elem == 0 {
			return nil, fmt.Errorf("sparse tensors of %s cannot be densified", values.DType)
		}
		vb, err := values.Load()
		if err != nil {
			return nil, err
		}
		ib, err := indices.Load()
		if err != nil {
			return nil, err
		}
		nnz := int64(len(vb)) / elem
		rank := int64(1)
		if len(indices.Dims) == 2 {
			rank = indices.Dims[1]
		}
		if rank < 1 || int64(len(ib)) != nnz*rank*8 {
			return nil, fmt.Errorf("sparse tensor has %d values but %d index bytes", nnz, len(ib))
		}
		total := int64(1)
		for _, d := range dims {
			total *= d
		}
		out := make([]byte, size)
		for i := int64(0); i < nnz; i++ {
			var pos int64
			if rank == 1 {
				pos = int64(binary.LittleEndian.Uint64(ib[i*8:]))
			} else {
				if int(rank) != len(dims) {
					return nil, fmt.Errorf("sparse tensor indices have rank %d, dims have %d", rank, len(dims))
				}
				for k := int64(0); k < rank; k++ {
					c := int64(binary.LittleEndian.Uint64(ib[(i*rank+k)*8:]))
					if c < 0 || c >= dims[k] {
						return nil, fmt.Errorf("sparse index %d out of range", c)
					}
					pos = pos*dims[k] + c
				}
			}
			if pos < 0 || pos >= total {
				return nil, fmt.Errorf("sparse index %d out of range", pos)
			}
			copy(out[pos*elem:(pos+1)*elem], vb[i*elem:(i+1)*elem])
		}
		return out, nil
	}
}

func atoi64(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil && v >= 0
}
