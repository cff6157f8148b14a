package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/model"
)

func mustOpen(t *testing.T, path string) *model.Model {
	t.Helper()
	m, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return m
}

func tensorMap(m *model.Model) map[string]*model.Tensor {
	out := map[string]*model.Tensor{}
	for _, v := range m.Graphs[0].Initializers {
		out[v.Name] = v.Initializer
	}
	return out
}

func TestMLP(t *testing.T) {
	m := mustOpen(t, "testdata/mlp.safetensors")
	if m.Format != "safetensors" || m.Kind != "state_dict" || m.Graphs[0].Name != "weights" {
		t.Errorf("format %q kind %q", m.Format, m.Kind)
	}
	if len(m.Metadata) != 2 || m.Metadata[0] != (model.KV{Key: "format", Value: "pt"}) || m.Metadata[1].Key != "source" {
		t.Errorf("metadata %v", m.Metadata)
	}
	want := []struct {
		name string
		dims []int64
	}{
		{"embed.weight", []int64{10, 8}}, {"head.bias", []int64{3}}, {"head.weight", []int64{3, 8}},
		{"layers.0.fc.bias", []int64{8}}, {"layers.0.fc.weight", []int64{8, 8}},
		{"layers.0.norm.bias", []int64{8}}, {"layers.0.norm.weight", []int64{8}},
		{"layers.1.fc.bias", []int64{8}}, {"layers.1.fc.weight", []int64{8, 8}},
		{"layers.1.norm.bias", []int64{8}}, {"layers.1.norm.weight", []int64{8}},
	}
	g := m.Graphs[0]
	if len(g.Initializers) != len(want) || len(g.Values) != len(want) || len(g.Nodes) != 0 {
		t.Fatalf("%d initializers, %d values, %d nodes", len(g.Initializers), len(g.Values), len(g.Nodes))
	}
	var params int64
	for i, w := range want {
		v := g.Initializers[i]
		tt := v.Initializer
		if v.Name != w.name || tt.DType != model.Float32 || !equal(tt.Dims, w.dims) || v.ID != int32(i) {
			t.Errorf("tensor %d: %s %v %v, want %s float32 %v", i, v.Name, tt.DType, tt.Dims, w.name, w.dims)
		}
		if tt.Length != tt.NumElements()*4 {
			t.Errorf("%s: length %d", v.Name, tt.Length)
		}
		params += tt.NumElements()
	}
	if params != 80+3+24+2*(8+64+8+8) {
		t.Errorf("params %d", params)
	}
	// Module tree: embed, head, layers/{0,1}/{fc,norm} in first-seen order.
	var names []string
	var walk func(*model.Module)
	walk = func(mod *model.Module) {
		for _, v := range mod.Tensors {
			names = append(names, mod.Path+":"+v.Name)
		}
		for _, c := range mod.Children {
			walk(c)
		}
	}
	walk(m.Modules)
	got := strings.Join(names, " ")
	exp := "embed:embed.weight head:head.bias head:head.weight layers.0.fc:layers.0.fc.bias layers.0.fc:layers.0.fc.weight " +
		"layers.0.norm:layers.0.norm.bias layers.0.norm:layers.0.norm.weight layers.1.fc:layers.1.fc.bias " +
		"layers.1.fc:layers.1.fc.weight layers.1.norm:layers.1.norm.bias layers.1.norm:layers.1.norm.weight"
	if got != exp {
		t.Errorf("module tree\n got %s\nwant %s", got, exp)
	}
	if l := m.Modules.Children[2]; l.Name != "layers" || len(l.Children) != 2 || l.Children[1].Name != "1" || l.Children[1].Path != "layers.1" {
		t.Errorf("layers module %+v", l)
	}
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

func TestDTypesAndLoader(t *testing.T) {
	m := mustOpen(t, "testdata/dtypes.safetensors")
	ts := tensorMap(m)
	cases := map[string]struct {
		dt   model.DType
		dims []int64
	}{
		"f64": {model.Float64, []int64{3}}, "f16": {model.Float16, []int64{2, 2}},
		"bf16": {model.BFloat16, []int64{3}}, "i64": {model.Int64, []int64{2}},
		"i32": {model.Int32, []int64{1}}, "i16": {model.Int16, []int64{2}},
		"i8": {model.Int8, []int64{1, 3}}, "u8": {model.Uint8, []int64{1}},
		"flags": {model.Bool, []int64{3}}, "scalar": {model.Float32, []int64{}},
		"empty": {model.Float32, []int64{0, 4}},
	}
	if len(ts) != len(cases) {
		t.Fatalf("%d tensors", len(ts))
	}
	for name, c := range cases {
		tt := ts[name]
		if tt == nil || tt.DType != c.dt || !equal(tt.Dims, c.dims) || tt.Dims == nil {
			t.Errorf("%s: %+v", name, tt)
		}
	}
	load := func(name string) []byte {
		b, err := ts[name].Load()
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		return b
	}
	f64 := load("f64")
	for i := 0; i < 3; i++ {
		if v := math.Float64frombits(binary.LittleEndian.Uint64(f64[8*i:])); v != float64(i) {
			t.Errorf("f64[%d] = %v", i, v)
		}
	}
	if b := load("bf16"); !bytes.Equal(b, []byte{0x80, 0x3f, 0x00, 0xc0, 0x00, 0x3f}) {
		t.Errorf("bf16 bytes % x", b)
	}
	if b := load("i8"); !bytes.Equal(b, []byte{1, 2, 3}) {
		t.Errorf("i8 bytes % x", b)
	}
	if b := load("flags"); !bytes.Equal(b, []byte{1, 0, 1}) {
		t.Errorf("bool bytes % x", b)
	}
	if b := load("scalar"); math.Float32frombits(binary.LittleEndian.Uint32(b)) != 2.5 {
		t.Errorf("scalar bytes % x", b)
	}
	if b := load("empty"); len(b) != 0 {
		t.Errorf("empty: %d bytes", len(b))
	}
}

func TestSharded(t *testing.T) {
	m := mustOpen(t, "testdata/sharded/model.safetensors.index.json")
	single := mustOpen(t, "testdata/mlp.safetensors")
	if m.Kind != "sharded" || len(m.Warnings) != 0 {
		t.Errorf("kind %q warnings %v", m.Kind, m.Warnings)
	}
	if len(m.Metadata) != 1 || m.Metadata[0] != (model.KV{Key: "total_size", Value: "1132"}) {
		t.Errorf("metadata %v", m.Metadata)
	}
	a, b := tensorMap(m), tensorMap(single)
	if len(a) != len(b) {
		t.Fatalf("%d tensors, single file has %d", len(a), len(b))
	}
	for name, tb := range b {
		ta := a[name]
		if ta == nil || ta.DType != tb.DType || !equal(ta.Dims, tb.Dims) {
			t.Fatalf("%s differs", name)
		}
		x, err1 := ta.Load()
		y, err2 := tb.Load()
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s: bytes differ (%v %v)", name, err1, err2)
		}
		if filepath.Base(filepath.Dir(ta.File)) != "sharded" {
			t.Errorf("%s: file %s", name, ta.File)
		}
	}
}

