// Package safetensors reads Hugging Face safetensors files and sharded
// *.safetensors.index.json sets. Only the header is parsed; tensor bytes are
// read lazily through Tensor.Loader.
//
// Layout: u64 LE header size N, N bytes of JSON, then the data area. Each
// JSON entry is {"dtype","shape","data_offsets":[begin,end]} with offsets
// relative to the data area; "__metadata__" maps strings to strings.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// MaxHeader bounds the JSON header; the reference implementation uses 100 MB.
const MaxHeader = 100 << 20

// maxDims bounds a tensor's rank; real tensors stay far below it.
const maxDims = 64

// maxTensors bounds one file's tensor count (real shards hold a few
// thousand) so a 100 MB header of empty tensors cannot cost gigabytes.
// A variable so tests can lower it.
var maxTensors = 1 << 20

// Probe accepts a head whose first 8 bytes are a plausible header length
// followed by the JSON object's opening brace.
func Probe(head []byte) bool {
	if len(head) < 10 {
		return false
	}
	n := binary.LittleEndian.Uint64(head)
	if n < 2 || n > MaxHeader {
		return false
	}
	return head[8] == '{'
}

// ProbeIndex accepts the JSON index of a sharded checkpoint.
func ProbeIndex(head []byte) bool {
	s := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return len(s) > 0 && s[0] == '{' && bytes.Contains(head, []byte(`"weight_map"`))
}

// Open reads a .safetensors file or a *.safetensors.index.json.
func Open(path string) (*model.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A JSON index starts with printable bytes, which as a u64 length are
	// far beyond MaxHeader, so Probe never mistakes one for the other.
	var head [10]byte
	if n, _ := f.ReadAt(head[:], 0); !Probe(head[:n]) && n > 0 && strings.IndexByte("{ \t\r\n", head[0]) >= 0 {
		return openIndex(path, f)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	h, err := readFile(f, abs)
	if err != nil {
		return nil, err
	}
	m := &model.Model{Format: "safetensors", Kind: "state_dict", Metadata: h.meta}
	finish(m, h.tensors)
	return m, nil
}

type header struct {
	meta    []model.KV
	tensors []*model.Tensor
}

// dtypes maps safetensors dtype names to element type and storage bits.
var dtypes = map[string]model.DType{
	"BOOL": model.Bool, "U8": model.Uint8, "I8": model.Int8,
	"U16": model.Uint16, "I16": model.Int16, "F16": model.Float16, "BF16": model.BFloat16,
	"U32": model.Uint32, "I32": model.Int32, "F32": model.Float32,
	"U64": model.Uint64, "I64": model.Int64, "F64": model.Float64,
	"C64":     model.Complex64,
	"F8_E4M3": model.Float8E4M3FN, "F8_E5M2": model.Float8E5M2,
	"F8_E8M0": model.Float8E8M0, "F4": model.Float4E2M1,
}

// readFile parses one safetensors file's header and validates every entry
// against the file size.
func readFile(f *os.File, abs string) (*header, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return parse(f, st.Size(), abs)
}

// parse reads the header from r, a file of size bytes stored at abs.
func parse(f io.ReaderAt, size int64, abs string) (*header, error) {
	var lb [8]byte
	if _, err := f.ReadAt(lb[:], 0); err != nil {
		return nil, errors.New("file too short for a safetensors header")
	}
	n := binary.LittleEndian.Uint64(lb[:])
	if n > MaxHeader {
		return nil, fmt.Errorf("safetensors header length %d exceeds the %d byte limit", n, MaxHeader)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("safetensors header length %d exceeds the file size %d", n, size)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, 8); err != nil {
		return nil, fmt.Errorf("reading header: %v", err)
	}
	dataStart := 8 + int64(n)
	dataLen := size - dataStart
	h := &header{}
	type span struct {
		b, e int64
		name string
	}
	var spans []span
	seen := map[string]bool{}
	err := walkObject(buf, func(key string, decode func(any) error) error {
		if key == "__metadata__" {
			raw, err := rawOf(decode)
			if err != nil {
				return err
			}
			return walkObject(raw, func(k string, decode func(any) error) error {
				var s string
				if err := decode(&s); err != nil {
					return fmt.Errorf("__metadata__ %q: values must be strings", k)
				}
				h.meta = append(h.meta, model.KV{Key: k, Value: s})
				return nil
			})
		}
		if len(seen) >= maxTensors {
			return fmt.Errorf("more than %d tensors", maxTensors)
		}
		if seen[key] {
			return fmt.Errorf("tensor %q listed twice", key)
		}
		seen[key] = true
		var e struct {
			Dtype       string  `json:"dtype"`
			Shape       []int64 `json:"shape"`
			DataOffsets []int64 `json:"data_offsets"`
		}
		if err := decode(&e); err != nil {
			return fmt.Errorf("header JSON: tensor %q: %v", key, err)
		}
		if e.Shape == nil {
			return fmt.Errorf("tensor %q: no shape", key)
		}
		if len(e.Shape) > maxDims {
			return fmt.Errorf("tensor %q: %d dims", key, len(e.Shape))
		}
		if len(e.DataOffsets) != 2 {
			return fmt.Errorf("tensor %q: data_offsets must be [begin, end]", key)
		}
		b, en := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || en < b || en > dataLen {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] outside the %d byte data area", key, b, en, dataLen)
		}
		t := &model.Tensor{Name: key, Dims: e.Shape, Location: "embedded", File: abs, Offset: dataStart + b, Length: en - b}
		for _, d := range e.Shape {
			if d < 0 {
				return fmt.Errorf("tensor %q: negative dim %d", key, d)
			}
		}
		numel := t.NumElements()
		if numel < 0 {
			return fmt.Errorf("tensor %q: shape %v overflows", key, e.Shape)
		}
		dt, ok := dtypes[e.Dtype]
		if !ok {
			// Newer dtypes (F6_E2M3, ...) have no model.DType: keep the bytes
			// visible, say why the type is unknown.
			t.Warning = "unsupported safetensors dtype " + e.Dtype
		} else {
			t.DType = dt
			bits := int64(dt.Bits())
			if numel > (1<<62)/bits {
				return fmt.Errorf("tensor %q: shape %v overflows", key, e.Shape)
			}
			if want := (numel*bits + 7) / 8; want != en-b {
				return fmt.Errorf("tensor %q: %s %v needs %d bytes, data_offsets give %d", key, e.Dtype, e.Shape, want, en-b)
			}
		}
		t.Loader = loader(abs, t.Offset, t.Length)
		h.tensors = append(h.tensors, t)
		if en > b {
			spans = append(spans, span{b, en, key})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].b < spans[j].b })
	for i := 1; i < len(spans); i++ {
		if spans[i].b < spans[i-1].e {
			return nil, fmt.Errorf("tensors %q and %q overlap", spans[i-1].name, spans[i].name)
		}
	}
	return h, nil
}

