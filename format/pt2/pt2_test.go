package pt2

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/model"
)

func mustOpen(t *testing.T, p string) *model.Model {
	t.Helper()
	m, err := Open(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return m
}

func names(vs []*model.Value) string {
	var s []string
	for _, v := range vs {
		if v == nil {
			s = append(s, "<nil>")
		} else {
			s = append(s, v.Name)
		}
	}
	return strings.Join(s, " ")
}

func TestConvNet(t *testing.T) {
	var loaded [][]byte
	for _, f := range []string{"testdata/convnet.pt2", "testdata/convnet_legacy.pt2"} {
		m := mustOpen(t, f)
		if m.Format != "pt2" || m.Kind != "torch.export" || len(m.Warnings) != 0 {
			t.Errorf("%s: format %q kind %q warnings %v", f, m.Format, m.Kind, m.Warnings)
		}
		if len(m.Opsets) != 1 || m.Opsets[0] != (model.Opset{Domain: "aten", Version: 10}) {
			t.Errorf("%s: opsets %v", f, m.Opsets)
		}
		g := m.Graphs[0]
		if got := names(g.Inputs); got != "x" || g.Inputs[0].Type.Shape.String() != "1×3×8×8" {
			t.Errorf("%s: inputs %s", f, got)
		}
		want := map[string][]int64{"conv.weight": {4, 3, 3, 3}, "conv.bias": {4}, "fc.weight": {5, 144}, "fc.bias": {5}}
		if got := names(g.Initializers); got != "conv.weight conv.bias fc.weight fc.bias" {
			t.Errorf("%s: initializers %s", f, got)
		}
		var params int64
		var all []byte
		for _, v := range g.Initializers {
			tt := v.Initializer
			if tt.DType != model.Float32 || !equal(tt.Dims, want[v.Name]) || tt.Length != 4*tt.NumElements() || tt.Warning != "" {
				t.Errorf("%s: %s %v %v len %d %q", f, v.Name, tt.DType, tt.Dims, tt.Length, tt.Warning)
			}
			params += tt.NumElements()
			b, err := tt.Load()
			if err != nil || int64(len(b)) != tt.Length {
				t.Fatalf("%s: load %s: %v", f, v.Name, err)
			}
			all = append(all, b...)
		}
		loaded = append(loaded, all)
		if params != 108+4+720+5 {
			t.Errorf("%s: params %d", f, params)
		}
		ops := []string{"conv2d", "relu", "flatten", "linear"}
		groups := []string{"conv", "act", "", "fc"}
		shapes := []string{"1×4×6×6", "1×4×6×6", "1×144", "1×5"}
		if len(g.Nodes) != 4 {
			t.Fatalf("%s: %d nodes", f, len(g.Nodes))
		}
		for i, n := range g.Nodes {
			if n.Op != ops[i] || n.Domain != "aten" || strings.Join(n.Group, "/") != groups[i] || n.Outputs[0].Type.Shape.String() != shapes[i] || n.Outputs[0].Producer != n {
				t.Errorf("%s: node %d: %s %s %v %s", f, i, n.Op, n.Domain, n.Group, n.Outputs[0].Type.Shape)
			}
		}
		conv := g.Nodes[0]
		if names(conv.Inputs) != "x conv.weight conv.bias" || conv.Overload != "default" || conv.Attr("stride") == nil ||
			conv.Attr("stride").Kind != model.AttrInts || len(conv.Attr("stride").Ints) != 2 {
			t.Errorf("%s: conv %s %s %+v", f, names(conv.Inputs), conv.Overload, conv.Attrs)
		}
		if a := g.Nodes[2].Attr("start_dim"); a == nil || a.Kind != model.AttrInt || a.Int != 1 || g.Nodes[2].Overload != "using_ints" {
			t.Errorf("%s: flatten attrs %+v", f, g.Nodes[2].Attrs)
		}
		if g.Initializers[0].Consumers[0] != conv || names(g.Outputs) != "linear" {
			t.Errorf("%s: consumers/outputs", f)
		}
		if m.Modules == nil || len(m.Modules.Children) != 3 || m.Modules.Children[0].Type != "torch.nn.modules.conv.Conv2d" ||
			names(m.Modules.Children[2].Tensors) != "fc.weight fc.bias" {
			t.Errorf("%s: modules %+v", f, m.Modules)
		}
	}
	// The archive's raw payloads and the legacy layout's nested torch.save
	// storages hold the same weights.
	if !bytes.Equal(loaded[0], loaded[1]) {
		t.Error("weights differ between the two layouts")
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

func TestMLP(t *testing.T) {
	for _, f := range []string{"testdata/mlp.pt2", "testdata/mlp_legacy.pt2"} {
		m := mustOpen(t, f)
		g := m.Graphs[0]
		if len(m.Warnings) != 0 {
			t.Errorf("%s: warnings %v", f, m.Warnings)
		}
		x := g.Inputs[0]
		if len(g.Inputs) != 1 || x.Type.Shape[0].Param != "s0" || x.Type.Shape[0].Known || x.Type.Shape[1].Value != 8 {
			t.Errorf("%s: input %s %v", f, x.Name, x.Type.Shape)
		}
		if len(g.Initializers) != 9 || g.Initializers[0].Name != "scale" || g.Initializers[0].Doc != "buffer" {
			t.Errorf("%s: initializers %s", f, names(g.Initializers))
		}
		b, err := g.Initializers[0].Initializer.Load()
		if err != nil || len(b) != 32 {
			t.Fatalf("%s: scale: %v", f, err)
		}
		for i := 0; i < 8; i++ {
			if v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])); v != 0.5 {
				t.Errorf("%s: scale[%d] = %v", f, i, v)
			}
		}
		var params int64
		for _, v := range g.Initializers {
			params += v.Initializer.NumElements()
		}
		if params != 8+2*(128+16+128+8) {
			t.Errorf("%s: params %d", f, params)
		}
		if len(g.Nodes) != 10 {
			t.Fatalf("%s: %d nodes", f, len(g.Nodes))
		}
		fc2 := g.Nodes[6]
		if fc2.Op != "linear" || fc2.Domain != "aten" || strings.Join(fc2.Group, "|") != "blocks|blocks.1|blocks.1.fc2" ||
			names(fc2.Inputs) != "gelu_1 blocks.1.fc2.weight blocks.1.fc2.bias" || fc2.Outputs[0].Type.Shape.String() != "s0×8" {
			t.Errorf("%s: fc2 %s %v %s", f, fc2.Op, fc2.Group, names(fc2.Inputs))
		}
		add := g.Nodes[3]
		if add.Overload != "Tensor" || names(add.Inputs) != "x linear_1" || strings.Join(add.Group, "|") != "blocks|blocks.0" {
			t.Errorf("%s: add %v %s", f, add.Group, names(add.Inputs))
		}
		mx := g.Nodes[9]
		if mx.Op != "max" || mx.Overload != "dim" || names(mx.Outputs) != "max_1 max_2" || mx.Outputs[1].Type.DType != model.Int64 || len(mx.Group) != 0 {
			t.Errorf("%s: max %s %v", f, names(mx.Outputs), mx.Outputs[1].Type)
		}
		if names(g.Outputs) != "mul max_1 max_2" {
			t.Errorf("%s: outputs %s", f, names(g.Outputs))
		}
		if gelu := g.Nodes[1]; gelu.Attr("approximate") == nil || gelu.Attr("approximate").String != "none" {
			t.Errorf("%s: gelu attrs %+v", f, gelu.Attrs)
		}
		kv := map[string]string{}
		for _, e := range m.Metadata {
			kv[e.Key] = e.Value
		}
		if kv["range s0"] != "[2, inf]" || kv["schema_version"] != "8.17" {
			t.Errorf("%s: metadata %v", f, m.Metadata)
		}
		blk := m.Modules.Children[0].Children[1]
		if m.Modules.Type != "__main__.MLP" || blk.Path != "blocks.1" || blk.Type != "__main__.Block" || len(blk.Children) != 3 {
			t.Errorf("%s: module tree %+v", f, blk)
		}
	}
}

