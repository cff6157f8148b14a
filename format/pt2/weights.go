package pt2

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/model"
)

// scalarTypes maps schema.ScalarType to model dtypes.
var scalarTypes = map[int]model.DType{
	1: model.Uint8, 2: model.Int8, 3: model.Int16, 4: model.Int32, 5: model.Int64,
	6: model.Float16, 7: model.Float32, 8: model.Float64, 10: model.Complex64,
	11: model.Complex128, 12: model.Bool, 13: model.BFloat16, 28: model.Uint16,
	29: model.Float8E4M3FN, 30: model.Float8E5M2, 31: model.Float8E4M3FNUZ, 32: model.Float8E5M2FNUZ,
}

// metaType converts a TensorMeta to a model type; symbolic sizes become
// Dim.Param.
func metaType(tm *tensorMeta) *model.Type {
	t := &model.Type{Kind: model.TensorType, DType: scalarTypes[tm.DType], Shape: model.Shape{}}
	for _, s := range tm.Sizes {
		v, expr, ok := s.get()
		switch {
		case !ok || (expr == "" && v < 0):
			t.Shape = append(t.Shape, model.Dim{}) // unknown, never negative
		case expr != "":
			t.Shape = append(t.Shape, model.Dim{Param: expr})
		default:
			t.Shape = append(t.Shape, model.Dim{Value: v, Known: true})
		}
	}
	return t
}

// tensorFrom makes a data-less tensor from a TensorMeta.
func tensorFrom(name string, tm *tensorMeta) *model.Tensor {
	t := &model.Tensor{Name: name}
	if tm == nil {
		return t
	}
	typ := metaType(tm)
	t.DType = typ.DType
	if dims, ok := typ.Shape.Ints(); ok {
		t.Dims = dims
	} else {
		t.Warning = "shape " + typ.Shape.String() + " is not fully known"
	}
	return t
}

// layout checks that a tensor is a dense, contiguous run of its storage and
// returns its byte offset and length there.
func layout(t *model.Tensor, tm *tensorMeta) (off, length int64, err error) {
	bits := int64(t.DType.Bits())
	if bits == 0 || bits%8 != 0 || t.Dims == nil {
		return 0, 0, fmt.Errorf("no fixed element size")
	}
	n := t.NumElements()
	if n < 0 || n > (1<<62)/(bits/8) {
		return 0, 0, fmt.Errorf("shape %v overflows", t.Dims)
	}
	so, _, ok := tm.StorageOffset.get()
	if tm.StorageOffset == nil {
		so, ok = 0, true
	}
	if !ok || so < 0 || so > (1<<62)/(bits/8) {
		return 0, 0, fmt.Errorf("bad storage offset")
	}
	if len(tm.Strides) > 0 && n > 0 {
		if len(tm.Strides) != len(t.Dims) {
			return 0, 0, fmt.Errorf("%d strides for %d dims", len(tm.Strides), len(t.Dims))
		}
		want := int64(1)
		for i := len(t.Dims) - 1; i >= 0; i-- {
			s, _, ok := tm.Strides[i].get()
			if !ok || (t.Dims[i] > 1 && s != want) {
				return 0, 0, fmt.Errorf("not contiguous (strides do not match the shape)")
			}
			want *= t.Dims[i]
		}
	}
	return so * bits / 8, n * bits / 8, nil
}

// payloads reads a PT2 archive's weights or constants config and records
// where each raw tensor lies in the archive.
func (r *reader) payloads(prefix, dir, config string, out map[string]*model.Tensor) {
	e := r.a.Lookup(prefix + dir + config)
	if e == nil {
		return
	}
	data, err := r.a.ReadAll(e, maxConfigJSON)
	if err != nil {
		r.warn("%s: %v", dir+config, err)
		return
	}
	var pc payloadConfig
	if err := json.Unmarshal(fixJSON(data), &pc); err != nil {
		r.warn("%s: bad JSON: %v", dir+config, err)
		return
	}
	for _, fqn := range sortedKeys(pc.Config) {
		pm := pc.Config[fqn]
		t := tensorFrom(fqn, pm.TensorMeta)
		out[fqn] = t
		switch {
		case pm.UsePickle:
			t.Warning = "stored pickled (" + pm.PathName + "); never unpickled here"
			continue
		case pm.TensorMeta == nil || t.Warning != "":
			continue
		case pm.PathName == "" || strings.Contains(pm.PathName, "/"):
			t.Warning = "bad payload path " + clip(pm.PathName, 80)
			continue
		}
		se := r.a.Lookup(prefix + dir + pm.PathName)
		if se == nil {
			t.Warning = "payload " + dir + pm.PathName + " is missing"
			continue
		}
		off, length, err := layout(t, pm.TensorMeta)
		if err == nil && !stored(se) {
			err = fmt.Errorf("payload %s is compressed", pm.PathName)
		}
		if err == nil && (off > se.UncompressedSize || length > se.UncompressedSize-off) {
			err = fmt.Errorf("%d bytes at %d exceed payload %s of %d bytes", length, off, pm.PathName, se.UncompressedSize)
		}
		var base int64
		if err == nil {
			base, err = r.a.DataOffset(se)
		}
		if err != nil {
			t.Warning = err.Error()
			continue
		}
		r.place(t, base+off, length)
	}
}

