package pytorch

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/model"
)

// storage is one persistent-id storage: where its bytes live and its type.
type storage struct {
	Key      string
	Type     string // e.g. "FloatStorage"
	DType    model.DType
	Elem     int64 // bytes per element
	Numel    int64 // elements, as the pickle claims
	Location string
	// Where the bytes are: File at Offset for Size bytes, raw when Stored;
	// a compressed zip entry is read through Inflate instead.
	File    string
	Offset  int64
	Size    int64 // bytes actually present; -1 if missing
	Inflate func(max int64) ([]byte, error)
	// View of a legacy root storage.
	ViewOffset int64
	Missing    string
}

var storageDTypes = map[string]model.DType{
	"FloatStorage": model.Float32, "DoubleStorage": model.Float64, "HalfStorage": model.Float16,
	"BFloat16Storage": model.BFloat16, "LongStorage": model.Int64, "IntStorage": model.Int32,
	"ShortStorage": model.Int16, "CharStorage": model.Int8, "ByteStorage": model.Uint8,
	"BoolStorage": model.Bool, "ComplexFloatStorage": model.Complex64,
	"ComplexDoubleStorage": model.Complex128, "QInt8Storage": model.Int8,
	"QUInt8Storage": model.Uint8, "QInt32Storage": model.Int32, "QUInt4x2Storage": model.Uint8,
	"QUInt2x4Storage": model.Uint8, "UInt16Storage": model.Uint16, "UInt32Storage": model.Uint32,
	"UInt64Storage": model.Uint64, "Float8_e4m3fnStorage": model.Float8E4M3FN,
	"Float8_e5m2Storage": model.Float8E5M2, "Float8_e4m3fnuzStorage": model.Float8E4M3FNUZ,
	"Float8_e5m2fnuzStorage": model.Float8E5M2FNUZ, "UntypedStorage": model.Uint8,
	"ByteStorageBase": model.Uint8,
}

// torchDTypes maps torch.<dtype> globals (meta tensors, newer pickles).
var torchDTypes = map[string]model.DType{
	"float32": model.Float32, "float": model.Float32, "float64": model.Float64, "double": model.Float64,
	"float16": model.Float16, "half": model.Float16, "bfloat16": model.BFloat16, "int64": model.Int64,
	"long": model.Int64, "int32": model.Int32, "int": model.Int32, "int16": model.Int16,
	"short": model.Int16, "int8": model.Int8, "uint8": model.Uint8, "bool": model.Bool,
	"complex64": model.Complex64, "complex128": model.Complex128, "uint16": model.Uint16,
	"uint32": model.Uint32, "uint64": model.Uint64, "float8_e4m3fn": model.Float8E4M3FN,
	"float8_e5m2": model.Float8E5M2, "float8_e4m3fnuz": model.Float8E4M3FNUZ,
	"float8_e5m2fnuz": model.Float8E5M2FNUZ, "qint8": model.Int8, "quint8": model.Uint8, "qint32": model.Int32,
}

// storageType resolves the storage class of a persistent id.
func storageType(v any) (string, model.DType, bool) {
	g, ok := v.(pickle.Global)
	if !ok {
		return "", 0, false
	}
	if g.Module == "torch" || g.Module == "torch.storage" || g.Module == "torch.cuda" {
		if dt, ok := storageDTypes[g.Name]; ok {
			return g.Name, dt, true
		}
		if dt, ok := torchDTypes[g.Name]; ok && g.Module == "torch" {
			return g.Name, dt, true
		}
	}
	return "", 0, false
}

// parsePID decodes ('storage', storage_type, key, location, numel[, view]).
func parsePID(id any) (*storage, any, error) {
	t, ok := id.(pickle.Tuple)
	if !ok || len(t) < 5 {
		return nil, nil, nil
	}
	if s, _ := t[0].(string); s != "storage" {
		return nil, nil, nil
	}
	name, dt, ok := storageType(t[1])
	if !ok {
		return nil, nil, fmt.Errorf("unknown storage type %s", pickle.Repr(t[1]))
	}
	key, ok := t[2].(string)
	if !ok {
		return nil, nil, fmt.Errorf("storage key is %s, not a string", pickle.Repr(t[2]))
	}
	loc, _ := t[3].(string)
	numel, ok := t[4].(int64)
	if !ok || numel < 0 {
		return nil, nil, fmt.Errorf("storage %q: bad element count %s", key, pickle.Repr(t[4]))
	}
	elem := int64(dt.Bits() / 8)
	if name == "UntypedStorage" {
		elem = 1
	}
	st := &storage{Key: key, Type: name, DType: dt, Elem: elem, Numel: numel, Location: loc, Size: -1}
	var view any
	if len(t) > 5 {
		view = t[5]
	}
	return st, view, nil
}

