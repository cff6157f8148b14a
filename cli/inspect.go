package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/model"
)

// inputFlags collects repeated --input NAME=SHAPE flags.
type inputFlags []string

func (f *inputFlags) String() string     { return strings.Join(*f, " ") }
func (f *inputFlags) Set(s string) error { *f = append(*f, s); return nil }

func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("inspect", "inspect [--json] [--input NAME=1x3x224x224]... FILE", stderr)
	asJSON := fs.Bool("json", false, "print JSON (documented in docs/json.md) instead of text")
	var inputs inputFlags
	fs.Var(&inputs, "input", "set a graph input's shape, e.g. x=1x3x224x224 (repeatable)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "modelviz inspect: want exactly one FILE; run 'modelviz inspect --help'")
		return ExitUsage
	}
	shapes, err := analysis.ParseInputs(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz inspect: %v\n", err)
		return ExitUsage
	}
	m, info, code := openAnalyzed("inspect", pos[0], shapes, stderr)
	if code >= 0 {
		return code
	}
	bw := bufio.NewWriter(stdout)
	if *asJSON {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		err = enc.Encode(inspectJSON(m, info))
	} else {
		writeInspectText(bw, m, info)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "modelviz inspect: %v\n", err)
		return ExitBad
	}
	return ExitOK
}

// The JSON shapes below are documented in docs/json.md; fields are only
// ever added.
type jModel struct {
	Format       string           `json:"format"`
	Kind         string           `json:"kind,omitempty"`
	Producer     string           `json:"producer"`
	IRVersion    int64            `json:"ir_version,omitempty"`
	Domain       string           `json:"domain,omitempty"`
	ModelVersion int64            `json:"model_version,omitempty"`
	DocString    string           `json:"doc_string,omitempty"`
	Opsets       map[string]int64 `json:"opsets"`
	Params       int64            `json:"params"`
	// Nodes of the main graph, and with every subgraph (If/Loop/Scan
	// bodies) counted recursively; function bodies are not included.
	NodeCount      int               `json:"node_count"`
	NodeCountTotal int               `json:"node_count_total"`
	Metadata       map[string]string `json:"metadata"`
	Warnings       []string          `json:"warnings"`
	Totals         analysis.Cost     `json:"totals"`
	Graphs         []*jGraph         `json:"graphs"`
	Functions      []*jFunction      `json:"functions"`
	Modules        *jModule          `json:"modules,omitempty"`
	// Tensors lists every stored tensor once, by its dotted name: the main
	// graph's initializers, then module-tree tensors not among them.
	Tensors []*jTensor `json:"tensors"`
}

type jGraph struct {
	Attribute    string     `json:"attribute,omitempty"` // subgraphs only
	Name         string     `json:"name"`
	DocString    string     `json:"doc_string,omitempty"`
	Inputs       []*jValue  `json:"inputs"`
	Outputs      []*jValue  `json:"outputs"`
	Initializers []*jTensor `json:"initializers"`
	// Sparse initializers are listed apart, as ONNX stores them.
	SparseInitializers []*jTensor `json:"sparse_initializers,omitempty"`
	Nodes              []*jNode   `json:"nodes"`
	Values             []*jValue  `json:"values"`
}

type jValue struct {
	Name string `json:"name"`
	jType
	Outer   bool `json:"outer,omitempty"`
	Missing bool `json:"missing,omitempty"`
}

type jType struct {
	Kind       string `json:"kind,omitempty"` // omitted for tensors
	DType      string `json:"dtype"`          // tensor element type or map key type
	Shape      []any  `json:"shape"`
	Elem       *jType `json:"elem,omitempty"`
	Denotation string `json:"denotation,omitempty"`
}

type jTensor struct {
	Name     string `json:"name"`
	DType    string `json:"dtype"`
	Shape    []any  `json:"shape"`
	Quant    string `json:"quant,omitempty"`
	Location string `json:"location,omitempty"`
	External string `json:"external,omitempty"`
	Bytes    int64  `json:"bytes"`
	Sparse   bool   `json:"sparse,omitempty"`
	Warning  string `json:"warning,omitempty"`
}