func TestProbe(t *testing.T) {
	for _, f := range []string{"testdata/convnet.pt2", "testdata/convnet_legacy.pt2", "testdata/mlp.pt2", "testdata/mlp_legacy.pt2"} {
		b, _ := os.ReadFile(f)
		if !Probe(b[:min(len(b), 4096)]) {
			t.Errorf("%s not probed", f)
		}
	}
	for _, name := range []string{"archive/data.pkl", "archive/code/__torch__/m.py", "model/data/0", "x/constants.pkl"} {
		if IsEntryName(name) {
			t.Errorf("%s taken for a pt2 entry", name)
		}
	}
	for _, name := range []string{"m/archive_format", "models/model.json", "m/data/weights/weight_0", "serialized_exported_program.json", "m/models/x.json"} {
		if !IsEntryName(name) {
			t.Errorf("%s not a pt2 entry", name)
		}
	}
}

// zipOf writes a zip with the given members (stored unless deflate).
func zipOf(t *testing.T, files [][2]string, deflate bool) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		method := zip.Store
		if deflate {
			method = zip.Deflate
		}
		fw, err := w.CreateHeader(&zip.FileHeader{Name: f[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(f[1]))
	}
	w.Close()
	p := filepath.Join(t.TempDir(), "x.pt2")
	os.WriteFile(p, buf.Bytes(), 0o644)
	return p
}