// tensor is a rebuilt tensor descriptor.
type tensor struct {
	St        *storage
	DType     model.DType
	Offset    int64 // elements into the storage
	Dims      []int64
	Strides   []int64
	Param     bool
	Quantized bool
	NoData    string // set for meta tensors
	BigEndian bool   // numpy arrays saved with '>' byte order
}

// numpyDType maps numpy type codes ('f4', 'i8', 'b1', ...).
var numpyDTypes = map[string]model.DType{
	"f2": model.Float16, "f4": model.Float32, "f8": model.Float64, "i1": model.Int8,
	"i2": model.Int16, "i4": model.Int32, "i8": model.Int64, "u1": model.Uint8, "u2": model.Uint16,
	"u4": model.Uint32, "u8": model.Uint64, "b1": model.Bool, "c8": model.Complex64, "c16": model.Complex128,
}

// numpyType reads a pickled numpy.dtype: its code and byte order.
func numpyType(v any) (model.DType, bool, bool) {
	o, ok := v.(*pickle.Object)
	if !ok || o.Class.Name != "dtype" || !strings.HasPrefix(o.Class.Module, "numpy") || len(o.Args) < 1 {
		return 0, false, false
	}
	code, _ := o.Args[0].(string)
	dt, ok := numpyDTypes[code]
	if !ok {
		return 0, false, false
	}
	big := false
	if st, ok := o.State.(pickle.Tuple); ok && len(st) > 1 {
		big = st[1] == ">"
	}
	return dt, big, true
}

// numpyArray reads numpy.core.multiarray._reconstruct(ndarray, ...) with
// BUILD state (version, shape, dtype, is_fortran, raw bytes): the bytes
// are inside the pickle, so the loader serves them from memory.
func numpyArray(o *pickle.Object) (*tensor, bool) {
	st, ok := o.State.(pickle.Tuple)
	if !ok || len(st) < 5 {
		return nil, false
	}
	dims, ok1 := toInts(st[1])
	dt, big, ok2 := numpyType(st[2])
	data, ok3 := st[4].(pickle.Bytes)
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	elem := int64(dt.Bits() / 8)
	mt := model.Tensor{Dims: dims}
	numel := mt.NumElements()
	if numel < 0 {
		return nil, false
	}
	strides := make([]int64, len(dims))
	acc := int64(1)
	if fortran, _ := st[3].(bool); fortran {
		for i := range dims {
			strides[i] = acc
			acc *= max(dims[i], 1)
		}
	} else {
		for i := len(dims) - 1; i >= 0; i-- {
			strides[i] = acc
			acc *= max(dims[i], 1)
		}
	}
	buf := []byte(data)
	store := &storage{Key: "numpy", Type: "ndarray", DType: dt, Elem: elem, Numel: int64(len(buf)) / elem,
		Size: int64(len(buf)), Inflate: func(int64) ([]byte, error) { return buf, nil }}
	return &tensor{St: store, DType: dt, Dims: dims, Strides: strides, BigEndian: big}, true
}

