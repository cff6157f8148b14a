package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/model"
	"github.com/modelviz/modelviz/opmeta"
	"github.com/modelviz/modelviz/view"
)

// NodeDetails is what the HTML side panel shows about a box beyond the
// Scene: the model's own facts.
type NodeDetails struct {
	Op      string  `json:"op,omitempty"`
	Domain  string  `json:"domain,omitempty"`
	Name    string  `json:"name,omitempty"`
	DocURL  string  `json:"doc_url,omitempty"`
	Doc     string  `json:"doc,omitempty"`
	Group   string  `json:"group,omitempty"` // module path, dotted
	Attrs   []Field `json:"attrs,omitempty"`
	Inputs  []Field `json:"inputs,omitempty"`  // Name: "X" (formal name, else the index); Tensor: "input_name"; Value: "float32 1×4"
	Outputs []Field `json:"outputs,omitempty"` // like Inputs; Name is the index
}

// Field is one named line of the panel.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Tensor names the value an input or output carries (long paths, so
	// the panel shows it with the value, keeping Name a short label).
	Tensor string `json:"tensor,omitempty"`
}

// Bounds on what one panel holds, so a hostile model cannot blow up the
// HTML file.
const (
	maxFieldLen  = 300
	maxListItems = 32
	maxFields    = 64
)

// ModelDetails returns a Details function for Options that looks each box
// up in m (through Box.Graph and Box.Node) and describes it with the
// types info inferred. info may be nil.
func ModelDetails(m *model.Model, info *analysis.Info) func(b *view.Box) *NodeDetails {
	if m == nil || len(m.Graphs) == 0 {
		return nil
	}
	return func(b *view.Box) *NodeDetails {
		g := resolveGraph(m.Graphs[0], b.Graph)
		switch b.Kind {
		case "input", "output":
			if g == nil {
				return nil
			}
			return valueDetails(g, b, info)
		}
		if g == nil || b.Node < 0 || int(b.Node) >= len(g.Nodes) {
			return nil
		}
		n := g.Nodes[b.Node]
		d := &NodeDetails{Op: n.Op, Domain: n.Domain, Name: n.Name, Doc: clip(n.DocString),
			DocURL: opmeta.DocURL(n.Domain, n.Op), Group: clip(strings.Join(n.Group, " / "))}
		for i := range n.Attrs {
			if len(d.Attrs) >= maxFields {
				break
			}
			d.Attrs = append(d.Attrs, Field{Name: n.Attrs[i].Name, Value: clip(AttrString(&n.Attrs[i]))})
		}
		for i, v := range n.Inputs {
			if len(d.Inputs) >= maxFields {
				break
			}
			formal := opmeta.InputName(n.Domain, n.Op, i)
			if v == nil {
				if formal != "" {
					d.Inputs = append(d.Inputs, Field{Name: formal, Value: "(omitted)"})
				}
				continue
			}
			if formal == "" {
				formal = strconv.Itoa(i)
			}
			d.Inputs = append(d.Inputs, valueField(formal, v, info))
		}
		for i, v := range n.Outputs {
			if len(d.Outputs) >= maxFields {
				break
			}
			if v != nil {
				d.Outputs = append(d.Outputs, valueField(strconv.Itoa(i), v, info))
			}
		}
		return d
	}
}

func valueDetails(g *model.Graph, b *view.Box, info *analysis.Info) *NodeDetails {
	list := g.Inputs
	if b.Kind == "output" {
		list = g.Outputs
	}
	name := b.Name
	if name == "" {
		name = b.Label
	}
	for _, v := range list {
		if v != nil && v.Name == name {
			d := &NodeDetails{Name: v.Name, Doc: clip(v.Doc)}
			f := valueField("value", v, info)
			if b.Kind == "input" {
				d.Outputs = []Field{f}
			} else {
				d.Inputs = []Field{f}
			}
			return d
		}
	}
	return nil
}