const miniGraph = `{"graph_module":{"graph":{"inputs":[{"as_tensor":{"name":"p_w"}},{"as_tensor":{"name":"x"}}],
"outputs":[{"as_tensor":{"name":"y"}}],"nodes":[{"target":"torch.ops.aten.mul.Tensor","inputs":[
{"name":"self","arg":{"as_tensor":{"name":"x"}}},{"name":"other","arg":{"as_tensor":{"name":"p_w"}}}],
"outputs":[{"as_tensor":{"name":"y"}}],"metadata":{}}],
"tensor_values":{"p_w":{"dtype":7,"sizes":[{"as_int":2}],"requires_grad":true,"device":{"type":"cpu"},"strides":[{"as_int":1}],"storage_offset":{"as_int":0},"layout":7}}},
"signature":{"input_specs":[{"parameter":{"arg":{"name":"p_w"},"parameter_name":"w"}},{"user_input":{"arg":{"as_tensor":{"name":"x"}}}}],
"output_specs":[{"user_output":{"arg":{"as_tensor":{"name":"y"}}}}]}},"opset_version":{"aten":10},"range_constraints":{}}`

func weightsConfig(path, sizes string) string {
	return `{"config":{"w":{"path_name":"` + path + `","is_param":true,"use_pickle":false,"tensor_meta":{"dtype":7,"sizes":` + sizes +
		`,"requires_grad":true,"device":{"type":"cpu"},"strides":[{"as_int":1}],"storage_offset":{"as_int":0},"layout":7}}}}`
}