func (r *reader) place(t *model.Tensor, off, length int64) {
	t.Location, t.File, t.Offset, t.Length = "embedded", r.abs, off, length
	t.Loader = loader(r.abs, off, length)
}

func loader(file string, off, length int64) func() ([]byte, error) {
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
		return b, nil
	}
}

// Limits for a torch.save file nested in the archive.
const (
	maxNestedPickle  = 256 << 20
	maxNestedEntries = 1 << 20
)

// torchSave lists the tensors of a torch.save zip stored (uncompressed)
// inside the archive: serialized_state_dict.pt, serialized_constants.pt,
// or data/weights/<model>.pt. Nothing is unpickled beyond the restricted
// machine, and storages are located, never read.
func (r *reader) torchSave(e *zipx.Entry, prefix string, out map[string]*model.Tensor) {
	if err := r.nested(e, prefix, out); err != nil {
		r.warn("%s: %v", e.Name, err)
	}
}

func (r *reader) nested(e *zipx.Entry, prefix string, out map[string]*model.Tensor) error {
	if !stored(e) {
		return fmt.Errorf("compressed, its tensors are not located")
	}
	base, err := r.a.DataOffset(e)
	if err != nil {
		return err
	}
	f, err := os.Open(r.abs)
	if err != nil {
		return err
	}
	defer f.Close()
	size := e.UncompressedSize
	zr, err := zip.NewReader(io.NewSectionReader(f, base, size), size)
	if err != nil {
		return fmt.Errorf("not a torch.save zip: %v", err)
	}
	if len(zr.File) > maxNestedEntries {
		return fmt.Errorf("%d entries", len(zr.File))
	}
	var pkl *zip.File
	byName := map[string]*zip.File{}
	for _, zf := range zr.File {
		byName[zf.Name] = zf
		if pkl == nil && strings.HasSuffix(zf.Name, "/data.pkl") && strings.Count(zf.Name, "/") == 1 {
			pkl = zf
		}
	}
	if pkl == nil {
		return fmt.Errorf("no data.pkl")
	}
	top := strings.TrimSuffix(pkl.Name, "data.pkl")
	if bo, ok := byName[top+"byteorder"]; ok && bo.UncompressedSize64 < 16 {
		if rc, err := bo.Open(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 16))
			rc.Close()
			if string(b) == "big" {
				return fmt.Errorf("big-endian torch.save data is not located")
			}
		}
	}
	if pkl.UncompressedSize64 > maxNestedPickle {
		return fmt.Errorf("data.pkl of %d bytes is too large", pkl.UncompressedSize64)
	}
	rc, err := pkl.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxNestedPickle+1))
	rc.Close()
	if err != nil {
		return err
	}
	if len(data) > maxNestedPickle {
		return fmt.Errorf("data.pkl inflates past %d bytes", maxNestedPickle)
	}
	res, err := pickle.Load(data, nil)
	if err != nil {
		return fmt.Errorf("data.pkl: %v", err)
	}
	if len(res.Unsafe) > 0 {
		r.warn("%s references code that torch.load would run (never run here): %s", e.Name, res.Unsafe[0].String())
	}
	d, ok := res.Value.(*pickle.Dict)
	if !ok {
		if o, isObj := res.Value.(*pickle.Object); isObj && o.DictData != nil {
			d = o.DictData
		} else {
			return fmt.Errorf("data.pkl is not a dict of tensors")
		}
	}
	for i, k := range d.Keys {
		name, ok := k.(string)
		if !ok {
			continue
		}
		ref, ok := rebuild(d.Values[i], 0)
		if !ok {
			continue
		}
		t := &model.Tensor{Name: prefix + name, DType: ref.dtype, Dims: ref.dims}
		out[t.Name] = t
		sf := byName[top+"data/"+ref.key]
		if sf == nil {
			t.Warning = "storage data/" + ref.key + " is missing"
			continue
		}
		off, length, err := ref.span(t)
		if err == nil && (sf.Method != zip.Store || sf.CompressedSize64 != sf.UncompressedSize64) {
			err = fmt.Errorf("storage data/%s is compressed", ref.key)
		}
		if err == nil && (uint64(off) > sf.UncompressedSize64 || uint64(length) > sf.UncompressedSize64-uint64(off)) {
			err = fmt.Errorf("%d bytes at %d exceed storage data/%s", length, off, ref.key)
		}
		var sOff int64
		if err == nil {
			sOff, err = sf.DataOffset()
		}
		if err == nil && (sOff < 0 || sOff > size || int64(sf.UncompressedSize64) > size-sOff) {
			err = fmt.Errorf("storage data/%s lies outside %s", ref.key, e.Name)
		}
		if err != nil {
			t.Warning = err.Error()
			continue
		}
		r.place(t, base+sOff+off, length)
	}
	return nil
}