type jNode struct {
	Name       string         `json:"name"`
	Op         string         `json:"op"`
	Domain     string         `json:"domain"`
	Overload   string         `json:"overload,omitempty"`
	Inputs     []string       `json:"inputs"`
	Outputs    []string       `json:"outputs"`
	Attributes map[string]any `json:"attributes"`
	Group      []string       `json:"group"`
	Function   string         `json:"function,omitempty"`
	Params     int64          `json:"params"`
	MACs       int64          `json:"macs"`
	Subgraphs  []*jGraph      `json:"subgraphs,omitempty"`
	Cycle      bool           `json:"cycle,omitempty"`
}

type jFunction struct {
	Name       string           `json:"name"`
	Domain     string           `json:"domain"`
	Overload   string           `json:"overload,omitempty"`
	Inputs     []string         `json:"inputs"`
	Outputs    []string         `json:"outputs"`
	Attributes []string         `json:"attributes"`
	Opsets     map[string]int64 `json:"opsets"`
	Nodes      []*jNode         `json:"nodes"`
}

type jModule struct {
	Name     string     `json:"name"`
	Path     string     `json:"path"`
	Type     string     `json:"type,omitempty"`
	Tensors  []string   `json:"tensors,omitempty"`
	Children []*jModule `json:"children,omitempty"`
}

func inspectJSON(m *model.Model, info *analysis.Info) *jModel {
	out := &jModel{
		Format: m.Format, Kind: m.Kind, Producer: producer(m), IRVersion: m.IRVersion,
		Domain: m.Domain, ModelVersion: m.ModelVersion, DocString: m.DocString,
		Opsets: opsetMap(m.Opsets), Params: modelParams(m), Metadata: map[string]string{},
		Warnings: nonNilStrings(m.Warnings), Totals: info.Total(),
		Graphs: []*jGraph{}, Functions: []*jFunction{},
	}
	for _, kv := range m.Metadata {
		out.Metadata[kv.Key] = kv.Value
	}
	cyc := cycleNodes(m)
	for _, g := range m.Graphs {
		out.Graphs = append(out.Graphs, graphJSON(g, "", info, cyc))
	}
	if len(m.Graphs) > 0 {
		out.NodeCount = len(m.Graphs[0].Nodes)
		out.NodeCountTotal = countNodes(m.Graphs[0])
	}
	for _, f := range m.Functions {
		jf := &jFunction{Name: f.Name, Domain: f.Domain, Overload: f.Overload,
			Inputs: nonNilStrings(f.Inputs), Outputs: nonNilStrings(f.Outputs),
			Attributes: nonNilStrings(f.AttrNames), Opsets: opsetMap(f.Opsets), Nodes: []*jNode{}}
		if f.Body != nil {
			jf.Nodes = graphJSON(f.Body, "", info, cyc).Nodes
		}
		out.Functions = append(out.Functions, jf)
	}
	if m.Modules != nil {
		out.Modules = moduleJSON(m.Modules)
	}
	out.Tensors = allTensors(m)
	return out
}

func allTensors(m *model.Model) []*jTensor {
	out := []*jTensor{}
	seen := map[string]bool{}
	add := func(v *model.Value) {
		if v == nil || v.Initializer == nil || seen[v.Name] {
			return
		}
		seen[v.Name] = true
		t := tensorJSON(v.Initializer)
		t.Name = v.Name
		out = append(out, t)
	}
	if len(m.Graphs) > 0 {
		for _, v := range m.Graphs[0].Initializers {
			add(v)
		}
	}
	// Readers cap module trees at 64 levels; the walk is iterative anyway.
	stack := []*model.Module{}
	if m.Modules != nil {
		stack = append(stack, m.Modules)
	}
	for len(stack) > 0 {
		mod := stack[0]
		stack = stack[1:]
		for _, v := range mod.Tensors {
			add(v)
		}
		stack = append(stack, mod.Children...)
	}
	return out
}

func countNodes(g *model.Graph) int {
	n := len(g.Nodes)
	for _, node := range g.Nodes {
		for _, s := range node.Subgraphs() {
			n += countNodes(s.Graph)
		}
	}
	return n
}

func producer(m *model.Model) string {
	return strings.TrimSpace(m.Producer + " " + m.ProducerVersion)
}

