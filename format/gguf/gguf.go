// Package gguf reads GGUF files (llama.cpp, ggml): the header, every
// metadata key/value and the tensor infos. Tensor bytes stay on disk and are
// read lazily through Tensor.Loader.
//
// Layout (v2, v3): "GGUF", u32 version, u64 tensor count, u64 kv count, the
// key/values, the tensor infos (name, n_dims, dims, type, offset), padding
// to general.alignment, then the data area. Version 3 files may be
// big-endian; the magic stays "GGUF" and the version reads byte-swapped.
package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/format/safetensors"
	"github.com/modelviz/modelviz/model"
)

// Limits on what a header may claim before anything is allocated.
const (
	maxDims = 8 // GGML_MAX_DIMS is 4; leave room for future versions
	// maxTensors is far above real models (a 405B llama has ~1,100) and
	// keeps a hostile count from costing gigabytes of tensor records.
	maxTensors    = 1 << 20
	maxArrayDepth = 8
	maxKeyLen     = 1 << 16
	// Metadata values longer than this are shown abbreviated.
	maxShownString = 64 << 10
	// Arrays with more items are shown as "[N type]" only.
	maxShownItems = 16
)

// Probe accepts the GGUF magic.
func Probe(head []byte) bool { return len(head) >= 4 && string(head[:4]) == "GGUF" }

// Open reads a GGUF file's structure. A part of a gguf-split set
// (NAME-00001-of-00003.gguf) is shown with the tensors of all its parts.
func Open(path string) (*model.Model, error) {
	m, sp, err := openOne(path)
	if err != nil || sp.count <= 1 {
		return m, err
	}
	return joinSplit(path, m, sp)
}

