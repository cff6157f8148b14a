package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/model"
	"github.com/modelviz/modelviz/opmeta"
	"github.com/modelviz/modelviz/view"
)

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// apiError is the JSON body of every failed API call.
type apiError struct {
	Error string `json:"error"`
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(apiError{fmt.Sprintf(format, args...)})
}

// withModel resolves {id}; models that failed to open answer 422 with the
// error, so the page can show it.
func (s *Server) withModel(h func(http.ResponseWriter, *http.Request, *entry)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e := s.model(r.PathValue("id"))
		if e == nil {
			fail(w, http.StatusNotFound, "no model %q", r.PathValue("id"))
			return
		}
		if e.err != nil && !strings.HasSuffix(r.URL.Path, "/"+e.id) {
			fail(w, http.StatusUnprocessableEntity, "%v", e.err)
			return
		}
		h(w, r, e)
	}
}

type modelItem struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Format string `json:"format,omitempty"`
	Error  string `json:"error,omitempty"`
}

type modelList struct {
	Models  []modelItem `json:"models"`
	Example bool        `json:"example"` // started without a file
	Upload  int64       `json:"max_upload"`
}

func (s *Server) apiModels(w http.ResponseWriter, r *http.Request) {
	out := modelList{Models: []modelItem{}, Example: s.opt.Example, Upload: s.opt.MaxUpload}
	for _, e := range s.list() {
		it := modelItem{ID: e.id, Name: e.name}
		if e.err != nil {
			it.Error = e.err.Error()
		} else {
			it.Format = e.m.Format
		}
		out.Models = append(out.Models, it)
	}
	writeJSON(w, out)
}

type tensorInfo struct {
	DType    string  `json:"dtype"`
	Dims     []int64 `json:"dims"`
	Shape    string  `json:"shape"`
	Bytes    int64   `json:"bytes"`
	Location string  `json:"location,omitempty"`
	External string  `json:"external,omitempty"`
	Sparse   bool    `json:"sparse,omitempty"`
	Quant    string  `json:"quant,omitempty"`
	Warning  string  `json:"warning,omitempty"`
	Numeric  bool    `json:"numeric"` // stats and values are available
}

type valueInfo struct {
	Name   string      `json:"name"`
	Type   string      `json:"type"` // "float32[1×3×224×224]"
	DType  string      `json:"dtype,omitempty"`
	Shape  string      `json:"shape,omitempty"`
	Weight *tensorInfo `json:"weight,omitempty"`
	Outer  bool        `json:"outer,omitempty"`
	Slot   string      `json:"slot,omitempty"` // formal input name ("X", "W", "B")
}

type metaIO struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	DType string `json:"dtype,omitempty"`
	Shape string `json:"shape,omitempty"`
}

type metaJSON struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Error           string         `json:"error,omitempty"`
	Format          string         `json:"format,omitempty"`
	Kind            string         `json:"kind,omitempty"`
	Producer        string         `json:"producer,omitempty"`
	ProducerVersion string         `json:"producer_version,omitempty"`
	IRVersion       int64          `json:"ir_version,omitempty"`
	Domain          string         `json:"domain,omitempty"`
	ModelVersion    int64          `json:"model_version,omitempty"`
	Doc             string         `json:"doc,omitempty"`
	Opsets          []model.Opset  `json:"opsets"`
	Metadata        []model.KV     `json:"metadata"`
	Graph           string         `json:"graph,omitempty"`
	Nodes           int            `json:"nodes"`       // main graph
	NodesTotal      int            `json:"nodes_total"` // with subgraphs
	Initializers    int            `json:"initializers"`
	Functions       int            `json:"functions"`
	Totals          analysis.Cost  `json:"totals"`
	Inputs          []metaIO       `json:"inputs"`
	Outputs         []metaIO       `json:"outputs"`
	Warnings        []string       `json:"warnings"`
	Ops             map[string]int `json:"ops"` // op type histogram, all graphs
}