// tensorRef is a tensor rebuilt symbolically from a torch.save pickle.
type tensorRef struct {
	key     string
	dtype   model.DType
	dims    []int64
	strides []int64
	offset  int64
}

func (t *tensorRef) span(mt *model.Tensor) (int64, int64, error) {
	off := t.offset
	tm := &tensorMeta{StorageOffset: &symInt{AsInt: &off}}
	for i := range t.strides {
		tm.Strides = append(tm.Strides, symInt{AsInt: &t.strides[i]})
	}
	return layout(mt, tm)
}

var storageDTypes = map[string]model.DType{
	"FloatStorage": model.Float32, "DoubleStorage": model.Float64, "HalfStorage": model.Float16,
	"BFloat16Storage": model.BFloat16, "LongStorage": model.Int64, "IntStorage": model.Int32,
	"ShortStorage": model.Int16, "CharStorage": model.Int8, "ByteStorage": model.Uint8,
	"BoolStorage": model.Bool, "ComplexFloatStorage": model.Complex64, "ComplexDoubleStorage": model.Complex128,
}

// rebuild recognises torch._utils._rebuild_tensor_v2(storage, offset,
// size, stride, ...) and _rebuild_parameter(tensor, ...).
func rebuild(v any, depth int) (*tensorRef, bool) {
	o, ok := v.(*pickle.Object)
	if !ok || depth > 4 || o.Class.Module != "torch._utils" {
		return nil, false
	}
	switch o.Class.Name {
	case "_rebuild_parameter", "_rebuild_parameter_with_state":
		if len(o.Args) > 0 {
			return rebuild(o.Args[0], depth+1)
		}
		return nil, false
	case "_rebuild_tensor_v2", "_rebuild_tensor":
	default:
		return nil, false
	}
	if len(o.Args) < 4 {
		return nil, false
	}
	pid, ok := o.Args[0].(pickle.PersID)
	if !ok {
		return nil, false
	}
	tup, ok := pid.ID.(pickle.Tuple)
	if !ok || len(tup) < 5 || tup[0] != "storage" {
		return nil, false
	}
	g, ok := tup[1].(pickle.Global)
	if !ok {
		return nil, false
	}
	dt, ok := storageDTypes[g.Name]
	key, ok2 := tup[2].(string)
	if !ok || !ok2 || strings.Contains(key, "/") {
		return nil, false
	}
	ref := &tensorRef{key: key, dtype: dt}
	ref.offset, ok = o.Args[1].(int64)
	if !ok {
		return nil, false
	}
	if ref.dims, ok = ints(o.Args[2]); !ok {
		return nil, false
	}
	if ref.strides, ok = ints(o.Args[3]); !ok {
		return nil, false
	}
	return ref, true
}

func ints(v any) ([]int64, bool) {
	t, ok := v.(pickle.Tuple)
	if !ok {
		return nil, false
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}