func toInts(v any) ([]int64, bool) {
	var items []any
	switch v := v.(type) {
	case pickle.Tuple:
		items = v
	case *pickle.List:
		items = v.Items
	case *pickle.Object: // torch.Size((...))
		if v.Class.String() == "torch.Size" && len(v.Args) == 1 {
			return toInts(v.Args[0])
		}
		return nil, false
	default:
		return nil, false
	}
	if len(items) > 64 {
		return nil, false
	}
	out := make([]int64, len(items))
	for i, it := range items {
		n, ok := it.(int64)
		if !ok || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

// asTensor recognises the rebuild functions torch.save writes.
func asTensor(v any) (*tensor, bool) {
	o, ok := v.(*pickle.Object)
	if !ok || o.Callable != nil {
		return nil, false
	}
	a := o.Args
	switch o.Class.String() {
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_qtensor":
		if len(a) < 4 {
			return nil, false
		}
		st, ok := a[0].(*storage)
		if !ok {
			return nil, false
		}
		off, ok1 := a[1].(int64)
		dims, ok2 := toInts(a[2])
		strides, ok3 := toInts(a[3])
		if !ok1 || !ok2 || !ok3 || off < 0 || len(dims) != len(strides) {
			return nil, false
		}
		return &tensor{St: st, DType: st.DType, Offset: off, Dims: dims, Strides: strides,
			Quantized: strings.HasSuffix(o.Class.Name, "qtensor")}, true
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		if len(a) < 1 {
			return nil, false
		}
		t, ok := asTensor(a[0])
		if !ok {
			return nil, false
		}
		c := *t
		c.Param = true
		return &c, true
	case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type":
		// (func, new_type, args, state): a tensor subclass around a rebuild.
		if len(a) < 3 {
			return nil, false
		}
		fn, ok := a[0].(pickle.Global)
		args, ok2 := a[2].(pickle.Tuple)
		if !ok || !ok2 {
			return nil, false
		}
		t, ok := asTensor(&pickle.Object{Class: fn, Args: args})
		if ok && len(a) > 1 {
			if g, ok := a[1].(pickle.Global); ok && g.String() == "torch.nn.parameter.Parameter" {
				t.Param = true
			}
		}
		return t, ok
	case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
		return numpyArray(o)
	case "torch._utils._rebuild_meta_tensor_no_storage":
		// (dtype, size, stride, requires_grad): shape only, no bytes.
		if len(a) < 3 {
			return nil, false
		}
		g, ok := a[0].(pickle.Global)
		dims, ok2 := toInts(a[1])
		if !ok || !ok2 {
			return nil, false
		}
		dt := torchDTypes[g.Name]
		return &tensor{DType: dt, Dims: dims, NoData: "meta tensor (no data saved)"}, true
	}
	return nil, false
}

// toModel makes the model.Tensor with a lazy loader.
func (t *tensor) toModel(name string, bigEndian bool) *model.Tensor {
	mt := &model.Tensor{Name: name, DType: t.DType, Dims: t.Dims}
	if t.NoData != "" || t.St == nil {
		mt.Warning = t.NoData
		return mt
	}
	st := t.St
	if st.Missing != "" {
		mt.Warning = st.Missing
		return mt
	}
	numel := mt.NumElements()
	elem := st.Elem
	if numel < 0 || elem <= 0 || numel > (1<<62)/elem {
		mt.Warning = "tensor size overflows"
		return mt
	}
	// The highest element index the view touches must lie in the storage.
	last := t.Offset + st.ViewOffset
	for i, d := range t.Dims {
		if d == 0 {
			last = -1
			break
		}
		if t.Strides[i] > 0 && d-1 > (1<<62)/t.Strides[i] {
			mt.Warning = "tensor strides overflow"
			return mt
		}
		last += (d - 1) * t.Strides[i]
	}
	avail := st.Numel
	if st.Size >= 0 && st.Size/elem < avail {
		avail = st.Size / elem
	}
	if last >= avail {
		mt.Warning = fmt.Sprintf("storage %s holds %d elements, tensor needs %d", st.Key, avail, last+1)
		return mt
	}
	mt.Location = "embedded"
	if st.Key == "numpy" && st.Type == "ndarray" {
		mt.Location = "inline"
	}
	bigEndian = bigEndian || t.BigEndian
	mt.File = st.File
	mt.Length = numel * elem
	base := (t.Offset + st.ViewOffset) * elem
	contiguous := true
	want := int64(1)
	for i := len(t.Dims) - 1; i >= 0; i-- {
		if t.Dims[i] != 1 && t.Strides[i] != want {
			contiguous = false
		}
		want *= t.Dims[i]
	}
	if numel == 0 {
		contiguous = true
	}
	dims, strides := t.Dims, t.Strides
	if st.Inflate == nil {
		mt.Offset = st.Offset + base
	} else {
		mt.Offset = -1
	}
	read := func(off, n int64) ([]byte, error) {
		if st.Inflate != nil {
			all, err := st.Inflate(st.Numel * elem)
			if err != nil {
				return nil, err
			}
			if off+n > int64(len(all)) {
				return nil, fmt.Errorf("storage %s is shorter than its header says", st.Key)
			}
			return all[off : off+n], nil
		}
		f, err := os.Open(st.File)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, st.Offset+off); err != nil && err != io.EOF {
			return nil, err
		}
		return buf, nil
	}
	mt.Loader = func() ([]byte, error) {
		var out []byte
		if contiguous {
			b, err := read(base, numel*elem)
			if err != nil {
				return nil, err
			}
			out = b
		} else {
			// Gather a strided view from the span it covers.
			span := (last - t.Offset - st.ViewOffset + 1) * elem
			src, err := read(base, span)
			if err != nil {
				return nil, err
			}
			out = make([]byte, 0, numel*elem)
			idx := make([]int64, len(dims))
			for n := int64(0); n < numel; n++ {
				var o int64
				for i := range dims {
					o += idx[i] * strides[i]
				}
				out = append(out, src[o*elem:(o+1)*elem]...)
				for i := len(dims) - 1; i >= 0; i-- {
					idx[i]++
					if idx[i] < dims[i] {
						break
					}
					idx[i] = 0
				}
			}
		}
		if bigEndian && elem > 1 {
			out = swapped(out, t.DType, elem)
		}
		return out, nil
	}
	return mt
}

// swapped converts big-endian elements to little-endian in a copy.
func swapped(b []byte, dt model.DType, elem int64) []byte {
	out := make([]byte, len(b))
	unit := elem
	if dt == model.Complex64 || dt == model.Complex128 {
		unit = elem / 2
	}
	for i := int64(0); i+unit <= int64(len(b)); i += unit {
		for j := int64(0); j < unit; j++ {
			out[i+j] = b[i+unit-1-j]
		}
	}
	return out
}

var le = binary.LittleEndian