func typeString(t *model.Type) (full, dtype, shape string) {
	if t == nil {
		return "?", "", ""
	}
	switch t.Kind {
	case model.TensorType, model.SparseTensorType:
		// Shapes read as on the edges (4·batch, scalar).
		dtype, shape = t.DType.String(), view.ShapeLabel(t.Shape)
		full = dtype + "[" + shape + "]"
		if len(t.Shape) == 0 && t.Shape != nil {
			full = dtype + " scalar"
		}
		if t.Kind == model.SparseTensorType {
			full = "sparse " + full
		}
		return
	case model.SequenceType, model.OptionalType:
		e, _, _ := typeString(t.Elem)
		return t.Kind.String() + "<" + e + ">", "", ""
	case model.MapType:
		e, _, _ := typeString(t.Elem)
		return "map<" + t.DType.String() + "," + e + ">", "", ""
	}
	return t.Kind.String(), "", ""
}

func (s *Server) apiMeta(w http.ResponseWriter, r *http.Request, e *entry) {
	out := metaJSON{ID: e.id, Name: e.name, Opsets: []model.Opset{}, Metadata: []model.KV{},
		Inputs: []metaIO{}, Outputs: []metaIO{}, Warnings: []string{}, Ops: map[string]int{}}
	if e.err != nil {
		out.Error = e.err.Error()
		writeJSON(w, out)
		return
	}
	m := e.m
	out.Format, out.Kind, out.Producer, out.ProducerVersion = m.Format, m.Kind, m.Producer, m.ProducerVersion
	out.IRVersion, out.Domain, out.ModelVersion, out.Doc = m.IRVersion, m.Domain, m.ModelVersion, m.DocString
	out.Opsets = append(out.Opsets, m.Opsets...)
	out.Metadata = append(out.Metadata, m.Metadata...)
	out.Warnings = append(out.Warnings, m.Warnings...)
	out.Functions = len(m.Functions)
	out.Totals = e.totals()
	if len(m.Graphs) > 0 {
		g := m.Graphs[0]
		out.Graph = g.Name
		out.Nodes = len(g.Nodes)
		out.Initializers = len(g.Initializers)
		for _, v := range g.Inputs {
			out.Inputs = append(out.Inputs, e.io(v))
		}
		for _, v := range g.Outputs {
			out.Outputs = append(out.Outputs, e.io(v))
		}
	}
	e.walk(func(_ string, g *model.Graph) {
		out.NodesTotal += len(g.Nodes)
		for _, n := range g.Nodes {
			k := n.Op
			if n.Domain != "" && n.Domain != "ai.onnx" {
				k = n.Domain + "::" + n.Op
			}
			out.Ops[k]++
		}
	})
	writeJSON(w, out)
}

func (e *entry) io(v *model.Value) metaIO {
	full, dt, sh := typeString(e.info.Type(v))
	return metaIO{Name: v.Name, Type: full, DType: dt, Shape: sh}
}

func tinfo(t *model.Tensor) *tensorInfo {
	if t == nil {
		return nil
	}
	ti := &tensorInfo{DType: t.DType.String(), Dims: t.Dims, Shape: model.Fixed(t.Dims...).String(),
		Bytes: t.Length, Location: t.Location, External: t.ExternalLocation, Sparse: t.Sparse,
		Quant: t.Quant, Warning: t.Warning}
	if ti.Dims == nil {
		ti.Dims = []int64{}
	}
	if ti.Bytes < 0 {
		if bits := t.DType.Bits(); bits > 0 && t.NumElements() >= 0 {
			ti.Bytes = t.NumElements() * int64(bits) / 8
		}
	}
	_, ok := decoderFor(t.DType)
	ti.Numeric = ok && t.Loader != nil && t.Warning == "" && !t.Sparse
	return ti
}

func (e *entry) value(v *model.Value) valueInfo {
	full, dt, sh := typeString(e.info.Type(v))
	vi := valueInfo{Name: v.Name, Type: full, DType: dt, Shape: sh, Outer: v.Outer != nil}
	t := v.Initializer
	if t == nil && v.Producer != nil && v.Producer.Op == "Constant" {
		if a := v.Producer.Attr("value"); a != nil && a.Tensor != nil {
			t = a.Tensor
		}
	}
	if t != nil {
		vi.Weight = tinfo(t)
		if v.Type == nil {
			vi.DType, vi.Shape = vi.Weight.DType, vi.Weight.Shape
			vi.Type = vi.DType + "[" + vi.Shape + "]"
		}
	}
	return vi
}

