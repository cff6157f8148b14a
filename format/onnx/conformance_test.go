package onnx

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// oracle is the part of <file>.oracle.json (made by the python onnx
// library) that the reader must reproduce.
type oracle struct {
	IRVersion   int64 `json:"ir_version"`
	OpsetImport []struct {
		Domain  string `json:"domain"`
		Version int64  `json:"version"`
	} `json:"opset_import"`
	ProducerName    string            `json:"producer_name"`
	ProducerVersion string            `json:"producer_version"`
	Domain          string            `json:"domain"`
	ModelVersion    int64             `json:"model_version"`
	DocString       string            `json:"doc_string"`
	MetadataProps   map[string]string `json:"metadata_props"`
	GraphName       string            `json:"graph_name"`
	Inputs          []oracleValue     `json:"inputs"`
	Outputs         []oracleValue     `json:"outputs"`
	InputsExcl      []string          `json:"inputs_excluding_initializers"`
	NodeCount       int               `json:"node_count"`
	NodeCountTotal  int               `json:"node_count_total"`
	MaxDepth        int               `json:"max_subgraph_depth"`
	Nodes           []oracleNode      `json:"nodes"`
	Initializers    []struct {
		Name         string            `json:"name"`
		DataType     string            `json:"data_type"`
		Dims         []int64           `json:"dims"`
		Numel        int64             `json:"numel"`
		DataLocation string            `json:"data_location"`
		External     map[string]string `json:"external_data"`
	} `json:"initializers"`
	TotalParams      int64             `json:"total_params"`
	InitElemsAll     int64             `json:"initializer_elements_including_subgraphs"`
	ValueInfoCount   int               `json:"value_info_count"`
	SparseCount      int               `json:"sparse_initializer_count"`
	Functions        []json.RawMessage `json:"functions"`
	ExternalLocs     []string          `json:"external_data_locations"`
	UsesExternal     bool              `json:"uses_external_data"`
	ConstantElems    int64             `json:"constant_node_elements"`
	OpHistogramTotal map[string]int    `json:"op_type_histogram_total"`
}

type oracleValue struct {
	Name     string `json:"name"`
	ElemType string `json:"elem_type"`
	Shape    []any  `json:"shape"`
	TypeKind string `json:"type_kind"`
}

type oracleNode struct {
	Name      string   `json:"name"`
	OpType    string   `json:"op_type"`
	Domain    string   `json:"domain"`
	Inputs    []string `json:"inputs"`
	Outputs   []string `json:"outputs"`
	Attrs     []string `json:"attributes"`
	AttrTypes []string `json:"attribute_types"`
	Subgraphs []struct {
		Attribute    string        `json:"attribute"`
		Name         string        `json:"name"`
		Inputs       []oracleValue `json:"inputs"`
		Outputs      []oracleValue `json:"outputs"`
		NodeCount    int           `json:"node_count"`
		Nodes        []oracleNode  `json:"nodes"`
		ValueInfo    int           `json:"value_info_count"`
		Initializers []struct {
			Name string `json:"name"`
		} `json:"initializers"`
	} `json:"subgraphs"`
}

// onnxTypeName maps oracle elem_type names ("FLOAT") to our dtypes.
func onnxTypeName(s string) model.DType {
	m := map[string]model.DType{
		"UNDEFINED": model.Undefined, "FLOAT": model.Float32, "UINT8": model.Uint8, "INT8": model.Int8,
		"UINT16": model.Uint16, "INT16": model.Int16, "INT32": model.Int32, "INT64": model.Int64,
		"STRING": model.String, "BOOL": model.Bool, "FLOAT16": model.Float16, "DOUBLE": model.Float64,
		"UINT32": model.Uint32, "UINT64": model.Uint64, "COMPLEX64": model.Complex64,
		"COMPLEX128": model.Complex128, "BFLOAT16": model.BFloat16,
		"FLOAT8E4M3FN": model.Float8E4M3FN, "FLOAT8E4M3FNUZ": model.Float8E4M3FNUZ,
		"FLOAT8E5M2": model.Float8E5M2, "FLOAT8E5M2FNUZ": model.Float8E5M2FNUZ,
		"UINT4": model.Uint4, "INT4": model.Int4, "FLOAT4E2M1": model.Float4E2M1,
	}
	d, ok := m[s]
	if !ok {
		return 255
	}
	return d
}