func openOne(path string) (*model.Model, split, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, split{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, split{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, split{}, err
	}
	return parseFile(f, st.Size(), abs)
}

var splitName = regexp.MustCompile(`^(.*)-([0-9]{5})-of-([0-9]{5})\.gguf$`)

// joinSplit opens the sibling parts named as llama.cpp's gguf-split names
// them, in the same folder. Metadata comes from the first part; a missing
// part is a warning.
func joinSplit(path string, m *model.Model, sp split) (*model.Model, error) {
	dir, base := filepath.Split(path)
	parts := splitName.FindStringSubmatch(base)
	if parts == nil || sp.no < 0 || sp.no >= sp.count {
		m.Warnings = append(m.Warnings, fmt.Sprintf("split.count is %d but the file name is not NAME-%05d-of-%05d.gguf: only this part is shown", sp.count, sp.no+1, sp.count))
		return m, nil
	}
	var missing []string
	var out *model.Model
	var tensors []*model.Value
	seen := map[string]bool{}
	for i := int64(0); i < sp.count; i++ {
		pm := m
		name := fmt.Sprintf("%s-%05d-of-%05d.gguf", parts[1], i+1, sp.count)
		if i != sp.no {
			var psp split
			var err error
			pm, psp, err = openOne(filepath.Join(dir, name))
			if errors.Is(err, os.ErrNotExist) {
				missing = append(missing, name)
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("split part %s: %v", name, err)
			}
			if psp.no != i || psp.count != sp.count {
				return nil, fmt.Errorf("split part %s says it is part %d of %d", name, psp.no+1, psp.count)
			}
		}
		if out == nil {
			// The first part found carries the model's metadata.
			out = &model.Model{Format: pm.Format, Kind: pm.Kind, DocString: pm.DocString, Metadata: pm.Metadata,
				Graphs: []*model.Graph{{Name: pm.Graphs[0].Name}}}
		}
		out.Warnings = append(out.Warnings, pm.Warnings...)
		for _, v := range pm.Graphs[0].Initializers {
			if seen[v.Name] {
				return nil, fmt.Errorf("tensor %q is in two split parts", v.Name)
			}
			seen[v.Name] = true
			tensors = append(tensors, v)
		}
	}
	if len(missing) > 0 {
		w := fmt.Sprintf("%d of %d split parts are missing (%s", len(missing), sp.count, missing[0])
		if len(missing) > 1 {
			w += ", ..."
		}
		out.Warnings = append(out.Warnings, w+"): their tensors are not shown")
	}
	g := out.Graphs[0]
	for _, v := range tensors {
		v.ID = int32(len(g.Values))
		g.Values = append(g.Values, v)
		g.Initializers = append(g.Initializers, v)
	}
	out.Modules = safetensors.ModuleTree(g.Initializers, ".")
	return out, nil
}

// ggml types: name, elements per block, bytes per block (ggml.c type_traits).
type ggmlType struct {
	name  string
	block int64
	size  int64
	dtype model.DType // element type for plain types; Quantized for blocks
}

var types = map[uint32]ggmlType{
	0: {"F32", 1, 4, model.Float32}, 1: {"F16", 1, 2, model.Float16},
	2: {"Q4_0", 32, 18, model.Quantized}, 3: {"Q4_1", 32, 20, model.Quantized},
	6: {"Q5_0", 32, 22, model.Quantized}, 7: {"Q5_1", 32, 24, model.Quantized},
	8: {"Q8_0", 32, 34, model.Quantized}, 9: {"Q8_1", 32, 36, model.Quantized},
	10: {"Q2_K", 256, 84, model.Quantized}, 11: {"Q3_K", 256, 110, model.Quantized},
	12: {"Q4_K", 256, 144, model.Quantized}, 13: {"Q5_K", 256, 176, model.Quantized},
	14: {"Q6_K", 256, 210, model.Quantized}, 15: {"Q8_K", 256, 292, model.Quantized},
	16: {"IQ2_XXS", 256, 66, model.Quantized}, 17: {"IQ2_XS", 256, 74, model.Quantized},
	18: {"IQ3_XXS", 256, 98, model.Quantized}, 19: {"IQ1_S", 256, 50, model.Quantized},
	20: {"IQ4_NL", 32, 18, model.Quantized}, 21: {"IQ3_S", 256, 110, model.Quantized},
	22: {"IQ2_S", 256, 82, model.Quantized}, 23: {"IQ4_XS", 256, 136, model.Quantized},
	24: {"I8", 1, 1, model.Int8}, 25: {"I16", 1, 2, model.Int16},
	26: {"I32", 1, 4, model.Int32}, 27: {"I64", 1, 8, model.Int64},
	28: {"F64", 1, 8, model.Float64}, 29: {"IQ1_M", 256, 56, model.Quantized},
	30: {"BF16", 1, 2, model.BFloat16},
	// 31-33 and 36-38 were repacked Q4_0/IQ4_NL layouts, since removed from
	// ggml; older files may still carry them.
	31: {"Q4_0_4_4", 32, 18, model.Quantized}, 32: {"Q4_0_4_8", 32, 18, model.Quantized},
	33: {"Q4_0_8_8", 32, 18, model.Quantized},
	34: {"TQ1_0", 256, 54, model.Quantized}, 35: {"TQ2_0", 256, 66, model.Quantized},
	36: {"IQ4_NL_4_4", 32, 18, model.Quantized}, 37: {"IQ4_NL_4_8", 32, 18, model.Quantized},
	38: {"IQ4_NL_8_8", 32, 18, model.Quantized},
	39: {"MXFP4", 32, 17, model.Quantized}, 40: {"NVFP4", 64, 36, model.Quantized},
	41: {"Q1_0", 128, 18, model.Quantized}, 42: {"Q2_0", 64, 18, model.Quantized},
}

// fileTypes names general.file_type (llama.cpp's llama_ftype, "mostly"
// dropped); 4-6 and 33-35 were removed from llama.cpp but old files have
// them.
var fileTypes = [...]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_1_SOME_F16", 5: "Q4_2", 6: "Q4_3",
	7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L",
	14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS",
	20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
	26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
	33: "Q4_0_4_4", 34: "Q4_0_4_8", 35: "Q4_0_8_8", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
	39: "NVFP4", 40: "Q1_0", 41: "Q2_0",
}