type attrJSON struct {
	Name  string      `json:"name"`
	Kind  string      `json:"kind"`
	Value string      `json:"value"`
	Graph string      `json:"graph,omitempty"` // path of a subgraph attribute
	Tens  *tensorInfo `json:"tensor,omitempty"`
}

const maxListShown = 64

func fmtFloat(f float32) string {
	return strconv.FormatFloat(float64(f), 'g', -1, 32)
}

func list[T any](xs []T, f func(T) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range xs {
		if i == maxListShown {
			fmt.Fprintf(&b, ", … %d more", len(xs)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f(x))
	}
	b.WriteByte(']')
	return b.String()
}

func attrValue(a *model.Attr) string {
	if a.RefAttrName != "" {
		return "@" + a.RefAttrName
	}
	switch a.Kind {
	case model.AttrFloat:
		return fmtFloat(a.Float)
	case model.AttrInt:
		return strconv.FormatInt(a.Int, 10)
	case model.AttrString:
		s := a.String
		if len(s) > 512 {
			s = s[:512] + "…"
		}
		return strconv.Quote(s)
	case model.AttrFloats:
		return list(a.Floats, fmtFloat)
	case model.AttrInts:
		return list(a.Ints, func(i int64) string { return strconv.FormatInt(i, 10) })
	case model.AttrStrings:
		return list(a.Strings, strconv.Quote)
	case model.AttrTensor, model.AttrSparseTensor:
		if a.Tensor == nil {
			return "tensor"
		}
		return a.Tensor.DType.String() + "[" + model.Fixed(a.Tensor.Dims...).String() + "]"
	case model.AttrTensors, model.AttrSparseTensors:
		return fmt.Sprintf("%d tensors", len(a.Tensors))
	case model.AttrGraph:
		if a.Graph == nil {
			return "graph"
		}
		return fmt.Sprintf("graph %s (%d nodes)", a.Graph.Name, len(a.Graph.Nodes))
	case model.AttrGraphs:
		return fmt.Sprintf("%d graphs", len(a.Graphs))
	case model.AttrType:
		t, _, _ := typeString(a.Type)
		return t
	case model.AttrTypes:
		return list(a.Types, func(t *model.Type) string { s, _, _ := typeString(t); return s })
	}
	return ""
}

type nodeJSON struct {
	Graph     string        `json:"graph"`
	Node      int32         `json:"node"`
	Name      string        `json:"name"`
	Op        string        `json:"op"`
	Domain    string        `json:"domain,omitempty"`
	DocURL    string        `json:"doc_url,omitempty"`
	Category  string        `json:"category"`
	Group     []string      `json:"group"`
	GraphPath []string      `json:"graph_path,omitempty"` // readable subgraph path, outermost first
	Doc       string        `json:"doc,omitempty"`
	Function  string        `json:"function,omitempty"`
	Attrs     []attrJSON    `json:"attributes"`
	Inputs    []valueInfo   `json:"inputs"`
	Outputs   []valueInfo   `json:"outputs"`
	Cost      analysis.Cost `json:"cost"`
	Subgraphs []string      `json:"subgraphs"` // attribute names holding graphs
}

func intParam(r *http.Request, key string, def int) (int, error) {
	s := r.URL.Query().Get(key)
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer", key)
	}
	return v, nil
}