// corpusONNX lists every .onnx file of the corpus, sorted.
func corpusONNX(t testing.TB) []string {
	dir := testutil.CorpusDir(t)
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".onnx") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) < 150 {
		t.Fatalf("expected the corpus to hold at least 150 ONNX files, found %d", len(files))
	}
	return files
}

func TestConformance(t *testing.T) {
	for _, file := range corpusONNX(t) {
		rel := strings.TrimPrefix(file, testutil.CorpusDir(t)+string(filepath.Separator))
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(file + ".oracle.json")
			if err != nil {
				t.Fatal(err)
			}
			var o oracle
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatal(err)
			}
			m, err := Open(file)
			if err != nil {
				t.Fatal(err)
			}
			checkModel(t, m, &o)
		})
	}
}

// TestBackendFixtures runs the same checks on node-test models written by
// the onnx library itself (testdata/gen_backend.py): sequence and optional
// types through If/Loop/Scan bodies.
func TestBackendFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "backend", "*.onnx"))
	if len(files) < 12 {
		t.Fatalf("found %d fixtures", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file + ".oracle.json")
			if err != nil {
				t.Fatal(err)
			}
			var o oracle
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatal(err)
			}
			m, err := Open(file)
			if err != nil {
				t.Fatal(err)
			}
			checkModel(t, m, &o)
		})
	}
}

func checkModel(t *testing.T, m *model.Model, o *oracle) {
	t.Helper()
	eq := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	}
	eq("ir_version", m.IRVersion, o.IRVersion)
	eq("producer", m.Producer, o.ProducerName)
	eq("producer_version", m.ProducerVersion, o.ProducerVersion)
	eq("domain", m.Domain, o.Domain)
	eq("model_version", m.ModelVersion, o.ModelVersion)
	eq("doc_string", m.DocString, o.DocString)
	var opsets []string
	for _, op := range m.Opsets {
		opsets = append(opsets, fmt.Sprintf("%s:%d", op.Domain, op.Version))
	}
	var wantOpsets []string
	for _, op := range o.OpsetImport {
		wantOpsets = append(wantOpsets, fmt.Sprintf("%s:%d", op.Domain, op.Version))
	}
	eq("opsets", opsets, wantOpsets)
	meta := map[string]string{}
	for _, kv := range m.Metadata {
		meta[kv.Key] = kv.Value
	}
	eq("metadata", meta, o.MetadataProps)
	eq("functions", len(m.Functions), len(o.Functions))
	if len(m.Warnings) > 0 {
		t.Errorf("unexpected warnings: %q", m.Warnings)
	}

	g := m.Graphs[0]
	eq("graph name", g.Name, o.GraphName)
	eq("value_info_count", g.ValueInfo, o.ValueInfoCount)
	checkValues(t, "inputs", allInputs(g), o.Inputs)
	checkValues(t, "outputs", g.Outputs, o.Outputs)
	var inNames []string
	for _, v := range g.Inputs {
		inNames = append(inNames, v.Name)
	}
	if len(o.InputsExcl) == 0 {
		o.InputsExcl = nil
	}
	eq("inputs_excluding_initializers", inNames, o.InputsExcl)

	var dense, sparse int
	var params int64
	for _, v := range g.Initializers {
		if v.Initializer.Sparse {
			sparse++
			continue
		}
		params += v.Initializer.NumElements()
	}
	eq("sparse_initializer_count", sparse, o.SparseCount)
	eq("total_params", params, o.TotalParams)
	eq("initializer_count", len(g.Initializers)-sparse, len(o.Initializers))
	for i, want := range o.Initializers {
		if i >= len(g.Initializers) {
			break
		}
		tt := g.Initializers[i].Initializer
		dense++
		eq("initializer name", tt.Name, want.Name)
		eq("initializer "+want.Name+" dtype", tt.DType, onnxTypeName(want.DataType))
		eq("initializer "+want.Name+" numel", tt.NumElements(), want.Numel)
		if len(want.Dims) == 0 {
			want.Dims = nil
		}
		eq("initializer "+want.Name+" dims", tt.Dims, want.Dims)
		loc := map[string]string{"embedded": "DEFAULT", "inline": "DEFAULT", "": "DEFAULT", "external": "EXTERNAL"}[tt.Location]
		eq("initializer "+want.Name+" location", loc, want.DataLocation)
		if want.External != nil {
			eq("initializer "+want.Name+" external location", tt.ExternalLocation, want.External["location"])
		}
		if tt.NumElements() > 0 && tt.DType != model.String {
			if tt.Loader == nil || tt.Warning != "" {
				t.Errorf("initializer %s: no loader (%s)", want.Name, tt.Warning)
			} else if b, err := tt.Load(); err != nil {
				t.Errorf("initializer %s: %v", want.Name, err)
			} else if int64(len(b)) != byteSize(tt.DType, tt.NumElements()) {
				t.Errorf("initializer %s: loaded %d bytes", want.Name, len(b))
			}
		}
	}
	checkNodes(t, "", g, o.Nodes)
	eq("node_count", len(g.Nodes), o.NodeCount)
	total, depth := countNodes(g, 0)
	eq("node_count_total", total, o.NodeCountTotal)
	eq("max_subgraph_depth", depth, o.MaxDepth)
	hist := map[string]int{}
	walkNodes(g, func(n *model.Node) {
		k := n.Op
		if n.Domain != "" && n.Domain != "ai.onnx" {
			k = n.Domain + "::" + n.Op
		}
		hist[k]++
	})
	eq("op_type_histogram_total", hist, o.OpHistogramTotal)
	checkLinks(t, g)
}