// Metadata value types.
const (
	tUint8 = iota
	tInt8
	tUint16
	tInt16
	tUint32
	tInt32
	tFloat32
	tBool
	tString
	tArray
	tUint64
	tInt64
	tFloat64
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32",
	"float32", "bool", "string", "array", "uint64", "int64", "float64"}

// fixedSize is the encoded size of a scalar value type; 0 for string/array.
func fixedSize(t uint32) int64 {
	switch t {
	case tUint8, tInt8, tBool:
		return 1
	case tUint16, tInt16:
		return 2
	case tUint32, tInt32, tFloat32:
		return 4
	case tUint64, tInt64, tFloat64:
		return 8
	}
	return 0
}

// reader tracks the position and the bytes left in the file so every count
// is checked against what the file could hold.
type reader struct {
	r     *bufio.Reader
	bo    binary.ByteOrder
	pos   int64
	size  int64
	depth int
}

var errTrunc = errors.New("file ends inside the header")

func (r *reader) left() int64 { return r.size - r.pos }

func (r *reader) read(n int) ([]byte, error) {
	if int64(n) > r.left() {
		return nil, errTrunc
	}
	// Peek avoids a copy; the slice is valid until the next read.
	b, err := r.r.Peek(n)
	if err != nil {
		return nil, errTrunc
	}
	r.r.Discard(n)
	r.pos += int64(n)
	return b, nil
}

func (r *reader) u32() (uint32, error) {
	b, err := r.read(4)
	if err != nil {
		return 0, err
	}
	return r.bo.Uint32(b), nil
}

func (r *reader) u64() (uint64, error) {
	b, err := r.read(8)
	if err != nil {
		return 0, err
	}
	return r.bo.Uint64(b), nil
}

// count reads a u64 count of items each taking at least min bytes.
func (r *reader) count(what string, min int64) (int64, error) {
	n, err := r.u64()
	if err != nil {
		return 0, err
	}
	if min < 1 {
		min = 1
	}
	if n > uint64(r.left()/min) {
		return 0, fmt.Errorf("%s count %d does not fit in the file", what, n)
	}
	return int64(n), nil
}

// str reads a string, keeping at most keep bytes (the rest is skipped).
func (r *reader) str(keep int64) (string, int64, error) {
	n, err := r.u64()
	if err != nil {
		return "", 0, err
	}
	if n > uint64(r.left()) {
		return "", 0, fmt.Errorf("string length %d exceeds the file", n)
	}
	k := int64(n)
	if k > keep {
		k = keep
	}
	var b []byte
	if k > 0 {
		b = make([]byte, k)
		if _, err := io.ReadFull(r.r, b); err != nil {
			return "", 0, errTrunc
		}
	}
	if _, err := r.r.Discard(int(int64(n) - k)); err != nil {
		return "", 0, errTrunc
	}
	r.pos += int64(n)
	return string(b), int64(n), nil
}

func (r *reader) skip(n int64) error {
	if n > r.left() {
		return errTrunc
	}
	for n > 0 {
		c := n
		if c > 1<<30 {
			c = 1 << 30
		}
		if _, err := r.r.Discard(int(c)); err != nil {
			return errTrunc
		}
		n -= c
		r.pos += c
	}
	return nil
}