func (s *Server) apiNode(w http.ResponseWriter, r *http.Request, e *entry) {
	q := r.URL.Query()
	g, err := e.graph(q.Get("graph"))
	if err != nil {
		fail(w, http.StatusNotFound, "%v", err)
		return
	}
	i, err := intParam(r, "node", -1)
	if err != nil || i < 0 || i >= len(g.Nodes) {
		fail(w, http.StatusNotFound, "no node %q in graph %q", q.Get("node"), q.Get("graph"))
		return
	}
	n := g.Nodes[i]
	out := nodeJSON{Graph: q.Get("graph"), Node: int32(i), Name: n.Name, Op: n.Op, Domain: n.Domain,
		DocURL: opmeta.DocURL(n.Domain, n.Op), Category: opmeta.Category(n.Domain, n.Op), Group: n.Group, Doc: n.DocString, Attrs: []attrJSON{},
		Inputs: []valueInfo{}, Outputs: []valueInfo{}, Cost: e.info.Cost(n), Subgraphs: []string{}}
	if out.Group == nil {
		out.Group = []string{}
	}
	out.GraphPath = e.graphTitle(q.Get("graph"))
	if n.Function != nil {
		out.Function = n.Function.Name
		out.DocURL = ""
	}
	for k := range n.Attrs {
		a := &n.Attrs[k]
		aj := attrJSON{Name: a.Name, Kind: a.Kind.String(), Value: attrValue(a)}
		if a.Tensor != nil {
			aj.Tens = tinfo(a.Tensor)
		}
		out.Attrs = append(out.Attrs, aj)
	}
	for _, sg := range n.Subgraphs() {
		out.Subgraphs = append(out.Subgraphs, sg.Attribute)
	}
	for k, v := range n.Inputs {
		vi := valueInfo{Type: "(omitted)"}
		if v != nil {
			vi = e.value(v)
		}
		vi.Slot = opmeta.InputName(n.Domain, n.Op, k)
		out.Inputs = append(out.Inputs, vi)
	}
	for _, v := range n.Outputs {
		if v != nil {
			out.Outputs = append(out.Outputs, e.value(v))
		}
	}
	writeJSON(w, out)
}

type nodeRef struct {
	Graph string   `json:"graph"`
	Node  int32    `json:"node"`
	Name  string   `json:"name"`
	Op    string   `json:"op"`
	Group []string `json:"group,omitempty"`
}

type valueJSON struct {
	valueInfo
	Graph     string    `json:"graph"`
	Producer  *nodeRef  `json:"producer"`
	Consumers []nodeRef `json:"consumers"`
	Role      string    `json:"role,omitempty"` // "input", "output", "initializer"
}

func ref(graph string, n *model.Node) nodeRef {
	return nodeRef{Graph: graph, Node: n.ID, Name: n.Name, Op: n.Op, Group: n.Group}
}

func (s *Server) apiValue(w http.ResponseWriter, r *http.Request, e *entry) {
	q := r.URL.Query()
	gp := q.Get("graph")
	g, err := e.graph(gp)
	if err != nil {
		fail(w, http.StatusNotFound, "%v", err)
		return
	}
	v := findValue(g, q.Get("name"))
	if v == nil {
		fail(w, http.StatusNotFound, "no tensor %q in graph %q", q.Get("name"), gp)
		return
	}
	out := valueJSON{valueInfo: e.value(v), Graph: gp, Consumers: []nodeRef{}}
	if v.Producer != nil {
		p := ref(gp, v.Producer)
		out.Producer = &p
	}
	for _, c := range v.Consumers {
		out.Consumers = append(out.Consumers, ref(gp, c))
	}
	switch {
	case v.Initializer != nil:
		out.Role = "initializer"
	case contains(g.Inputs, v):
		out.Role = "input"
	case contains(g.Outputs, v):
		out.Role = "output"
	}
	writeJSON(w, out)
}