func opsetMap(ops []model.Opset) map[string]int64 {
	out := map[string]int64{}
	for _, o := range ops {
		out[o.Domain] = o.Version
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// modelParams counts the elements of the main graph's dense initializers
// (what the onnx library's graph.initializer holds; sparse ones are not
// counted), or of the module tree's tensors for formats without a graph.
func modelParams(m *model.Model) int64 {
	var n int64
	seen := map[*model.Tensor]bool{}
	add := func(t *model.Tensor) {
		if t != nil && !seen[t] {
			seen[t] = true
			if e := t.NumElements(); e > 0 {
				n += e
			}
		}
	}
	if len(m.Graphs) > 0 {
		for _, v := range m.Graphs[0].Initializers {
			if !v.Initializer.Sparse {
				add(v.Initializer)
			}
		}
		return n
	}
	var walk func(*model.Module)
	walk = func(mod *model.Module) {
		for _, v := range mod.Tensors {
			add(v.Initializer)
		}
		for _, c := range mod.Children {
			walk(c)
		}
	}
	if m.Modules != nil {
		walk(m.Modules)
	}
	return n
}

func graphJSON(g *model.Graph, attr string, info *analysis.Info, cyc map[*model.Node]bool) *jGraph {
	jg := &jGraph{Attribute: attr, Name: g.Name, DocString: g.DocString,
		Inputs: []*jValue{}, Outputs: []*jValue{}, Initializers: []*jTensor{},
		Nodes: []*jNode{}, Values: []*jValue{}}
	// Inputs and outputs say what the file records; values carry the
	// analysis (--input overrides and inferred shapes).
	for _, v := range g.Inputs {
		jg.Inputs = append(jg.Inputs, valueJSON(v, nil))
	}
	for _, v := range g.Outputs {
		jg.Outputs = append(jg.Outputs, valueJSON(v, nil))
	}
	for _, v := range g.Initializers {
		if v.Initializer.Sparse {
			jg.SparseInitializers = append(jg.SparseInitializers, tensorJSON(v.Initializer))
			continue
		}
		jg.Initializers = append(jg.Initializers, tensorJSON(v.Initializer))
	}
	for _, v := range g.Values {
		jg.Values = append(jg.Values, valueJSON(v, info))
	}
	for _, n := range g.Nodes {
		jg.Nodes = append(jg.Nodes, nodeJSON(n, info, cyc))
	}
	return jg
}

func valueJSON(v *model.Value, info *analysis.Info) *jValue {
	return &jValue{Name: v.Name, jType: typeJSON(info.Type(v)), Outer: v.Outer != nil, Missing: v.Missing}
}

func typeJSON(t *model.Type) jType {
	if t == nil {
		return jType{DType: model.Undefined.String()}
	}
	j := jType{DType: t.DType.String(), Shape: shapeJSON(t.Shape), Denotation: t.Denotation}
	if t.Kind != model.TensorType {
		j.Kind = t.Kind.String()
	}
	switch t.Kind {
	case model.SequenceType, model.OptionalType, model.MapType:
		if t.Elem != nil {
			e := typeJSON(t.Elem)
			j.Elem = &e
		}
		if t.Kind != model.MapType {
			j.DType = ""
		}
	case model.OpaqueType:
		j.DType = ""
	}
	return j
}

func shapeJSON(s model.Shape) []any {
	if s == nil {
		return nil
	}
	out := make([]any, len(s))
	for i, d := range s {
		switch {
		case d.Known:
			out[i] = d.Value
		case d.Param != "":
			out[i] = d.Param
		}
	}
	return out
}

func dimsJSON(dims []int64) []any {
	out := make([]any, len(dims))
	for i, d := range dims {
		out[i] = d
	}
	return out
}

func tensorJSON(t *model.Tensor) *jTensor {
	return &jTensor{Name: t.Name, DType: t.DType.String(), Shape: dimsJSON(t.Dims), Quant: t.Quant,
		Location: t.Location, External: t.ExternalLocation, Bytes: max(t.Length, 0),
		Sparse: t.Sparse, Warning: t.Warning}
}

func valueNames(vs []*model.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		if v != nil {
			out[i] = v.Name
		}
	}
	return out
}

func nodeJSON(n *model.Node, info *analysis.Info, cyc map[*model.Node]bool) *jNode {
	c := info.Cost(n)
	jn := &jNode{Name: n.Name, Op: n.Op, Domain: n.Domain, Overload: n.Overload,
		Inputs: valueNames(n.Inputs), Outputs: valueNames(n.Outputs),
		Attributes: map[string]any{}, Group: nonNilStrings(n.Group),
		Params: c.Params, MACs: c.MACs, Cycle: cyc[n]}
	if n.Function != nil {
		jn.Function = n.Function.Name
	}
	for i := range n.Attrs {
		a := &n.Attrs[i]
		jn.Attributes[a.Name] = attrJSON(a)
	}
	for _, s := range n.Subgraphs() {
		jn.Subgraphs = append(jn.Subgraphs, graphJSON(s.Graph, s.Attribute, info, cyc))
	}
	return jn
}

// jsonFloat keeps float32 attributes short (1, 0.1) and turns values JSON
// cannot hold into strings.
func jsonFloat(f float32) any {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return json.Number(strconv.FormatFloat(x, 'g', -1, 32))
}

func attrJSON(a *model.Attr) any {
	if a.RefAttrName != "" {
		return map[string]string{"ref": a.RefAttrName}
	}
	tensor := func(t *model.Tensor) any {
		if t == nil {
			return nil
		}
		return map[string]any{"dtype": t.DType.String(), "shape": dimsJSON(t.Dims)}
	}
	switch a.Kind {
	case model.AttrFloat:
		return jsonFloat(a.Float)
	case model.AttrInt:
		return a.Int
	case model.AttrString:
		return a.String
	case model.AttrTensor, model.AttrSparseTensor:
		return tensor(a.Tensor)
	case model.AttrGraph:
		if a.Graph == nil {
			return nil
		}
		return map[string]string{"graph": a.Graph.Name}
	case model.AttrType:
		t := typeJSON(a.Type)
		return &t
	case model.AttrFloats:
		out := make([]any, len(a.Floats))
		for i, f := range a.Floats {
			out[i] = jsonFloat(f)
		}
		return out
	case model.AttrInts:
		return append([]int64{}, a.Ints...)
	case model.AttrStrings:
		return nonNilStrings(a.Strings)
	case model.AttrTensors, model.AttrSparseTensors:
		out := make([]any, len(a.Tensors))
		for i, t := range a.Tensors {
			out[i] = tensor(t)
		}
		return out
	case model.AttrGraphs:
		out := make([]any, len(a.Graphs))
		for i, g := range a.Graphs {
			out[i] = map[string]string{"graph": g.Name}
		}
		return out
	case model.AttrTypes:
		out := make([]any, len(a.Types))
		for i, t := range a.Types {
			j := typeJSON(t)
			out[i] = &j
		}
		return out
	}
	return nil
}

func moduleJSON(m *model.Module) *jModule {
	j := &jModule{Name: m.Name, Path: m.Path, Type: m.Type}
	for _, v := range m.Tensors {
		j.Tensors = append(j.Tensors, v.Name)
	}
	for _, c := range m.Children {
		j.Children = append(j.Children, moduleJSON(c))
	}
	return j
}

// Text output.

func writeInspectText(w io.Writer, m *model.Model, info *analysis.Info) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	head := m.Format
	if m.Kind != "" {
		head += " (" + m.Kind + ")"
	}
	p("format:    %s\n", head)
	if s := producer(m); s != "" {
		p("producer:  %s\n", s)
	}
	if m.IRVersion != 0 {
		p("ir:        %d\n", m.IRVersion)
	}
	if len(m.Opsets) > 0 {
		var parts []string
		for _, o := range m.Opsets {
			d := o.Domain
			if d == "" {
				d = "ai.onnx"
			}
			parts = append(parts, fmt.Sprintf("%s %d", d, o.Version))
		}
		p("opsets:    %s\n", strings.Join(parts, ", "))
	}
	if m.Domain != "" {
		p("domain:    %s\n", m.Domain)
	}
	if m.ModelVersion != 0 {
		p("version:   %d\n", m.ModelVersion)
	}
	if m.DocString != "" {
		p("doc:       %s\n", oneLineText(m.DocString))
	}
	p("params:    %s\n", digits(modelParams(m)))
	if t := info.Total(); t.MACs > 0 {
		p("macs:      %s\n", digits(t.MACs))
	}
	for _, kv := range m.Metadata {
		p("metadata:  %s = %s\n", oneLineText(kv.Key), oneLineText(kv.Value))
	}
	for _, s := range m.Warnings {
		p("warning:   %s\n", s)
	}
	for i, g := range m.Graphs {
		label := "graph"
		if i > 0 {
			label = fmt.Sprintf("graph %d", i)
		}
		p("\n%s %q\n", label, g.Name)
		writeGraphText(w, g, info, "  ")
	}
	for _, f := range m.Functions {
		p("\nfunction %s", f.Name)
		if f.Domain != "" {
			p(" (domain %s)", f.Domain)
		}
		p("(%s) -> (%s)", strings.Join(f.Inputs, ", "), strings.Join(f.Outputs, ", "))
		if len(f.AttrNames) > 0 {
			p(" attributes %s", strings.Join(f.AttrNames, ", "))
		}
		p("\n")
		if f.Body != nil {
			writeNodesText(w, f.Body, info, "  ")
		}
	}
	if m.Modules != nil {
		p("\nmodules\n")
		writeModuleText(w, m.Modules, "  ")
	}
}