// value reads one metadata value of type t and renders it for display.
// num is set for integer scalars (general.alignment needs it).
func (r *reader) value(t uint32) (shown string, num uint64, isInt bool, err error) {
	switch t {
	case tString:
		s, n, err := r.str(maxShownString)
		if err != nil {
			return "", 0, false, err
		}
		if n > int64(len(s)) {
			s = fmt.Sprintf("%s… (%d bytes)", s, n)
		}
		return s, 0, false, nil
	case tArray:
		return r.array()
	}
	size := fixedSize(t)
	if size == 0 {
		return "", 0, false, fmt.Errorf("unknown metadata value type %d", t)
	}
	b, err := r.read(int(size))
	if err != nil {
		return "", 0, false, err
	}
	var u uint64
	switch size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(r.bo.Uint16(b))
	case 4:
		u = uint64(r.bo.Uint32(b))
	case 8:
		u = r.bo.Uint64(b)
	}
	switch t {
	case tUint8, tUint16, tUint32, tUint64:
		return strconv.FormatUint(u, 10), u, true, nil
	case tInt8:
		return strconv.FormatInt(int64(int8(u)), 10), uint64(int8(u)), true, nil
	case tInt16:
		return strconv.FormatInt(int64(int16(u)), 10), uint64(int16(u)), true, nil
	case tInt32:
		return strconv.FormatInt(int64(int32(u)), 10), uint64(int32(u)), true, nil
	case tInt64:
		return strconv.FormatInt(int64(u), 10), u, true, nil
	case tFloat32:
		return strconv.FormatFloat(float64(math.Float32frombits(uint32(u))), 'g', -1, 32), 0, false, nil
	case tFloat64:
		return strconv.FormatFloat(math.Float64frombits(u), 'g', -1, 64), 0, false, nil
	case tBool:
		return strconv.FormatBool(u != 0), 0, false, nil
	}
	return "", 0, false, fmt.Errorf("unknown metadata value type %d", t)
}