func contains(vs []*model.Value, v *model.Value) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func findValue(g *model.Graph, name string) *model.Value {
	for _, v := range g.Values {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// tensorOf finds the stored tensor behind a value name: an initializer, a
// Constant's value, or a tensor attribute ("node:attr").
func tensorOf(g *model.Graph, name string) *model.Tensor {
	if v := findValue(g, name); v != nil {
		if v.Initializer != nil {
			return v.Initializer
		}
		if v.Producer != nil && v.Producer.Op == "Constant" {
			if a := v.Producer.Attr("value"); a != nil {
				return a.Tensor
			}
		}
	}
	for _, v := range g.Initializers {
		if v.Name == name {
			return v.Initializer
		}
	}
	return nil
}

type tensorJSON struct {
	Name   string     `json:"name"`
	Info   tensorInfo `json:"tensor"`
	Stats  *Stats     `json:"stats,omitempty"`
	Offset int        `json:"offset"`
	Values []any      `json:"values"`
	Total  int64      `json:"total"`
}

func (s *Server) apiTensor(w http.ResponseWriter, r *http.Request, e *entry) {
	q := r.URL.Query()
	g, err := e.graph(q.Get("graph"))
	if err != nil {
		fail(w, http.StatusNotFound, "%v", err)
		return
	}
	t := tensorOf(g, q.Get("name"))
	if t == nil {
		fail(w, http.StatusNotFound, "no stored tensor %q", q.Get("name"))
		return
	}
	off, err1 := intParam(r, "offset", 0)
	lim, err2 := intParam(r, "limit", 100)
	if err := errors.Join(err1, err2); err != nil || off < 0 || lim < 0 {
		fail(w, http.StatusBadRequest, "offset and limit must be non-negative integers")
		return
	}
	lim = min(lim, 10000)
	ti := tinfo(t)
	dec, ok := decoderFor(t.DType)
	if !ok || !ti.Numeric {
		why := "values of " + t.DType.String() + " tensors are not shown"
		if t.Warning != "" {
			why = t.Warning
		} else if t.Loader == nil {
			why = "the file holds no data for this tensor"
		}
		fail(w, http.StatusUnprocessableEntity, "%s", why)
		return
	}
	raw, err := loadTensor(t, maxStatBytes)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	st := e.stats(q.Get("graph")+"\x00"+q.Get("name"), raw, dec)
	n := len(raw) / dec.size
	out := tensorJSON{Name: q.Get("name"), Info: *ti, Stats: &st, Offset: off, Total: int64(n), Values: []any{}}
	for i := off; i < n && i < off+lim; i++ {
		out.Values = append(out.Values, jsonNum(dec.at(raw[i*dec.size:])))
	}
	if math.IsInf(st.Min, 0) || math.IsNaN(st.Min) {
		st.Min = 0
	}
	writeJSON(w, out)
}

func (s *Server) apiNpy(w http.ResponseWriter, r *http.Request, e *entry) {
	q := r.URL.Query()
	g, err := e.graph(q.Get("graph"))
	if err != nil {
		fail(w, http.StatusNotFound, "%v", err)
		return
	}
	t := tensorOf(g, q.Get("name"))
	if t == nil {
		fail(w, http.StatusNotFound, "no stored tensor %q", q.Get("name"))
		return
	}
	raw, err := loadTensor(t, maxNpyBytes)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	if t.Sparse {
		fail(w, http.StatusUnprocessableEntity, "sparse tensors cannot be saved as .npy")
		return
	}
	if bits := t.DType.Bits(); bits > 0 && t.NumElements() >= 0 && int64(len(raw))*8 != t.NumElements()*int64(bits) {
		fail(w, http.StatusUnprocessableEntity, "stored size %d bytes does not match %s %v", len(raw), t.DType, t.Dims)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(q.Get("name"))+`.npy"`)
	if err := writeNpy(w, t, raw); err != nil {
		s.opt.Logf("npy: %v", err)
	}
}

// safeFileName keeps a download name to harmless characters.
func safeFileName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] == '.' {
		b = append([]byte("tensor"), b...)
	}
	if len(b) > 100 {
		b = b[:100]
	}
	return string(b)
}

type searchHit struct {
	Kind  string   `json:"kind"` // "node" or "tensor"
	Graph string   `json:"graph"`
	Node  int32    `json:"node"` // the node, or for a tensor its producer or first consumer; -1 if none
	Name  string   `json:"name"`
	Op    string   `json:"op,omitempty"`
	Type  string   `json:"type,omitempty"`
	Group []string `json:"group,omitempty"`
}

type searchJSON struct {
	Query string      `json:"query"`
	Hits  []searchHit `json:"hits"`
	More  bool        `json:"more"`
}

