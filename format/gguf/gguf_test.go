package gguf

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/model"
)

type oracle struct {
	LittleEndian     bool  `json:"littleEndian"`
	TensorDataOffset int64 `json:"tensorDataOffset"`
	Metadata         map[string]struct {
		Type    uint32          `json:"type"`
		SubType uint32          `json:"subType"`
		Value   json.RawMessage `json:"value"`
	} `json:"metadata"`
	Tensors []struct {
		Name   string  `json:"name"`
		DType  uint32  `json:"dtype"`
		Shape  []int64 `json:"shape"`
		Offset int64   `json:"offset"`
	} `json:"tensors"`
}

// TestOracles compares the reader with what @huggingface/gguf's parser
// reported for the same files (see testdata/gen.mjs).
func TestOracles(t *testing.T) {
	for _, name := range []string{"tiny_llama.gguf", "all_types_v2.gguf", "big_endian.gguf"} {
		t.Run(name, func(t *testing.T) {
			var o oracle
			b, err := os.ReadFile("testdata/" + name + ".oracle.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &o); err != nil {
				t.Fatal(err)
			}
			m, err := Open("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			g := m.Graphs[0]
			if len(g.Initializers) != len(o.Tensors) {
				t.Fatalf("%d tensors, oracle %d", len(g.Initializers), len(o.Tensors))
			}
			for i, ot := range o.Tensors {
				tt := g.Initializers[i].Initializer
				typ := types[ot.DType]
				rev := make([]int64, len(ot.Shape))
				for j, d := range ot.Shape {
					rev[len(rev)-1-j] = d
				}
				if tt.Name != ot.Name || !equal(tt.Dims, rev) || tt.Offset != o.TensorDataOffset+ot.Offset {
					t.Errorf("tensor %d: %s %v @%d, oracle %s %v @%d", i, tt.Name, tt.Dims, tt.Offset, ot.Name, rev, o.TensorDataOffset+ot.Offset)
				}
				if tt.DType != typ.dtype || (typ.dtype == model.Quantized) != (tt.Quant == typ.name) {
					t.Errorf("%s: dtype %v quant %q, oracle type %d (%s)", tt.Name, tt.DType, tt.Quant, ot.DType, typ.name)
				}
				if want := tt.NumElements() / typ.block * typ.size; tt.Length != want || want == 0 {
					t.Errorf("%s: length %d want %d", tt.Name, tt.Length, want)
				}
			}
			// Every key but the header fields, in file order, same values.
			kv := map[string]string{}
			for _, e := range m.Metadata {
				kv[e.Key] = e.Value
			}
			if len(m.Metadata) != len(o.Metadata)-3+1+btoi(!o.LittleEndian) {
				t.Errorf("%d metadata entries, oracle %d", len(m.Metadata), len(o.Metadata))
			}
			for k, ov := range o.Metadata {
				if k == "version" || k == "tensor_count" || k == "kv_count" {
					continue
				}
				got, ok := kv[k]
				if !ok {
					t.Errorf("metadata %s missing", k)
					continue
				}
				switch ov.Type {
				case tArray:
					var a struct{ Length int }
					json.Unmarshal(ov.Value, &a)
					if a.Length > maxShownItems {
						if want := "[" + strconv.Itoa(a.Length) + " " + valueTypeNames[ov.SubType]; !strings.HasPrefix(got, want) {
							t.Errorf("%s = %s, want %s ...]", k, got, want)
						}
					} else if strings.Count(got, ",")+1 != a.Length {
						t.Errorf("%s = %s, want %d items", k, got, a.Length)
					}
				case tFloat32, tFloat64:
					var s string
					json.Unmarshal(ov.Value, &s)
					x, _ := strconv.ParseFloat(s, 64)
					y, err := strconv.ParseFloat(got, 64)
					if err != nil || math.Abs(x-y) > 1e-6*math.Abs(x) {
						t.Errorf("%s = %s, oracle %s", k, got, s)
					}
				default:
					var s string
					json.Unmarshal(ov.Value, &s)
					if k == "general.file_type" {
						got, _, _ = strings.Cut(got, " ")
					}
					if got != s {
						t.Errorf("%s = %q, oracle %q", k, got, s)
					}
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTinyLlama(t *testing.T) {
	m, err := Open("testdata/tiny_llama.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != "gguf" || m.Kind != "llama" || m.Graphs[0].Name != "tiny-llama-fixture" {
		t.Errorf("format %q kind %q name %q", m.Format, m.Kind, m.Graphs[0].Name)
	}
	kv := map[string]string{}
	for _, e := range m.Metadata {
		kv[e.Key] = e.Value
	}
	for k, want := range map[string]string{
		"GGUF.version": "3", "tokenizer.ggml.tokens": "[1000 strings]", "general.file_type": "15 (Q4_K_M)", "tokenizer.ggml.scores": "[1000 float32]",
		"test.small_strings": `["a", "b"]`, "test.small_ints": "[1, 2, 3]", "test.i64": "-9000000000000000000",
		"test.u64": "18000000000000000000", "test.bool": "true", "test.i8": "-100", "llama.rope.freq_base": "10000",
	} {
		if kv[k] != want {
			t.Errorf("%s = %q, want %q", k, kv[k], want)
		}
	}
	var params int64
	byName := map[string]*model.Tensor{}
	for _, v := range m.Graphs[0].Initializers {
		params += v.Initializer.NumElements()
		byName[v.Name] = v.Initializer
	}
	if want := int64(256*16 + 256 + 256*256 + 2*256*64 + 256*256 + 3*256*8 + 256 + 256*4 + 64*4 + 256*2 + 256 + 256*16); params != want {
		t.Errorf("params %d want %d", params, want)
	}
	q := byName["blk.0.attn_q.weight"]
	if q.DType != model.Quantized || q.Quant != "Q4_0" || !equal(q.Dims, []int64{256, 256}) || q.Length != 256*256/32*18 {
		t.Errorf("attn_q %+v", q)
	}
	// F32 tensors hold 0, 1, 2, ...
	b, err := byName["output_norm.weight"].Load()
	if err != nil || len(b) != 1024 {
		t.Fatalf("load: %d bytes, %v", len(b), err)
	}
	for i := 0; i < 256; i++ {
		if v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])); v != float32(i) {
			t.Fatalf("output_norm[%d] = %v", i, v)
		}
	}
	if b, err := q.Load(); err != nil || int64(len(b)) != q.Length {
		t.Errorf("load q4_0: %d bytes, %v", len(b), err)
	}
	// Module tree: token_embd, blk/{0,1}/..., output_norm, output.
	root := m.Modules
	var names []string
	for _, c := range root.Children {
		names = append(names, c.Name)
	}
	if strings.Join(names, " ") != "token_embd blk output_norm output" {
		t.Errorf("top modules %v", names)
	}
	blk := root.Children[1]
	if len(blk.Children) != 2 || blk.Children[0].Path != "blk.0" || blk.Children[0].Children[1].Path != "blk.0.attn_q" ||
		blk.Children[0].Children[1].Tensors[0].Name != "blk.0.attn_q.weight" {
		t.Errorf("blk tree %+v", blk.Children[0])
	}
}

func TestBigEndian(t *testing.T) {
	m, err := Open("testdata/big_endian.gguf")
	if err != nil {
		t.Fatal(err)
	}
	w := m.Graphs[0].Initializers[0].Initializer
	b, err := w.Load()
	if err != nil || !equal(w.Dims, []int64{2, 4}) {
		t.Fatal(err, w.Dims)
	}
	for i := 0; i < 8; i++ {
		if v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])); v != float32(i) {
			t.Fatalf("w[%d] = %v", i, v)
		}
	}
}

// builder writes GGUF bytes for malformed cases.
type builder struct{ bytes.Buffer }

func (b *builder) u32(v uint32) *builder { binary.Write(b, binary.LittleEndian, v); return b }
func (b *builder) u64(v uint64) *builder { binary.Write(b, binary.LittleEndian, v); return b }
func (b *builder) str(s string) *builder { b.u64(uint64(len(s))); b.WriteString(s); return b }
func head(version uint32, tensors, kvs uint64) *builder {
	b := &builder{}
	b.WriteString("GGUF")
	return b.u32(version).u64(tensors).u64(kvs)
}

// tensor appends one tensor info with dims in ggml order.
func (b *builder) tensor(name string, typ uint32, off uint64, ne ...uint64) *builder {
	b.str(name).u32(uint32(len(ne)))
	for _, d := range ne {
		b.u64(d)
	}
	return b.u32(typ).u64(off)
}

func (b *builder) padded(data int) []byte {
	for b.Len()%32 != 0 {
		b.WriteByte(0)
	}
	b.Write(make([]byte, data))
	return b.Bytes()
}

func TestMalformed(t *testing.T) {
	nested := head(3, 0, 1).str("k").u32(tArray)
	for i := 0; i < 100; i++ {
		nested.u32(tArray).u64(1)
	}
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":           {nil, "too short"},
		"magic":           {[]byte("GGUX\x03\x00\x00\x00\x00\x00\x00\x00"), "bad magic"},
		"v1":              {head(1, 0, 0).Bytes(), "version 1 is not supported"},
		"v7":              {head(7, 0, 0).Bytes(), "unknown GGUF version 7"},
		"tensors 2^60":    {head(3, 1<<60, 0).Bytes(), "tensor count"},
		"tensors 2^21":    {append(head(3, 1<<21, 0).Bytes(), make([]byte, 24<<21)...), "exceeds the limit"},
		"kvs 2^60":        {head(3, 0, 1<<60).Bytes(), "key/value count"},
		"key 2^40":        {head(3, 0, 1).u64(1 << 40).padded(64), "string length"},
		"string 2^40":     {head(3, 0, 1).str("k").u32(tString).u64(1 << 40).Bytes(), "string length"},
		"array 2^60":      {head(3, 0, 1).str("k").u32(tArray).u32(tUint32).u64(1 << 60).Bytes(), "array count"},
		"array strings":   {head(3, 0, 1).str("k").u32(tArray).u32(tString).u64(1 << 40).Bytes(), "array count"},
		"deep arrays":     {nested.Bytes(), "nested deeper than 8"},
		"value type":      {head(3, 0, 1).str("k").u32(99).Bytes(), "unknown metadata value type 99"},
		"elem type":       {head(3, 0, 1).str("k").u32(tArray).u32(99).u64(0).Bytes(), "unknown array element type"},
		"alignment 3":     {head(3, 0, 1).str("general.alignment").u32(tUint32).u32(3).Bytes(), "power of two"},
		"alignment 0":     {head(3, 0, 1).str("general.alignment").u32(tUint32).u32(0).Bytes(), "power of two"},
		"alignment str":   {head(3, 0, 1).str("general.alignment").u32(tString).str("32").Bytes(), "power of two"},
		"n_dims 9":        {head(3, 1, 0).str("t").u32(9).padded(512), "9 dims"},
		"dims overflow":   {head(3, 1, 0).tensor("t", 0, 0, 1<<32, 1<<32, 1<<32).padded(64), "overflows"},
		"dim 2^64-1":      {head(3, 1, 0).tensor("t", 0, 0, math.MaxUint64).padded(64), "too large"},
		"bytes overflow":  {head(3, 1, 0).tensor("t", 28, 0, 1<<31, 1<<31).padded(64), "overflows"},
		"q huge":          {head(3, 1, 0).tensor("t", 15, 0, 1<<40, 1<<21).padded(64), "outside"},
		"unknown type":    {head(3, 1, 0).tensor("t", 4, 0, 32).padded(64), "unknown ggml type 4"},
		"not aligned":     {head(3, 1, 0).tensor("t", 0, 4, 1).padded(64), "not aligned"},
		"out of range":    {head(3, 1, 0).tensor("t", 0, 32, 16).padded(64), "outside"},
		"offset 2^63":     {head(3, 1, 0).tensor("t", 0, 1<<63, 1).padded(64), "outside"},
		"block multiple":  {head(3, 1, 0).tensor("t", 2, 0, 33).padded(64), "block size"},
		"scalar quant":    {head(3, 1, 0).tensor("t", 2, 0).padded(64), "block size"},
		"duplicate":       {head(3, 2, 0).tensor("t", 0, 0, 1).tensor("t", 0, 0, 1).padded(64), "twice"},
		"no data":         {head(3, 1, 0).tensor("t", 0, 0, 1).Bytes(), "before the tensor data"},
		"truncated infos": {append(head(3, 2, 0).tensor("t", 0, 0, 1).Bytes(), make([]byte, 20)...), "file ends inside the header"},
	}
	for name, c := range cases {
		_, err := parse(bytes.NewReader(c.b), int64(len(c.b)), "x.gguf")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
	// Every truncation of a real header fails cleanly.
	full, _ := os.ReadFile("testdata/tiny_llama.gguf")
	for n := 0; n < 23776; n += 13 {
		if _, err := parse(bytes.NewReader(full[:n]), int64(n), "x.gguf"); err == nil {
			t.Fatalf("truncated at %d accepted", n)
		}
	}
	if _, err := Open("testdata/v1.gguf"); err == nil || !strings.Contains(err.Error(), "version 1") {
		t.Errorf("v1.gguf: %v", err)
	}
}

func FuzzGGUF(f *testing.F) {
	for _, p := range []string{"testdata/all_types_v2.gguf", "testdata/big_endian.gguf", "testdata/v1.gguf"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	full, _ := os.ReadFile("testdata/tiny_llama.gguf")
	f.Add(full[:23776+64])
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parse(bytes.NewReader(b), int64(len(b)), "f.gguf")
		if err != nil {
			return
		}
		for _, v := range m.Graphs[0].Initializers {
			tt := v.Initializer
			if tt.Offset < 0 || tt.Length < 0 || tt.Offset+tt.Length > int64(len(b)) {
				t.Fatalf("%s: [%d,+%d) outside %d bytes", v.Name, tt.Offset, tt.Length, len(b))
			}
		}
	})
}