// build assembles a safetensors file from a header and a data area.
func build(header string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMalformed(t *testing.T) {
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":         {nil, "too short"},
		"header 2^40":   {append(huge, '{', '}'), "exceeds the 104857600 byte limit"},
		"header > file": {build(`{}`, nil)[:9], "exceeds the file size"},
		"not json":      {build(`{"a":`, nil), "header JSON"},
		"not object":    {build(`[1,2]`, nil), "not an object"},
		"out of range":  {build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)), "outside"},
		"begin > end":   {build(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}`, make([]byte, 4)), "outside"},
		"negative":      {build(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}`, make([]byte, 4)), "outside"},
		"overlap": {build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`,
			make([]byte, 8)), "overlap"},
		"size mismatch":      {build(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "needs 12 bytes"},
		"dims overflow":      {build(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}`, make([]byte, 4)), "overflows"},
		"dims bits overflow": {build(`{"a":{"dtype":"F64","shape":[1152921504606846976],"data_offsets":[0,4]}}`, make([]byte, 4)), "overflows"},
		"negative dim":       {build(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, nil), "negative dim"},
		"no shape":           {build(`{"a":{"dtype":"F32","data_offsets":[0,0]}}`, nil), "no shape"},
		"bad offsets":        {build(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0]}}`, nil), "data_offsets"},
		"duplicate":          {build(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), "twice"},
		"meta not str":       {build(`{"__metadata__":{"k":1}}`, nil), "strings"},
		"deep nesting":       {build(`{"a":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`, nil), "header JSON"},
		"too many dims":      {build(`{"a":{"dtype":"U8","shape":[`+strings.Repeat("1,", 100)+`1],"data_offsets":[0,1]}}`, []byte{0}), "dims"},
	}
	dir := t.TempDir()
	for name, c := range cases {
		p := writeTemp(t, dir, "x.safetensors", c.b)
		_, err := Open(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
	// The tensor-count cap.
	defer func(n int) { maxTensors = n }(maxTensors)
	maxTensors = 2
	if _, err := Open("testdata/mlp.safetensors"); err == nil || !strings.Contains(err.Error(), "more than 2 tensors") {
		t.Errorf("tensor cap: %v", err)
	}
	maxTensors = 1 << 20
	// An unknown dtype keeps the tensor, with a warning.
	p := writeTemp(t, dir, "x.safetensors", build(`{"a":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[0,3]}}`, make([]byte, 3)))
	m, err := Open(p)
	if err != nil || m.Graphs[0].Initializers[0].Initializer.Warning == "" {
		t.Errorf("unknown dtype: %v", err)
	}
}

func TestIndexPaths(t *testing.T) {
	dir := t.TempDir()
	inner := filepath.Join(dir, "model")
	os.Mkdir(inner, 0o755)
	shard := build(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7})
	writeTemp(t, dir, "outside.safetensors", shard)
	writeTemp(t, inner, "ok.safetensors", shard)
	if err := os.Symlink(filepath.Join(dir, "outside.safetensors"), filepath.Join(inner, "link.safetensors")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../outside.safetensors", filepath.Join(dir, "outside.safetensors"), "link.safetensors", "sub/../../outside.safetensors", `..\\outside.safetensors`} {
		p := writeTemp(t, inner, "model.safetensors.index.json", []byte(`{"weight_map":{"a":"`+strings.ReplaceAll(bad, `\`, `\\`)+`"}}`))
		if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "leaves") {
			t.Errorf("%s: err %v", bad, err)
		}
	}
	p := writeTemp(t, inner, "model.safetensors.index.json", []byte(`{"weight_map":{"a":"ok.safetensors","b":"gone.safetensors"}}`))
	m, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Graphs[0].Initializers) != 1 || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "gone.safetensors is missing") {
		t.Errorf("missing shard: %d tensors, warnings %v", len(m.Graphs[0].Initializers), m.Warnings)
	}
	if b, err := m.Graphs[0].Initializers[0].Initializer.Load(); err != nil || !bytes.Equal(b, []byte{7}) {
		t.Errorf("load %v %v", b, err)
	}
	p = writeTemp(t, inner, "model.safetensors.index.json", []byte(`{"metadata":{}}`))
	if _, err := Open(p); err == nil {
		t.Error("index without weight_map accepted")
	}
}

func TestProbe(t *testing.T) {
	b, _ := os.ReadFile("testdata/mlp.safetensors")
	if !Probe(b) || ProbeIndex(b) {
		t.Error("mlp.safetensors")
	}
	idx, _ := os.ReadFile("testdata/sharded/model.safetensors.index.json")
	if Probe(idx) || !ProbeIndex(idx) {
		t.Error("index")
	}
	if Probe([]byte("GGUF\x03\x00\x00\x00\x00\x00")) || Probe(nil) {
		t.Error("probe accepted junk")
	}
}

func FuzzSafetensors(f *testing.F) {
	for _, p := range []string{"testdata/mlp.safetensors", "testdata/dtypes.safetensors", "testdata/sharded/model-00001-of-00002.safetensors", "testdata/nlpodyssey.safetensors"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	idx, _ := os.ReadFile("testdata/sharded/model.safetensors.index.json")
	f.Add(idx)
	shards, _ := filepath.Abs("testdata/sharded")
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := parseIndex(b, shards); err == nil && len(m.Graphs) != 1 {
			t.Fatal("index without graph")
		}
		h, err := parse(bytes.NewReader(b), int64(len(b)), "f.safetensors")
		if err != nil {
			return
		}
		for _, tt := range h.tensors {
			if tt.Offset < 0 || tt.Length < 0 || tt.Offset+tt.Length > int64(len(b)) {
				t.Fatalf("%s: [%d,+%d) outside %d bytes", tt.Name, tt.Offset, tt.Length, len(b))
			}
		}
	})
}

func TestModuleTreeNumericOrder(t *testing.T) {
	var vals []*model.Value
	for _, n := range []string{"layers.0.w", "layers.10.w", "layers.2.w", "layers.1.w", "norm.b", "norm.a"} {
		vals = append(vals, &model.Value{Name: n})
	}
	root := ModuleTree(vals, ".")
	var got []string
	for _, c := range root.Children[0].Children {
		got = append(got, c.Name)
	}
	if strings.Join(got, ",") != "0,1,2,10" || root.Children[1].Name != "norm" || names(root.Children[1].Tensors) != "norm.b norm.a" {
		t.Errorf("order %v", got)
	}
}

func names(vs []*model.Value) string {
	var s []string
	for _, v := range vs {
		s = append(s, v.Name)
	}
	return strings.Join(s, " ")
}

func TestModuleTreeDepth(t *testing.T) {
	long := strings.Repeat("a.", 200000) + "w"
	root := ModuleTree([]*model.Value{{Name: long}, {Name: "x.y"}}, ".")
	depth, m := 0, root
	for len(m.Children) > 0 {
		m = m.Children[0]
		depth++
	}
	if depth != MaxModuleDepth || len(m.Tensors) != 1 || m.Path != strings.Repeat("a.", MaxModuleDepth-1)+"a" {
		t.Errorf("depth %d, leaf %q", depth, m.Path[:min(len(m.Path), 20)])
	}
	if root.Children[1].Path != "x" || root.Children[1].Tensors[0].Name != "x.y" {
		t.Errorf("short name: %+v", root.Children[1])
	}
}

func TestIndexMismatchWarningsBounded(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "ok.safetensors", build(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7}))
	var b strings.Builder
	b.WriteString(`{"weight_map":{"a":"ok.safetensors"`)
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, `,"t%d":"ok.safetensors","m%d":"gone%d.safetensors"`, i, i, i%3)
	}
	b.WriteString("}}")
	m, err := Open(writeTemp(t, dir, "model.safetensors.index.json", []byte(b.String())))
	if err != nil {
		t.Fatal(err)
	}
	// 3 missing shards, 20 spelled-out mismatches, one summary line.
	if len(m.Warnings) != 3+20+1 || !strings.Contains(m.Warnings[len(m.Warnings)-1], "4980 more mismatches") {
		t.Errorf("%d warnings, last %q", len(m.Warnings), m.Warnings[len(m.Warnings)-1])
	}
}

// nlpodyssey.safetensors was written by github.com/nlpodyssey/safetensors,
// a port of the reference Rust writer (testdata/gen-nlpodyssey): header
// keys in text order, data sorted by dtype size, header padded with spaces.
func TestIndependentWriter(t *testing.T) {
	m := mustOpen(t, "testdata/nlpodyssey.safetensors")
	if len(m.Metadata) != 2 || m.Metadata[1] != (model.KV{Key: "writer", Value: "nlpodyssey/safetensors"}) {
		t.Errorf("metadata %v", m.Metadata)
	}
	want := []struct {
		name string
		dt   model.DType
		dims []int64
	}{
		{"lm_head.q", model.Uint8, []int64{2, 2}}, {"lm_head.scales", model.Int8, []int64{5}},
		{"lm_head.zero", model.Uint16, []int64{1}}, {"model.embed_tokens.weight", model.Float32, []int64{16, 4}},
		{"model.layers.0.mlp.down_proj.weight", model.BFloat16, []int64{4, 8}},
		{"model.layers.0.mlp.up_proj.weight", model.Float16, []int64{8, 4}},
		{"model.layers.1.input_layernorm.weight", model.Float64, []int64{4}},
		{"model.layers.10.self_attn.rotary.inv_freq", model.Float32, []int64{2}},
		{"model.layers.2.position_ids", model.Int64, []int64{1, 6}}, {"model.norm.mask", model.Bool, []int64{3}},
	}
	g := m.Graphs[0]
	if len(g.Initializers) != len(want) {
		t.Fatalf("%d tensors", len(g.Initializers))
	}
	for i, w := range want {
		tt := g.Initializers[i].Initializer
		if tt.Name != w.name || tt.DType != w.dt || !equal(tt.Dims, w.dims) {
			t.Errorf("tensor %d: %s %v %v, want %+v", i, tt.Name, tt.DType, tt.Dims, w)
		}
	}
	ts := tensorMap(m)
	load := func(name string) []byte {
		b, err := ts[name].Load()
		if err != nil || int64(len(b)) != ts[name].Length {
			t.Fatalf("%s: %v", name, err)
		}
		return b
	}
	for i, b := 0, load("model.embed_tokens.weight"); i < 64; i++ {
		if v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])); v != float32(i) {
			t.Fatalf("embed[%d] = %v", i, v)
		}
	}
	for i, b := 0, load("model.layers.0.mlp.down_proj.weight"); i < 32; i++ {
		if v := math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16); v != float32(i) {
			t.Fatalf("bf16[%d] = %v", i, v)
		}
	}
	if b := load("model.layers.0.mlp.up_proj.weight"); binary.LittleEndian.Uint16(b[2*3:]) != 0x4200 { // 3.0 in fp16
		t.Errorf("f16[3] = %#x", binary.LittleEndian.Uint16(b[6:]))
	}
	if b := load("model.layers.2.position_ids"); binary.LittleEndian.Uint64(b[8*5:]) != 5 {
		t.Errorf("i64 bytes % x", b)
	}
	if b := load("lm_head.scales"); !bytes.Equal(b, []byte{0, 0xff, 0xfe, 0xfd, 0xfc}) {
		t.Errorf("i8 bytes % x", b)
	}
	if b := load("model.norm.mask"); !bytes.Equal(b, []byte{0, 1, 0}) {
		t.Errorf("bool bytes % x", b)
	}
	// The text order 0, 1, 10, 2 becomes 0, 1, 2, 10 in the module tree.
	layers := m.Modules.Children[1].Children[1]
	var order []string
	for _, c := range layers.Children {
		order = append(order, c.Name)
	}
	if layers.Path != "model.layers" || strings.Join(order, ",") != "0,1,2,10" {
		t.Errorf("layers %s: %v", layers.Path, order)
	}
}