// walkObject calls fn for each member of a JSON object in file order, which
// encoding/json's maps would lose. fn decodes the member's value with
// decode (straight into its target, no intermediate copy); a value fn does
// not decode is skipped.
func walkObject(data []byte, fn func(key string, decode func(v any) error) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("header JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("header JSON is not an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("header JSON: %v", err)
		}
		key, _ := tok.(string)
		called := false
		decode := func(v any) error {
			called = true
			return dec.Decode(v)
		}
		if err := fn(key, decode); err != nil {
			return err
		}
		if !called {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("header JSON: %v", err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("header JSON: %v", err)
	}
	return nil
}

// rawOf decodes a member as raw JSON.
func rawOf(decode func(any) error) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := decode(&raw); err != nil {
		return nil, fmt.Errorf("header JSON: %v", err)
	}
	return raw, nil
}

// loader reads length bytes at off when asked; the file is reopened so the
// model holds no descriptor.
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

// finish builds the single initializer-only graph and the module tree.
func finish(m *model.Model, tensors []*model.Tensor) {
	g := &model.Graph{Name: "weights"} // as the PyTorch reader names a state_dict
	for _, t := range tensors {
		v := &model.Value{ID: int32(len(g.Values)), Name: t.Name, Initializer: t,
			Type: &model.Type{Kind: model.TensorType, DType: t.DType, Shape: model.Fixed(t.Dims...)}}
		g.Values = append(g.Values, v)
		g.Initializers = append(g.Initializers, v)
	}
	m.Graphs = []*model.Graph{g}
	m.Modules = ModuleTree(g.Initializers, ".")
}

// MaxModuleDepth bounds module trees: a name with more separators keeps the
// rest in its last level, so a hostile name of a million dots costs one
// module, not a million (or their quadratic paths).
const MaxModuleDepth = 64

// ModuleTree groups tensors by the prefixes of their names, split at sep:
// "layers.0.weight" lands in module layers/0. Children keep first-seen order.
func ModuleTree(values []*model.Value, sep string) *model.Module {
	root := &model.Module{}
	index := map[string]*model.Module{"": root}
	for _, v := range values {
		cur := root
		rest, end := v.Name, 0
		for depth := 0; depth < MaxModuleDepth; depth++ {
			i := strings.Index(rest, sep)
			if i < 0 {
				break
			}
			part := rest[:i]
			end += i
			path := v.Name[:end] // a slice of the name: no copies
			next := index[path]
			if next == nil {
				next = &model.Module{Name: part, Path: path}
				index[path] = next
				cur.Children = append(cur.Children, next)
			}
			cur = next
			rest = rest[i+len(sep):]
			end += len(sep)
		}
		cur.Tensors = append(cur.Tensors, v)
	}
	numericOrder(root)
	return root
}

// numericOrder sorts list-like children ("0", "1", ..., "10") by number:
// files sort keys as text, which would put layers.10 before layers.2.
// Children of any other kind keep first-seen order.
func numericOrder(m *model.Module) {
	nums := make([]int, len(m.Children))
	numeric := len(m.Children) > 1
	for i, c := range m.Children {
		n, err := strconv.Atoi(c.Name)
		if err != nil || n < 0 {
			numeric = false
		}
		nums[i] = n
	}
	if numeric {
		idx := make([]int, len(nums))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return nums[idx[a]] < nums[idx[b]] })
		sorted := make([]*model.Module, len(idx))
		for i, j := range idx {
			sorted[i] = m.Children[j]
		}
		m.Children = sorted
	}
	for _, c := range m.Children {
		numericOrder(c)
	}
}