func writeGraphText(w io.Writer, g *model.Graph, info *analysis.Info, ind string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	section := func(name string, vs []*model.Value) {
		if len(vs) == 0 {
			return
		}
		p("%s%s (%d):\n", ind, name, len(vs))
		for _, v := range vs {
			p("%s  %s  %s", ind, v.Name, typeText(v.Type))
			if v.Outer != nil {
				p("  (outer)")
			}
			p("\n")
		}
	}
	section("inputs", g.Inputs)
	section("outputs", g.Outputs)
	if len(g.Initializers) > 0 {
		p("%sinitializers (%d):\n", ind, len(g.Initializers))
		for _, v := range g.Initializers {
			t := v.Initializer
			p("%s  %s  %s %s", ind, t.Name, t.DType, dimsText(t.Dims))
			if t.Sparse {
				p("  sparse")
			}
			if t.Location == "external" {
				p("  external %s@%d", t.ExternalLocation, t.Offset)
			}
			if t.Warning != "" {
				p("  warning: %s", t.Warning)
			}
			p("\n")
		}
	}
	writeNodesText(w, g, info, ind)
}

func writeNodesText(w io.Writer, g *model.Graph, info *analysis.Info, ind string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	if len(g.Nodes) == 0 {
		return
	}
	p("%snodes (%d):\n", ind, len(g.Nodes))
	for _, n := range g.Nodes {
		op := n.Op
		if n.Domain != "" {
			op = n.Domain + "::" + op
		}
		p("%s  %d %s %s(%s) -> ", ind, n.ID, nodeLabel(n), op, strings.Join(valueNames(n.Inputs), ", "))
		var outs []string
		for _, v := range n.Outputs {
			if v == nil {
				outs = append(outs, "")
				continue
			}
			outs = append(outs, v.Name+" "+typeText(info.Type(v)))
		}
		p("%s", strings.Join(outs, ", "))
		if n.Function != nil {
			p("  [calls function %s]", n.Function.Name)
		}
		if c := info.Cost(n); c.Params > 0 || c.MACs > 0 || info.UnknownMACs(n) {
			macs := digits(c.MACs)
			if info.UnknownMACs(n) {
				macs = "?" // shapes unknown
				if c.MACs > 0 {
					macs = digits(c.MACs) + "+?"
				}
			}
			p("  [params %s, macs %s]", digits(c.Params), macs)
		}
		p("\n")
		for i := range n.Attrs {
			a := &n.Attrs[i]
			if a.Kind == model.AttrGraph || a.Kind == model.AttrGraphs {
				continue
			}
			p("%s      %s = %s\n", ind, a.Name, attrText(a))
		}
		for _, s := range n.Subgraphs() {
			p("%s      %s: graph %q\n", ind, s.Attribute, s.Graph.Name)
			writeGraphText(w, s.Graph, info, ind+"        ")
		}
	}
}