func TestMalformed(t *testing.T) {
	deep := `{"target":"torch.ops.higher_order.cond","inputs":[{"name":"g","arg":{"as_graph":{"name":"b","graph":{"inputs":[],"outputs":[],"nodes":[NODE]}}}}],"outputs":[],"metadata":{}}`
	nested := "{}"
	for i := 0; i < 40; i++ {
		nested = strings.Replace(deep, "NODE", nested, 1)
	}
	nested = strings.Replace(nested, "[{}]", "[]", 1)
	deepProgram := `{"graph_module":{"graph":{"inputs":[],"outputs":[],"nodes":[` + nested + `]}}}`
	errCases := map[string]struct {
		files [][2]string
		want  string
	}{
		"not pt2":        {[][2]string{{"a/data.pkl", "x"}}, "no torch.export program"},
		"format":         {[][2]string{{"m/archive_format", "zip"}}, `not "pt2"`},
		"no models":      {[][2]string{{"m/archive_format", "pt2"}}, "no exported program"},
		"bad json":       {[][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", "{"}}, "bad JSON"},
		"no graph":       {[][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", "{}"}}, "no graph_module"},
		"deep graphs":    {[][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", deepProgram}}, "nested deeper than 32"},
		"legacy no json": {[][2]string{{"serialized_exported_program.json", "[1]"}}, "bad JSON"},
		"no target":      {[][2]string{{"serialized_exported_program.json", `{"graph_module":{"graph":{"nodes":[{"target":""}]}}}`}}, "no target"},
	}
	for name, c := range errCases {
		_, err := Open(zipOf(t, c.files, false))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
	// Weights problems leave the graph usable, with a warning on the tensor.
	warnCases := map[string]struct {
		files [][2]string
		want  string
	}{
		"traversal":  {[][2]string{{"m/data/weights/model_weights_config.json", weightsConfig("../../etc/passwd", `[{"as_int":2}]`)}}, "bad payload path"},
		"missing":    {[][2]string{{"m/data/weights/model_weights_config.json", weightsConfig("weight_0", `[{"as_int":2}]`)}}, "missing"},
		"too short":  {[][2]string{{"m/data/weights/weight_0", "1234"}, {"m/data/weights/model_weights_config.json", weightsConfig("weight_0", `[{"as_int":2}]`)}}, "exceed payload"},
		"dims 2^62":  {[][2]string{{"m/data/weights/weight_0", "1234"}, {"m/data/weights/model_weights_config.json", weightsConfig("weight_0", `[{"as_int":4611686018427387904}]`)}}, "overflows"},
		"symbolic":   {[][2]string{{"m/data/weights/model_weights_config.json", weightsConfig("weight_0", `[{"as_expr":{"expr_str":"s0"}}]`)}}, "shape s0 is not fully known"},
		"bad config": {[][2]string{{"m/data/weights/model_weights_config.json", `{"config":[]}`}}, "weights not found"},
	}
	for name, c := range warnCases {
		files := append([][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", miniGraph}}, c.files...)
		m, err := Open(zipOf(t, files, false))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		w := m.Graphs[0].Initializers[0].Initializer
		if !strings.Contains(w.Warning, c.want) || w.Loader != nil {
			t.Errorf("%s: warning %q, want %q", name, w.Warning, c.want)
		}
	}
	// A good payload loads; a compressed one is refused.
	files := [][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", miniGraph},
		{"m/data/weights/weight_0", "\x00\x00\x80\x3f\x00\x00\x00\x40"}, {"m/data/weights/model_weights_config.json", weightsConfig("weight_0", `[{"as_int":2}]`)}}
	m := mustOpen(t, zipOf(t, files, false))
	if b, err := m.Graphs[0].Initializers[0].Initializer.Load(); err != nil || string(b) != "\x00\x00\x80\x3f\x00\x00\x00\x40" {
		t.Errorf("mini load %q %v", b, err)
	}
	m = mustOpen(t, zipOf(t, files, true))
	if w := m.Graphs[0].Initializers[0].Initializer; !strings.Contains(w.Warning, "compressed") {
		t.Errorf("deflated payload: %q", w.Warning)
	}
	// Dangling references and duplicate producers are warnings.
	dangling := strings.Replace(miniGraph, `"name":"x"}}},{"name":"other"`, `"name":"ghost"}}},{"name":"other"`, 1)
	m = mustOpen(t, zipOf(t, [][2]string{{"serialized_exported_program.json", dangling}}, false))
	if len(m.Warnings) == 0 || !strings.Contains(strings.Join(m.Warnings, "|"), "ghost") {
		t.Errorf("dangling: %v", m.Warnings)
	}
	// Python's json writes bare NaN/Infinity for float arguments.
	nan := strings.Replace(miniGraph, `{"name":"other","arg":{"as_tensor":{"name":"p_w"}}}`, `{"name":"other","arg":{"as_tensor":{"name":"p_w"}}},{"name":"alpha","arg":{"as_float":-Infinity}},{"name":"s","arg":{"as_string":"NaN Infinity"}}`, 1)
	m = mustOpen(t, zipOf(t, [][2]string{{"serialized_exported_program.json", nan}}, false))
	n := m.Graphs[0].Nodes[0]
	if a := n.Attr("alpha"); a == nil || a.String != "-Infinity" || n.Attr("s").String != "NaN Infinity" {
		t.Errorf("NaN handling: %+v", n.Attrs)
	}
	// A nested torch.save that is compressed or garbage is a warning.
	m = mustOpen(t, zipOf(t, [][2]string{{"serialized_exported_program.json", miniGraph}, {"serialized_state_dict.pt", "garbage"}}, false))
	if !strings.Contains(strings.Join(m.Warnings, "|"), "serialized_state_dict.pt") {
		t.Errorf("garbage state dict: %v", m.Warnings)
	}
}

func TestNestedGraphs(t *testing.T) {
	cond := `{"graph_module":{"graph":{"inputs":[{"as_tensor":{"name":"x"}}],"outputs":[{"as_tensor":{"name":"r"}}],"nodes":[
{"target":"torch.ops.higher_order.cond","inputs":[{"name":"pred","arg":{"as_sym_bool":{"as_name":"x"}}},
{"name":"true_fn","arg":{"as_graph":{"name":"true_graph_0","graph":{"inputs":[{"as_tensor":{"name":"a"}}],"outputs":[{"as_tensor":{"name":"b"}}],
"nodes":[{"target":"torch.ops.aten.sin.default","inputs":[{"name":"self","arg":{"as_tensor":{"name":"a"}}}],"outputs":[{"as_tensor":{"name":"b"}}],"metadata":{}}]}}}},
{"name":"operands","arg":{"as_tensors":[{"name":"x"}]}},{"name":"sizes","arg":{"as_sym_ints":[{"as_name":"x"},{"as_int":3}]}},
{"name":"dev","arg":{"as_device":{"type":"cuda","index":1}}},{"name":"dt","arg":{"as_scalar_type":13}},{"name":"opt","arg":{"as_optional_tensors":[{"as_none":true},{"as_tensor":{"name":"x"}}]}}],
"outputs":[{"as_tensors":[{"name":"r"}]}],"metadata":{"nn_module_stack":"L__self__,,M;L__self___layers_0,getattr(L['self'].layers, '0'),torch.nn.Linear"}},
{"target":"torch.ops.aten.sym_size.int","inputs":[{"name":"self","arg":{"as_tensor":{"name":"r"}}},{"name":"dim","arg":{"as_int":0}}],"outputs":[{"as_sym_int":{"as_name":"sym_size_int"}}],"metadata":{}}],
"tensor_values":{},"sym_int_values":{"sym_size_int":{"as_expr":{"expr_str":"s0 + 1"}}}},"signature":{"input_specs":[],"output_specs":[]}}}`
	m := mustOpen(t, zipOf(t, [][2]string{{"serialized_exported_program.json", cond}}, false))
	n := m.Graphs[0].Nodes[0]
	if n.Op != "cond" || n.Domain != "higher_order" || n.Overload != "" {
		t.Errorf("cond op %q %q %q", n.Op, n.Domain, n.Overload)
	}
	subs := n.Subgraphs()
	if len(subs) != 1 || subs[0].Graph.Name != "true_graph_0" || subs[0].Graph.Owner != n || subs[0].Graph.Parent != m.Graphs[0] ||
		subs[0].Graph.Nodes[0].Op != "sin" || names(subs[0].Graph.Inputs) != "a" {
		t.Errorf("subgraph %+v", subs)
	}
	if names(n.Inputs) != "x x x <nil> x" || strings.Join(n.Group, "|") != "layers|layers.0" {
		t.Errorf("inputs %s group %v", names(n.Inputs), n.Group)
	}
	if sz := m.Graphs[0].Nodes[1]; sz.Op != "sym_size" || sz.Overload != "int" || sz.Outputs[0].Type.DType != model.Int64 || sz.Outputs[0].Doc != "SymInt s0 + 1" {
		t.Errorf("sym_size %+v", sz.Outputs[0])
	}
	if n.Attr("dev").String != "cuda:1" || n.Attr("dt").String != "bfloat16" || strings.Join(n.Attr("sizes").Strings, ",") != "x,3" {
		t.Errorf("attrs %+v", n.Attrs)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"layers.0.fc": "layers.0.fc", "L['self'].layers[0]": "layers.0", "getattr(L['self'].layers, '0')": "layers.0",
		"getattr(getattr(L['fn'], '0'), '1')": "L.fn.0.1", "": "", "L['self']": "", "L['self'].fc": "fc",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzPT2(f *testing.F) {
	// Seeds: the exported-program JSON of every fixture.
	for _, p := range []string{"testdata/convnet.pt2", "testdata/mlp.pt2", "testdata/mlp_legacy.pt2"} {
		zr, err := zip.OpenReader(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, zf := range zr.File {
			if strings.HasSuffix(zf.Name, ".json") {
				rc, _ := zf.Open()
				var b bytes.Buffer
				b.ReadFrom(rc)
				rc.Close()
				f.Add(b.Bytes())
			}
		}
		zr.Close()
	}
	f.Add([]byte(miniGraph))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Whole archives (zip container, weights) are covered by
		// TestMalformed and zipx's own fuzzing; the fuzzer drives the JSON
		// decoder and graph builder, where the work is.
		r := &reader{m: &model.Model{}, types: map[string]string{}}
		if g, err := r.program(b, map[string]*model.Tensor{}, true); err == nil {
			for i, n := range g.Nodes {
				if n.ID != int32(i) {
					t.Fatal("node IDs out of order")
				}
			}
		}
	})
}

func TestSplitTarget(t *testing.T) {
	for in, want := range map[string][3]string{
		"torch.ops.aten.conv2d.default": {"aten", "conv2d", "default"},
		"torch.ops.aten.add.Tensor":     {"aten", "add", "Tensor"},
		"torch.ops.higher_order.cond":   {"higher_order", "cond", ""},
		"_operator.getitem":             {"_operator", "getitem", ""},
		"getitem":                       {"", "getitem", ""},
		"torch.ops.x":                   {"", "x", ""},
		"trailing.":                     {"", "trailing.", ""},
	} {
		d, o, ov := splitTarget(in)
		if [3]string{d, o, ov} != want {
			t.Errorf("splitTarget(%q) = %q %q %q, want %v", in, d, o, ov, want)
		}
	}
}

// FuzzPT2Archive drives the zip side: layout detection, payload configs
// and nested torch.save files.
func FuzzPT2Archive(f *testing.F) {
	for _, p := range []string{"testdata/convnet.pt2", "testdata/mlp_legacy.pt2"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	p := filepath.Join(f.TempDir(), "f.pt2")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Open(p)
		if err != nil {
			return
		}
		for _, g := range m.Graphs {
			for _, v := range g.Initializers {
				tt := v.Initializer
				if tt.Loader != nil && (tt.Offset < 0 || tt.Length < 0 || tt.Offset+tt.Length > int64(len(b))) {
					t.Fatalf("%s: [%d,+%d) outside %d bytes", v.Name, tt.Offset, tt.Length, len(b))
				}
			}
		}
	})
}

func TestMultipleModels(t *testing.T) {
	other := strings.Replace(miniGraph, "aten.mul.Tensor", "aten.add.Tensor", 1)
	m := mustOpen(t, zipOf(t, [][2]string{{"m/archive_format", "pt2"}, {"m/models/aux.json", other}, {"m/models/model.json", miniGraph}}, false))
	if len(m.Graphs) != 2 || m.Graphs[0].Name != "model" || m.Graphs[1].Name != "aux" ||
		m.Graphs[0].Nodes[0].Op != "mul" || m.Graphs[1].Nodes[0].Op != "add" {
		t.Errorf("graphs: %d %q", len(m.Graphs), m.Graphs[0].Name)
	}
	// Without a weights config the weights keep the graph's shape, with a warning.
	w := m.Graphs[0].Initializers[0]
	if w.Name != "w" || !equal(w.Initializer.Dims, []int64{2}) || !strings.Contains(w.Initializer.Warning, "not found") {
		t.Errorf("weight %+v", w.Initializer)
	}
}

func TestHostilePaths(t *testing.T) {
	deep := strings.Repeat("getattr(", 5000) + "L['self']" + strings.Repeat(", 'a')", 5000)
	if got := normalizePath(deep); strings.Count(got, ".") > 2*maxPathDepth {
		t.Errorf("getattr nesting: %d components", strings.Count(got, "."))
	}
	long := strings.Repeat("a.", 100000) + "b"
	g := moduleStack("k,"+long+",T", map[string]string{})
	if len(g) != maxPathDepth || g[0] != "a" || g[maxPathDepth-1] != strings.Repeat("a.", maxPathDepth-1)+"a" {
		t.Errorf("group of %d levels", len(g))
	}
	mg := &model.Graph{Initializers: []*model.Value{{Name: long}}, Nodes: []*model.Node{{Group: g}}}
	root := moduleTree(mg, nil)
	depth, m := 0, root
	for len(m.Children) > 0 {
		m = m.Children[0]
		depth++
	}
	if depth != maxPathDepth || len(m.Tensors) != 1 {
		t.Errorf("module tree depth %d", depth)
	}
}

func TestNameClashes(t *testing.T) {
	// 20,000 parameters all claiming the FQN "w" get distinct value names
	// in linear time.
	const n = 20000
	var inputs, specs []string
	for i := 0; i < n; i++ {
		ph := "p" + strconv.Itoa(i)
		inputs = append(inputs, `{"as_tensor":{"name":"`+ph+`"}}`)
		specs = append(specs, `{"parameter":{"arg":{"name":"`+ph+`"},"parameter_name":"w"}}`)
	}
	js := `{"graph_module":{"graph":{"inputs":[` + strings.Join(inputs, ",") + `],"outputs":[],"nodes":[]},
"signature":{"input_specs":[` + strings.Join(specs, ",") + `],"output_specs":[]}}}`
	r := &reader{m: &model.Model{}, types: map[string]string{}}
	g, err := r.program([]byte(js), map[string]*model.Tensor{}, true)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range g.Initializers {
		if seen[v.Name] {
			t.Fatalf("duplicate value name %s", v.Name)
		}
		seen[v.Name] = true
	}
	if len(seen) != n || g.Initializers[1].Name != "w_1" {
		t.Errorf("%d names, second %s", len(seen), g.Initializers[1].Name)
	}
}

// torch 2.1 wrote the state dict as serialized_state_dict.json.
func TestTorch21StateDictName(t *testing.T) {
	zr, err := zip.OpenReader("testdata/convnet_legacy.pt2")
	if err != nil {
		t.Fatal(err)
	}
	var files [][2]string
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		name := strings.Replace(f.Name, "serialized_state_dict.pt", "serialized_state_dict.json", 1)
		files = append(files, [2]string{name, b.String()})
	}
	zr.Close()
	m := mustOpen(t, zipOf(t, files, false))
	w := m.Graphs[0].Initializers[0].Initializer
	if w.Name != "conv.weight" || w.Loader == nil || w.Warning != "" {
		t.Errorf("weights not found: %+v", w)
	}
	// The same torch.save bytes as an early PT2 archive's data/weights/model.pt.
	var program, sd string
	for _, f := range files {
		switch f[0] {
		case "serialized_exported_program.json":
			program = f[1]
		case "serialized_state_dict.json":
			sd = f[1]
		}
	}
	m = mustOpen(t, zipOf(t, [][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", program}, {"m/data/weights/model.pt", sd}}, false))
	if w := m.Graphs[0].Initializers[3].Initializer; w.Name != "fc.bias" || w.Loader == nil || len(m.Warnings) != 0 {
		t.Errorf("data/weights/model.pt: %+v %v", w, m.Warnings)
	}
}

// Archives written before the top folder was added keep everything at the
// zip's root.
func TestRootlessArchive(t *testing.T) {
	files := [][2]string{{"data/weights/weight_0", "\x00\x00\x80\x3f\x00\x00\x00\x40"},
		{"data/weights/model_weights_config.json", weightsConfig("weight_0", `[{"as_int":2}]`)},
		{"models/model.json", miniGraph}, {"archive_format", "pt2"}}
	p := zipOf(t, files, false)
	b, _ := os.ReadFile(p)
	if !Probe(b) {
		t.Error("rootless archive not probed")
	}
	m := mustOpen(t, p)
	if w := m.Graphs[0].Initializers[0].Initializer; w.Loader == nil || w.Length != 8 {
		t.Errorf("rootless weights: %+v", w)
	}
}

// A stored member whose uncompressed size lies must not size a buffer.
func TestLyingStoredSize(t *testing.T) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range [][2]string{{"m/archive_format", "pt2"}, {"m/models/model.json", "{}"}} {
		h := &zip.FileHeader{Name: f[0], Method: zip.Store, CompressedSize64: uint64(len(f[1])), UncompressedSize64: uint64(len(f[1]))}
		if f[0] == "m/models/model.json" {
			h.UncompressedSize64 = 200 << 20
		}
		fw, err := w.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(f[1]))
	}
	w.Close()
	p := filepath.Join(t.TempDir(), "lie.pt2")
	os.WriteFile(p, buf.Bytes(), 0o644)
	if _, err := Open(p); err == nil {
		t.Error("lying member size accepted")
	}
}

func TestNegativeSizes(t *testing.T) {
	neg := strings.Replace(miniGraph, `"sizes":[{"as_int":2}]`, `"sizes":[{"as_int":-2}]`, 1)
	m := mustOpen(t, zipOf(t, [][2]string{{"serialized_exported_program.json", neg}}, false))
	w := m.Graphs[0].Initializers[0]
	if w.Initializer.Dims != nil || w.Type.Shape[0].Known || !strings.Contains(w.Initializer.Warning, "shape ? is not fully known") {
		t.Errorf("negative size: dims %v shape %v warning %q", w.Initializer.Dims, w.Type.Shape, w.Initializer.Warning)
	}
}