func TestSplit(t *testing.T) {
	want := "token_embd.weight blk.0.attn_q.weight blk.0.ffn_up.weight blk.1.attn_q.weight output.weight"
	for _, p := range []string{"testdata/split-00001-of-00003.gguf", "testdata/split-00002-of-00003.gguf"} {
		m, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		g := m.Graphs[0]
		if names(g.Initializers) != want || g.Name != "split-fixture" || m.Kind != "llama" || len(m.Warnings) != 0 {
			t.Errorf("%s: %s / %q %q %v", p, names(g.Initializers), g.Name, m.Kind, m.Warnings)
		}
		for i, v := range g.Values {
			if v.ID != int32(i) {
				t.Errorf("%s: value IDs out of order", p)
			}
		}
		q := g.Initializers[3].Initializer
		b, err := q.Load()
		if err != nil || !strings.HasSuffix(q.File, "split-00002-of-00003.gguf") || len(b) != 16 || math.Float32frombits(binary.LittleEndian.Uint32(b[12:])) != 3 {
			t.Errorf("%s: part-2 tensor %s: %v", p, q.File, err)
		}
		if blk := m.Modules.Children[1]; blk.Name != "blk" || len(blk.Children) != 2 {
			t.Errorf("%s: module tree", p)
		}
	}
	dir := t.TempDir()
	cp := func(from, to string) {
		b, err := os.ReadFile("testdata/" + from)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, to), b, 0o644)
	}
	cp("split-00001-of-00003.gguf", "a-00001-of-00003.gguf")
	cp("split-00003-of-00003.gguf", "a-00003-of-00003.gguf")
	m, err := Open(filepath.Join(dir, "a-00003-of-00003.gguf"))
	if err != nil || len(m.Graphs[0].Initializers) != 3 || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "1 of 3 split parts are missing (a-00002-of-00003.gguf)") {
		t.Errorf("missing part: %v %v", err, m)
	}
	cp("split-00003-of-00003.gguf", "a-00002-of-00003.gguf")
	if _, err := Open(filepath.Join(dir, "a-00001-of-00003.gguf")); err == nil || !strings.Contains(err.Error(), "says it is part 3 of 3") {
		t.Errorf("wrong part: %v", err)
	}
	cp("split-00001-of-00003.gguf", "renamed.gguf")
	m, err = Open(filepath.Join(dir, "renamed.gguf"))
	if err != nil || len(m.Graphs[0].Initializers) != 2 || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "only this part") {
		t.Errorf("renamed part: %v %v", err, m.Warnings)
	}
}

func names(vs []*model.Value) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.Name)
	}
	return strings.Join(s, " ")
}