func nodeLabel(n *model.Node) string {
	if n.Name == "" {
		return "(unnamed)"
	}
	return n.Name
}

func typeText(t *model.Type) string {
	if t == nil {
		return "?"
	}
	switch t.Kind {
	case model.TensorType:
		// An unknown dtype and shape print as "?" like a missing type.
		if t.DType == model.Undefined {
			if t.Shape == nil {
				return "?"
			}
			return "? " + t.Shape.String()
		}
		return t.DType.String() + " " + t.Shape.String()
	case model.SparseTensorType:
		return "sparse " + t.DType.String() + " " + t.Shape.String()
	case model.SequenceType, model.OptionalType:
		return t.Kind.String() + "<" + typeText(t.Elem) + ">"
	case model.MapType:
		return "map<" + t.DType.String() + ", " + typeText(t.Elem) + ">"
	}
	return t.Kind.String()
}

func dimsText(dims []int64) string {
	if len(dims) == 0 {
		return "()"
	}
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.FormatInt(d, 10)
	}
	return strings.Join(parts, "×")
}

func attrText(a *model.Attr) string {
	if a.RefAttrName != "" {
		return "@" + a.RefAttrName
	}
	b, err := json.Marshal(attrJSON(a))
	if err != nil {
		return "?"
	}
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func oneLineText(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

func writeModuleText(w io.Writer, m *model.Module, ind string) {
	name := m.Name
	if name == "" {
		name = "(root)"
	}
	fmt.Fprintf(w, "%s%s", ind, name)
	if m.Type != "" {
		fmt.Fprintf(w, "  %s", m.Type)
	}
	fmt.Fprintln(w)
	for _, v := range m.Tensors {
		t := v.Initializer
		if t == nil {
			fmt.Fprintf(w, "%s  . %s\n", ind, v.Name)
			continue
		}
		fmt.Fprintf(w, "%s  . %s  %s %s\n", ind, v.Name, t.DType, dimsText(t.Dims))
	}
	for _, c := range m.Children {
		writeModuleText(w, c, ind+"  ")
	}
}

// digits writes n with thousands separators: 1,234,567.
func digits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// cycleNodes returns the nodes that lie on a cycle, in every graph of m
// (main graphs, their subgraphs and function bodies): the members of a
// strongly connected component with more than one node, and nodes that read
// their own output. Edges run from a value's producer to the node reading
// it within one graph. Tarjan's algorithm, iterative so deep graphs cannot
// overflow the stack.
func cycleNodes(m *model.Model) map[*model.Node]bool {
	out := map[*model.Node]bool{}
	var graphs []*model.Graph
	for _, g := range m.Graphs {
		graphs = append(graphs, g)
	}
	for _, f := range m.Functions {
		graphs = append(graphs, f.Body)
	}
	for len(graphs) > 0 {
		g := graphs[len(graphs)-1]
		graphs = graphs[:len(graphs)-1]
		if g == nil {
			continue
		}
		for _, n := range g.Nodes {
			for _, s := range n.Subgraphs() {
				graphs = append(graphs, s.Graph)
			}
		}
		markCycles(g, out)
	}
	return out
}

func markCycles(g *model.Graph, out map[*model.Node]bool) {
	idx := make(map[*model.Node]int, len(g.Nodes))
	for i, n := range g.Nodes {
		if n != nil {
			idx[n] = i
		}
	}
	// preds[i]: the nodes of g producing an input of node i.
	preds := make([][]int, len(g.Nodes))
	for i, n := range g.Nodes {
		if n == nil {
			continue
		}
		for _, v := range n.Inputs {
			if v == nil || v.Producer == nil {
				continue
			}
			if j, ok := idx[v.Producer]; ok {
				if j == i {
					out[n] = true // reads its own output
				}
				preds[i] = append(preds[i], j)
			}
		}
	}
	const unvisited = -1
	index := make([]int, len(g.Nodes))
	low := make([]int, len(g.Nodes))
	onStack := make([]bool, len(g.Nodes))
	for i := range index {
		index[i] = unvisited
	}
	var stack []int
	type frame struct{ v, edge int }
	next := 0
	for root := range g.Nodes {
		if index[root] != unvisited {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.edge < len(preds[f.v]) {
				w := preds[f.v][f.edge]
				f.edge++
				if index[w] == unvisited {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			// v is the root of a component: pop it.
			k := len(stack) - 1
			for stack[k] != v {
				k--
			}
			if len(stack)-k > 1 {
				for _, w := range stack[k:] {
					out[g.Nodes[w]] = true
				}
			}
			for _, w := range stack[k:] {
				onStack[w] = false
			}
			stack = stack[:k]
		}
	}
}
