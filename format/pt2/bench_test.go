package pt2

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// bigArchive writes a PT2 archive whose program has layers × 3 nodes
// (linear, relu, add) with nn_module_stack and stack traces, as torch.export
// writes them, and a weights config for its 2 × layers parameters (one
// shared 4-byte payload, so the file stays small).
func bigArchive(b *testing.B, layers int) string {
	b.Helper()
	tm := func(sizes ...int) map[string]any {
		var s, st []map[string]int
		stride := 1
		for i := len(sizes) - 1; i >= 0; i-- {
			st = append([]map[string]int{{"as_int": stride}}, st...)
			stride *= sizes[i]
		}
		for _, d := range sizes {
			s = append(s, map[string]int{"as_int": d})
		}
		return map[string]any{"dtype": 7, "sizes": s, "requires_grad": false, "device": map[string]string{"type": "cpu"},
			"strides": st, "storage_offset": map[string]int{"as_int": 0}, "layout": 7}
	}
	T := func(n string) map[string]any { return map[string]any{"as_tensor": map[string]string{"name": n}} }
	values := map[string]any{"x": tm(8, 1)}
	var inputs, specs, nodes []any
	config := map[string]any{}
	prev := "x"
	for i := 0; i < layers; i++ {
		w, bias := fmt.Sprintf("p_layers_%d_weight", i), fmt.Sprintf("p_layers_%d_bias", i)
		for _, p := range []string{w, bias} {
			values[p] = tm(1)
			fqn := fmt.Sprintf("layers.%d.%s", i, p[len(p)-4:])
			inputs = append(inputs, T(p))
			specs = append(specs, map[string]any{"parameter": map[string]any{"arg": map[string]string{"name": p}, "parameter_name": fqn}})
			config[fqn] = map[string]any{"path_name": "weight_0", "is_param": true, "use_pickle": false, "tensor_meta": tm(1)}
		}
		stack := fmt.Sprintf("L__self__,,M;L__self___layers_%d,layers.%d,torch.nn.modules.linear.Linear", i, i)
		trace := fmt.Sprintf("File \"model.py\", line %d, in forward\n    x = self.layers[%d](x)", 10+i, i)
		for j, op := range []string{"linear", "relu", "add"} {
			out := fmt.Sprintf("%s_%d", op, i)
			args := []any{map[string]any{"name": "input", "arg": T(prev), "kind": 1}}
			if j == 0 {
				args = append(args, map[string]any{"name": "weight", "arg": T(w), "kind": 1}, map[string]any{"name": "bias", "arg": T(bias), "kind": 1})
			}
			nodes = append(nodes, map[string]any{"target": "torch.ops.aten." + op + ".default", "inputs": args,
				"outputs": []any{T(out)}, "metadata": map[string]string{"nn_module_stack": stack, "stack_trace": trace}})
			values[out] = tm(8, 1)
			prev = out
		}
	}
	inputs = append(inputs, T("x"))
	specs = append(specs, map[string]any{"user_input": map[string]any{"arg": T("x")}})
	ep := map[string]any{"graph_module": map[string]any{"graph": map[string]any{"inputs": inputs, "outputs": []any{T(prev)},
		"nodes": nodes, "tensor_values": values}, "signature": map[string]any{"input_specs": specs,
		"output_specs": []any{map[string]any{"user_output": map[string]any{"arg": T(prev)}}}}},
		"opset_version": map[string]int{"aten": 10}, "schema_version": map[string]int{"major": 8, "minor": 17}}
	program, _ := json.Marshal(ep)
	cfg, _ := json.Marshal(map[string]any{"config": config})
	path := filepath.Join(b.TempDir(), "big.pt2")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	z := zip.NewWriter(f)
	for _, e := range [][2]string{{"big/data/weights/weight_0", "\x00\x00\x00\x00"},
		{"big/data/weights/model_weights_config.json", string(cfg)}, {"big/models/model.json", string(program)},
		{"big/archive_format", "pt2"}} {
		w, _ := z.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Store})
		w.Write([]byte(e[1]))
	}
	z.Close()
	f.Close()
	b.SetBytes(int64(len(program)))
	return path
}

func BenchmarkOpen3000Nodes(b *testing.B) {
	path := bigArchive(b, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := Open(path)
		if err != nil || len(m.Graphs[0].Nodes) != 3000 || len(m.Graphs[0].Initializers) != 2000 || len(m.Warnings) != 0 {
			b.Fatal(err, m.Warnings)
		}
	}
}

// BenchmarkJSONBaseline decodes the same program into generic Go values:
// what any JSON-based reader pays before building a graph.
func BenchmarkJSONBaseline(b *testing.B) {
	path := bigArchive(b, 1000)
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	var data []byte
	for _, f := range zr.File {
		if f.Name == "big/models/model.json" {
			rc, _ := f.Open()
			data = make([]byte, f.UncompressedSize64)
			rc.Read(data)
			rc.Close()
		}
	}
	zr.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