const maxHits = 500

// matcher builds the search predicate: /regex/ or a case-insensitive
// substring.
func matcher(q string) (func(string) bool, error) {
	if len(q) >= 2 && strings.HasPrefix(q, "/") && strings.HasSuffix(q, "/") {
		re, err := regexp.Compile("(?i)" + q[1:len(q)-1])
		if err != nil {
			return nil, fmt.Errorf("bad regular expression: %v", err)
		}
		return re.MatchString, nil
	}
	lq := strings.ToLower(q)
	return func(s string) bool { return strings.Contains(strings.ToLower(s), lq) }, nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request, e *entry) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	out := searchJSON{Query: q, Hits: []searchHit{}}
	if q == "" || len(q) > 1000 {
		writeJSON(w, out)
		return
	}
	match, err := matcher(q)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	add := func(h searchHit) bool {
		if len(out.Hits) >= maxHits {
			out.More = true
			return false
		}
		out.Hits = append(out.Hits, h)
		return true
	}
	e.walk(func(gp string, g *model.Graph) {
		for _, n := range g.Nodes {
			if match(n.Name) || match(n.Op) {
				if !add(searchHit{Kind: "node", Graph: gp, Node: n.ID, Name: n.Name, Op: n.Op, Group: n.Group}) {
					return
				}
			}
		}
		for _, v := range g.Values {
			if v.Outer != nil || v.Name == "" || !match(v.Name) {
				continue
			}
			h := searchHit{Kind: "tensor", Graph: gp, Node: -1, Name: v.Name}
			h.Type, _, _ = typeString(e.info.Type(v))
			if v.Initializer != nil && v.Type == nil {
				h.Type = v.Initializer.DType.String() + "[" + model.Fixed(v.Initializer.Dims...).String() + "]"
			}
			if v.Producer != nil {
				h.Node, h.Group = v.Producer.ID, v.Producer.Group
			} else if len(v.Consumers) > 0 {
				h.Node, h.Group = v.Consumers[0].ID, v.Consumers[0].Group
			}
			if !add(h) {
				return
			}
		}
	})
	writeJSON(w, out)
}

type moduleJSON struct {
	Path    string      `json:"path"`
	Name    string      `json:"name"`
	Type    string      `json:"type,omitempty"`
	Attrs   []attrJSON  `json:"attributes"`
	Tensors []valueInfo `json:"tensors"`
	Params  int64       `json:"params"`
}

// apiModule describes one module of a module tree (PyTorch, safetensors):
// its class, hyper-parameters and tensors. Its tensors are main-graph
// initializers, so /tensor serves their values.
func (s *Server) apiModule(w http.ResponseWriter, r *http.Request, e *entry) {
	path := r.URL.Query().Get("path")
	m := findModule(e.m.Modules, path)
	if m == nil {
		fail(w, http.StatusNotFound, "no module %q", path)
		return
	}
	out := moduleJSON{Path: m.Path, Name: m.Name, Type: m.Type, Attrs: []attrJSON{}, Tensors: []valueInfo{}}
	for k := range m.Attrs {
		a := &m.Attrs[k]
		out.Attrs = append(out.Attrs, attrJSON{Name: a.Name, Kind: a.Kind.String(), Value: attrValue(a)})
	}
	for _, v := range m.Tensors {
		if v == nil {
			continue
		}
		vi := e.value(v)
		if v.Initializer != nil && v.Initializer.NumElements() > 0 {
			out.Params += v.Initializer.NumElements()
		}
		out.Tensors = append(out.Tensors, vi)
	}
	writeJSON(w, out)
}

func findModule(root *model.Module, path string) *model.Module {
	var rec func(m *model.Module, depth int) *model.Module
	rec = func(m *model.Module, depth int) *model.Module {
		if m == nil || depth > 256 {
			return nil
		}
		if m.Path == path {
			return m
		}
		for _, c := range m.Children {
			if f := rec(c, depth+1); f != nil {
				return f
			}
		}
		return nil
	}
	return rec(root, 0)
}