// array reads an array value; short arrays are listed, long ones are shown
// as "[N type]" and skipped without storing their items.
func (r *reader) array() (string, uint64, bool, error) {
	if r.depth >= maxArrayDepth {
		return "", 0, false, fmt.Errorf("arrays nested deeper than %d", maxArrayDepth)
	}
	r.depth++
	defer func() { r.depth-- }()
	et, err := r.u32()
	if err != nil {
		return "", 0, false, err
	}
	minSize := fixedSize(et)
	switch et {
	case tString:
		minSize = 8
	case tArray:
		minSize = 12
	default:
		if minSize == 0 {
			return "", 0, false, fmt.Errorf("unknown array element type %d", et)
		}
	}
	n, err := r.count("array", minSize)
	if err != nil {
		return "", 0, false, err
	}
	if n > maxShownItems {
		if et != tString && et != tArray {
			if err := r.skip(n * minSize); err != nil {
				return "", 0, false, err
			}
		} else {
			for i := int64(0); i < n; i++ {
				if et == tString {
					if _, _, err := r.str(0); err != nil {
						return "", 0, false, err
					}
				} else if _, _, _, err := r.array(); err != nil {
					return "", 0, false, err
				}
			}
		}
		plural := valueTypeNames[et]
		if et == tString || et == tArray {
			plural += "s"
		}
		return fmt.Sprintf("[%d %s]", n, plural), 0, false, nil
	}
	parts := make([]string, 0, n)
	for i := int64(0); i < n; i++ {
		s, _, _, err := r.value(et)
		if err != nil {
			return "", 0, false, err
		}
		if et == tString {
			s = strconv.Quote(s)
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, ", ") + "]", 0, false, nil
}

// split is a file's place in a gguf-split set (split.no, split.count).
type split struct{ no, count int64 }

func parse(ra io.ReaderAt, size int64, abs string) (*model.Model, error) {
	m, _, err := parseFile(ra, size, abs)
	return m, err
}

func parseFile(ra io.ReaderAt, size int64, abs string) (*model.Model, split, error) {
	var sp split
	m, err := parseHeader(ra, size, abs, &sp)
	return m, sp, err
}

// parseHeader reads the header of a file of size bytes stored at abs and
// records its split.no and split.count in sp.
func parseHeader(ra io.ReaderAt, size int64, abs string, sp *split) (*model.Model, error) {
	if size < 8 {
		return nil, errors.New("file too short for a GGUF header")
	}
	r := &reader{r: bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), 64<<10), size: size, bo: binary.LittleEndian}
	magic, err := r.read(4)
	if err != nil || string(magic) != "GGUF" {
		return nil, errors.New("not a GGUF file (bad magic)")
	}
	vb, _ := r.read(4)
	version := binary.LittleEndian.Uint32(vb)
	if version&0xffff == 0 && version != 0 {
		// A byte-swapped small number: a big-endian file.
		r.bo = binary.BigEndian
		version = binary.BigEndian.Uint32(vb)
	}
	switch version {
	case 2, 3:
	case 1:
		return nil, errors.New("GGUF version 1 is not supported (it was replaced by version 2 in 2023; re-convert the model with a current llama.cpp)")
	default:
		return nil, fmt.Errorf("unknown GGUF version %d", version)
	}
	bigEndian := r.bo == binary.BigEndian
	// A tensor info takes at least 8+4+4+8 bytes, a key/value 8+4+1.
	nTensors, err := r.count("tensor", 24)
	if err != nil {
		return nil, err
	}
	if nTensors > maxTensors {
		return nil, fmt.Errorf("tensor count %d exceeds the limit of %d", nTensors, maxTensors)
	}
	nKV, err := r.count("metadata key/value", 13)
	if err != nil {
		return nil, err
	}
	m := &model.Model{Format: "gguf", Metadata: make([]model.KV, 0, min(nKV, 1024))}
	m.Metadata = append(m.Metadata, model.KV{Key: "GGUF.version", Value: strconv.Itoa(int(version))})
	if bigEndian {
		m.Metadata = append(m.Metadata, model.KV{Key: "GGUF.byte_order", Value: "big-endian"})
	}
	alignment := int64(32)
	var name string
	for i := int64(0); i < nKV; i++ {
		key, n, err := r.str(maxKeyLen)
		if err != nil {
			return nil, fmt.Errorf("metadata key %d: %v", i, err)
		}
		if n > maxKeyLen {
			return nil, fmt.Errorf("metadata key %d is %d bytes long", i, n)
		}
		t, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("metadata %s: %v", key, err)
		}
		shown, num, isInt, err := r.value(t)
		if err != nil {
			return nil, fmt.Errorf("metadata %s: %v", key, err)
		}
		switch key {
		case "general.alignment":
			if !isInt || num == 0 || num&(num-1) != 0 || num > 1<<30 {
				return nil, fmt.Errorf("general.alignment %s is not a power of two", shown)
			}
			alignment = int64(num)
		case "general.architecture":
			m.Kind = shown
		case "general.name":
			name = shown
		case "general.file_type":
			if isInt && num < uint64(len(fileTypes)) && fileTypes[num] != "" {
				shown += " (" + fileTypes[num] + ")"
			}
		case "general.description":
			m.DocString = shown
		case "split.count":
			if isInt {
				sp.count = int64(num)
			}
		case "split.no":
			if isInt {
				sp.no = int64(num)
			}
		}
		m.Metadata = append(m.Metadata, model.KV{Key: key, Value: shown})
	}

	type info struct {
		t      *model.Tensor
		typ    ggmlType
		offset uint64
	}
	infos := make([]info, 0, min(nTensors, 1<<16))
	seen := make(map[string]bool, min(nTensors, 1<<16))
	for i := int64(0); i < nTensors; i++ {
		tname, n, err := r.str(maxKeyLen)
		if err != nil {
			return nil, fmt.Errorf("tensor %d: %v", i, err)
		}
		if n > maxKeyLen {
			return nil, fmt.Errorf("tensor %d: name is %d bytes long", i, n)
		}
		if seen[tname] {
			return nil, fmt.Errorf("tensor %q listed twice", tname)
		}
		seen[tname] = true
		nd, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", tname, err)
		}
		if nd > maxDims {
			return nil, fmt.Errorf("tensor %s has %d dims (at most %d)", tname, nd, maxDims)
		}
		// ggml lists ne[0] (the fastest-varying axis) first; numpy order is
		// the reverse, which is what the rest of modelviz shows.
		dims := make([]int64, nd)
		for j := int(nd) - 1; j >= 0; j-- {
			d, err := r.u64()
			if err != nil {
				return nil, fmt.Errorf("tensor %s: %v", tname, err)
			}
			if d > math.MaxInt64 {
				return nil, fmt.Errorf("tensor %s: dim %d is too large", tname, d)
			}
			dims[j] = int64(d)
		}
		tid, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", tname, err)
		}
		off, err := r.u64()
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", tname, err)
		}
		typ, ok := types[tid]
		if !ok {
			return nil, fmt.Errorf("tensor %s has unknown ggml type %d", tname, tid)
		}
		t := &model.Tensor{Name: tname, Dims: dims, DType: typ.dtype, Location: "embedded", File: abs}
		if typ.dtype == model.Quantized {
			t.Quant = typ.name
		}
		numel := t.NumElements()
		if numel < 0 {
			return nil, fmt.Errorf("tensor %s: shape %v overflows", tname, dims)
		}
		if numel%typ.block != 0 || nd > 0 && dims[nd-1]%typ.block != 0 {
			return nil, fmt.Errorf("tensor %s: shape %v does not fill whole %s blocks (block size %d)", tname, dims, typ.name, typ.block)
		}
		if numel/typ.block > math.MaxInt64/typ.size {
			return nil, fmt.Errorf("tensor %s: byte size overflows", tname)
		}
		t.Length = numel / typ.block * typ.size
		infos = append(infos, info{t, typ, off})
	}
	dataStart := (r.pos + alignment - 1) / alignment * alignment
	if dataStart > size && nTensors > 0 {
		return nil, errors.New("file ends before the tensor data")
	}
	dataLen := size - dataStart
	if name == "" {
		name = "weights" // as the PyTorch reader names a state_dict
	}
	g := &model.Graph{Name: name}
	for _, in := range infos {
		t := in.t
		if in.offset%uint64(alignment) != 0 {
			return nil, fmt.Errorf("tensor %s: offset %d is not aligned to %d", t.Name, in.offset, alignment)
		}
		if in.offset > uint64(dataLen) || t.Length > dataLen-int64(in.offset) {
			return nil, fmt.Errorf("tensor %s: %d bytes at offset %d lie outside the %d byte data area", t.Name, t.Length, in.offset, dataLen)
		}
		t.Offset = dataStart + int64(in.offset)
		t.Loader = loader(abs, t.Offset, t.Length, swapWidth(bigEndian, in.typ))
		if bigEndian && in.typ.dtype == model.Quantized {
			t.Warning = "big-endian quantized blocks are shown as stored"
		}
		v := &model.Value{ID: int32(len(g.Values)), Name: t.Name, Initializer: t,
			Type: &model.Type{Kind: model.TensorType, DType: t.DType, Shape: model.Fixed(t.Dims...)}}
		g.Values = append(g.Values, v)
		g.Initializers = append(g.Initializers, v)
	}
	m.Graphs = []*model.Graph{g}
	m.Modules = safetensors.ModuleTree(g.Initializers, ".")
	return m, nil
}

// swapWidth is the element width to byte-swap when loading a big-endian
// tensor into the little-endian layout Loader promises; 0 for none.
func swapWidth(bigEndian bool, t ggmlType) int {
	if !bigEndian || t.block != 1 || t.size == 1 {
		return 0
	}
	return int(t.size)
}

func loader(file string, off, length int64, swap int) func() ([]byte, error) {
	return func() ([]byte, error) {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b := make([]byte, length)
		if _, err := f.ReadAt(b, off); err != nil && !(err == io.EOF && length == 0) {
			return nil, err
		}
		for i := 0; swap > 1 && i+swap <= len(b); i += swap {
			for a, z := i, i+swap-1; a < z; a, z = a+1, z-1 {
				b[a], b[z] = b[z], b[a]
			}
		}
		return b, nil
	}
}