// resolveGraph follows a Box.Graph path ("node/attr" steps joined by "|";
// node is an index or a name) from the main graph.
func resolveGraph(g *model.Graph, p string) *model.Graph {
	if p == "" {
		return g
	}
	for _, step := range strings.Split(p, "|") {
		ns, attr, ok := strings.Cut(step, "/")
		if !ok || g == nil {
			return nil
		}
		var n *model.Node
		if i, err := strconv.Atoi(ns); err == nil && i >= 0 && i < len(g.Nodes) {
			n = g.Nodes[i]
		} else {
			for _, c := range g.Nodes {
				if c.Name == ns {
					n = c
					break
				}
			}
		}
		if n == nil {
			return nil
		}
		idx := 0
		if a, k, ok := strings.Cut(attr, "#"); ok {
			attr = a
			idx, _ = strconv.Atoi(k)
		}
		var next *model.Graph
		if attr == "@function" && n.Function != nil {
			g = n.Function.Body
			continue
		}
		seen := 0
		for _, sg := range n.Subgraphs() {
			if sg.Attribute == attr {
				if seen == idx {
					next = sg.Graph
					break
				}
				seen++
			}
		}
		g = next
	}
	return g
}

func valueField(key string, v *model.Value, info *analysis.Info) Field {
	t := v.Type
	if info != nil {
		t = info.Type(v)
	}
	val := TypeString(t)
	if v.Initializer != nil {
		val = v.Initializer.DType.String() + " " + view.DimsLabel(v.Initializer.Dims) + " (weight)"
	}
	return Field{Name: clip(key), Value: clip(val), Tensor: clip(v.Name)}
}

// TypeString describes a type: "float32 1×3×224×224", "sequence of ...".
func TypeString(t *model.Type) string {
	return typeString(t, 0)
}

func typeString(t *model.Type, depth int) string {
	if t == nil {
		return "?"
	}
	if depth > 8 {
		return "…"
	}
	switch t.Kind {
	case model.TensorType, model.SparseTensorType:
		s := t.DType.String() + " " + view.ShapeLabel(t.Shape)
		if t.Kind == model.SparseTensorType {
			s = "sparse " + s
		}
		return s
	case model.SequenceType:
		return "sequence of " + typeString(t.Elem, depth+1)
	case model.OptionalType:
		return "optional " + typeString(t.Elem, depth+1)
	case model.MapType:
		return "map " + t.DType.String() + " → " + typeString(t.Elem, depth+1)
	}
	return t.Kind.String()
}

// AttrString formats an attribute value compactly, lists shortened.
func AttrString(a *model.Attr) string {
	switch a.Kind {
	case model.AttrFloat:
		return strconv.FormatFloat(float64(a.Float), 'g', -1, 32)
	case model.AttrInt:
		return strconv.FormatInt(a.Int, 10)
	case model.AttrString:
		return strconv.Quote(a.String)
	case model.AttrTensor:
		if a.Tensor == nil {
			return "tensor"
		}
		return "tensor " + a.Tensor.DType.String() + " " + view.DimsLabel(a.Tensor.Dims)
	case model.AttrGraph:
		if a.Graph != nil {
			return fmt.Sprintf("graph (%d nodes)", len(a.Graph.Nodes))
		}
		return "graph"
	case model.AttrFloats:
		return list(len(a.Floats), func(i int) string { return strconv.FormatFloat(float64(a.Floats[i]), 'g', -1, 32) })
	case model.AttrInts:
		return list(len(a.Ints), func(i int) string { return strconv.FormatInt(a.Ints[i], 10) })
	case model.AttrStrings:
		return list(len(a.Strings), func(i int) string { return strconv.Quote(a.Strings[i]) })
	case model.AttrTensors:
		return fmt.Sprintf("%d tensors", len(a.Tensors))
	case model.AttrGraphs:
		return fmt.Sprintf("%d graphs", len(a.Graphs))
	case model.AttrType:
		return TypeString(a.Type)
	case model.AttrTypes:
		return list(len(a.Types), func(i int) string { return TypeString(a.Types[i]) })
	}
	if a.RefAttrName != "" {
		return "@" + a.RefAttrName
	}
	return a.Kind.String()
}

func list(n int, item func(int) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxListItems {
			fmt.Fprintf(&b, "… %d more", n-i)
			break
		}
		b.WriteString(item(i))
	}
	b.WriteByte(']')
	return b.String()
}

func clip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= maxFieldLen {
		return s
	}
	i := maxFieldLen
	for i > 0 && (s[i]&0xC0) == 0x80 {
		i--
	}
	return s[:i] + "…"
}