// allInputs is every graph input as the file lists it, including the
// initializers old exporters list as inputs. Order: file order.
func allInputs(g *model.Graph) []*model.Value {
	// Inputs come first in Values (they are defined first).
	var out []*model.Value
	for _, v := range g.Values {
		if v.Outer != nil || v.Producer != nil || v.Missing {
			continue
		}
		if v.Initializer != nil && v.Type == nil {
			continue // initializer only
		}
		if v.Initializer != nil && !isListedInput(v) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// isListedInput: an initializer that also had a graph-input entry carries
// that entry's type; plain initializers have none.
func isListedInput(v *model.Value) bool { return v.Type != nil }

func checkValues(t *testing.T, what string, got []*model.Value, want []oracleValue) {
	t.Helper()
	if len(got) != len(want) {
		var names []string
		for _, v := range got {
			names = append(names, v.Name)
		}
		t.Errorf("%s: got %d %v, want %d", what, len(got), names, len(want))
		return
	}
	for i, w := range want {
		v := got[i]
		if v.Name != w.Name {
			t.Errorf("%s[%d]: name %q, want %q", what, i, v.Name, w.Name)
		}
		if w.TypeKind == "none" { // the file records no type
			if v.Type != nil {
				t.Errorf("%s %s: type %+v, want none", what, w.Name, v.Type)
			}
			continue
		}
		if v.Type == nil {
			t.Errorf("%s %s: no type", what, w.Name)
			continue
		}
		if w.TypeKind != "" {
			if v.Type.Kind.String() != w.TypeKind {
				t.Errorf("%s %s: kind %s, want %s", what, w.Name, v.Type.Kind, w.TypeKind)
			}
			continue
		}
		if d := onnxTypeName(w.ElemType); v.Type.DType != d {
			t.Errorf("%s %s: dtype %s, want %s", what, w.Name, v.Type.DType, w.ElemType)
		}
		if got, want := shapeJSON(v.Type.Shape), w.Shape; !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: shape %v, want %v", what, w.Name, got, want)
		}
	}
}

func shapeJSON(s model.Shape) []any {
	if s == nil {
		return nil
	}
	out := []any{}
	for _, d := range s {
		switch {
		case d.Known:
			out = append(out, float64(d.Value))
		case d.Param != "":
			out = append(out, d.Param)
		default:
			out = append(out, nil)
		}
	}
	return out
}

func names(vs []*model.Value) []string {
	out := []string{}
	for _, v := range vs {
		if v == nil {
			out = append(out, "")
		} else {
			out = append(out, v.Name)
		}
	}
	return out
}

func checkNodes(t *testing.T, where string, g *model.Graph, want []oracleNode) {
	t.Helper()
	if len(g.Nodes) != len(want) {
		t.Errorf("%snodes: got %d, want %d", where, len(g.Nodes), len(want))
		return
	}
	for i, w := range want {
		n := g.Nodes[i]
		id := fmt.Sprintf("%snode %d (%s)", where, i, w.Name)
		if n.Name != w.Name || n.Op != w.OpType || n.Domain != w.Domain {
			t.Errorf("%s: got %q %q %q, want %q %q %q", id, n.Name, n.Op, n.Domain, w.Name, w.OpType, w.Domain)
		}
		if got := names(n.Inputs); !reflect.DeepEqual(got, nonNil(w.Inputs)) {
			t.Errorf("%s inputs: got %q, want %q", id, got, w.Inputs)
		}
		if got := names(n.Outputs); !reflect.DeepEqual(got, nonNil(w.Outputs)) {
			t.Errorf("%s outputs: got %q, want %q", id, got, w.Outputs)
		}
		var an, at []string
		for _, a := range n.Attrs {
			an = append(an, a.Name)
			at = append(at, a.Kind.String())
		}
		if !reflect.DeepEqual(nonNil(an), nonNil(w.Attrs)) || !reflect.DeepEqual(nonNil(at), nonNil(w.AttrTypes)) {
			t.Errorf("%s attributes: got %q %q, want %q %q", id, an, at, w.Attrs, w.AttrTypes)
		}
		subs := n.Subgraphs()
		if len(subs) != len(w.Subgraphs) {
			t.Errorf("%s: %d subgraphs, want %d", id, len(subs), len(w.Subgraphs))
			continue
		}
		for k, ws := range w.Subgraphs {
			sg := subs[k]
			sid := fmt.Sprintf("%s/%s: ", id, ws.Attribute)
			if sg.Attribute != ws.Attribute || sg.Graph.Name != ws.Name {
				t.Errorf("%sgot %q %q, want %q %q", sid, sg.Attribute, sg.Graph.Name, ws.Attribute, ws.Name)
			}
			if sg.Graph.Parent != g || sg.Graph.Owner != n {
				t.Errorf("%sParent/Owner not set", sid)
			}
			checkValues(t, sid+"inputs", allInputs(sg.Graph), ws.Inputs)
			checkValues(t, sid+"outputs", sg.Graph.Outputs, ws.Outputs)
			if len(sg.Graph.Initializers) != len(ws.Initializers) {
				t.Errorf("%sinitializers: %d, want %d", sid, len(sg.Graph.Initializers), len(ws.Initializers))
			}
			if sg.Graph.ValueInfo != ws.ValueInfo {
				t.Errorf("%svalue_info: %d, want %d", sid, sg.Graph.ValueInfo, ws.ValueInfo)
			}
			checkNodes(t, sid, sg.Graph, ws.Nodes)
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func countNodes(g *model.Graph, depth int) (total, maxDepth int) {
	maxDepth = depth
	for _, n := range g.Nodes {
		total++
		for _, s := range n.Subgraphs() {
			c, d := countNodes(s.Graph, depth+1)
			total += c
			maxDepth = max(maxDepth, d)
		}
	}
	return total, maxDepth
}

func walkNodes(g *model.Graph, fn func(*model.Node)) {
	for _, n := range g.Nodes {
		fn(n)
		for _, s := range n.Subgraphs() {
			walkNodes(s.Graph, fn)
		}
	}
}

// checkLinks verifies the value graph invariants everyone relies on.
func checkLinks(t *testing.T, g *model.Graph) {
	t.Helper()
	for i, v := range g.Values {
		if int(v.ID) != i {
			t.Fatalf("value %s has ID %d at index %d", v.Name, v.ID, i)
		}
		if v.Producer != nil && !containsValue(v.Producer.Outputs, v) {
			t.Errorf("value %s: producer %s does not list it", v.Name, v.Producer.Name)
		}
		for _, c := range v.Consumers {
			if !containsValue(c.Inputs, v) {
				t.Errorf("value %s: consumer %s does not list it", v.Name, c.Name)
			}
		}
		if v.Outer != nil && (g.Parent == nil || !containsValue(g.Parent.Values, v.Outer)) {
			t.Errorf("value %s: Outer is not a value of the parent graph", v.Name)
		}
	}
	for i, n := range g.Nodes {
		if int(n.ID) != i {
			t.Fatalf("node %s has ID %d at index %d", n.Name, n.ID, i)
		}
		for _, v := range n.Inputs {
			if v != nil && (int(v.ID) >= len(g.Values) || g.Values[v.ID] != v) {
				t.Errorf("node %s input %s is not a value of its graph", n.Name, v.Name)
			}
		}
		for _, s := range n.Subgraphs() {
			checkLinks(t, s.Graph)
		}
	}
}

func containsValue(list []*model.Value, v *model.Value) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
