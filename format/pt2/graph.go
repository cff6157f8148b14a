package pt2

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// maxGraphDepth bounds nested graphs (cond/map bodies) so hostile JSON
// cannot recurse without end.
const maxGraphDepth = 32

type builder struct {
	r       *reader
	weights map[string]*model.Tensor
	nodes   int // across all graphs, for the cap below
}

// maxNodes bounds the total node count over all nested graphs.
const maxNodes = 1 << 22

type scope struct {
	g     *model.Graph
	meta  map[string]tensorMeta
	vals  map[string]*model.Value // by name as the JSON refers to it
	names map[string]bool         // Value.Name in use
}

func (s *scope) newValue(name, ref string) *model.Value {
	unique := name
	for i := 1; s.names[unique]; i++ {
		unique = name + "_" + strconv.Itoa(i)
	}
	s.names[unique] = true
	v := &model.Value{ID: int32(len(s.g.Values)), Name: unique}
	if tm, ok := s.meta[ref]; ok {
		v.Type = metaType(&tm)
	}
	s.g.Values = append(s.g.Values, v)
	s.vals[ref] = v
	return v
}

// value returns the value the JSON calls ref, creating it when new.
func (s *scope) value(ref string) *model.Value {
	if v, ok := s.vals[ref]; ok {
		return v
	}
	return s.newValue(ref, ref)
}

func (b *builder) graph(jg *graph, sig *signature, parent *model.Graph, owner *model.Node, depth int) (*model.Graph, error) {
	if depth > maxGraphDepth {
		return nil, fmt.Errorf("graphs nested deeper than %d", maxGraphDepth)
	}
	g := &model.Graph{Parent: parent, Owner: owner}
	s := &scope{g: g, meta: jg.TensorValues, vals: map[string]*model.Value{}, names: map[string]bool{}}
	b.inputs(s, jg, sig)
	produced := map[*model.Value]bool{}
	for i := range jg.Nodes {
		if b.nodes++; b.nodes > maxNodes {
			return nil, fmt.Errorf("more than %d nodes", maxNodes)
		}
		if err := b.node(s, &jg.Nodes[i], produced, depth); err != nil {
			return nil, err
		}
	}
	var outSpecs []union
	if sig != nil {
		outSpecs = sig.OutputSpecs
	}
	for i, o := range jg.Outputs {
		for _, ref := range argNames(o) {
			v := s.value(ref)
			if i < len(outSpecs) {
				if k, raw := outSpecs[i].kind(); k != "" && k != "user_output" {
					v.Doc = strings.ReplaceAll(k, "_", " ") + specTarget(raw)
				}
			}
			g.Outputs = append(g.Outputs, v)
		}
	}
	isInput := map[*model.Value]bool{}
	for _, v := range g.Inputs {
		isInput[v] = true
	}
	for _, v := range g.Values {
		if v.Producer == nil && v.Initializer == nil && !isInput[v] {
			b.r.warn("value %s is used but produced by no node", v.Name)
		}
	}
	return g, nil
}

// specTarget renders the FQN an output spec writes to (": bn.running_mean").
func specTarget(raw json.RawMessage) string {
	var t map[string]json.RawMessage
	if json.Unmarshal(raw, &t) != nil {
		return ""
	}
	for _, k := range []string{"buffer_name", "parameter_name", "user_input_name"} {
		var s string
		if json.Unmarshal(t[k], &s) == nil && s != "" {
			return ": " + s
		}
	}
	return ""
}

// inputs turns placeholders into graph inputs or initializers, following
// the signature: parameters, buffers and constants are weights named by
// their state_dict FQN; user inputs are the graph's real inputs.
func (b *builder) inputs(s *scope, jg *graph, sig *signature) {
	for i, in := range jg.Inputs {
		refs := argNames(in)
		if len(refs) != 1 {
			continue
		}
		ref := refs[0]
		kind, fqn := "user_input", ""
		if sig != nil && len(sig.InputSpecs) > 0 {
			if i < len(sig.InputSpecs) {
				var raw json.RawMessage
				kind, raw = sig.InputSpecs[i].kind()
				fqn = specName(raw)
			}
		} else if sig != nil {
			if p, ok := sig.InputsToParameters[ref]; ok {
				kind, fqn = "parameter", p
			} else if p, ok := sig.InputsToBuffers[ref]; ok {
				kind, fqn = "buffer", p
			}
		}
		switch kind {
		case "parameter", "buffer", "tensor_constant":
			if fqn == "" {
				fqn = ref
			}
			v := s.newValue(fqn, ref)
			t := b.weights[fqn]
			if t == nil {
				// Shape and dtype from the graph; the bytes were not found.
				var tm *tensorMeta
				if m, ok := jg.TensorValues[ref]; ok {
					tm = &m
				}
				t = tensorFrom(fqn, tm)
				if t.Warning == "" {
					t.Warning = "weights not found in the archive"
				}
			}
			v.Initializer = t
			if v.Type == nil && t.Dims != nil {
				v.Type = &model.Type{Kind: model.TensorType, DType: t.DType, Shape: model.Fixed(t.Dims...)}
			}
			if kind != "parameter" {
				v.Doc = strings.ReplaceAll(kind, "_", " ")
			}
			s.g.Initializers = append(s.g.Initializers, v)
		default:
			v := s.value(ref)
			if kind != "user_input" && kind != "" {
				v.Doc = strings.ReplaceAll(kind, "_", " ")
			}
			s.g.Inputs = append(s.g.Inputs, v)
		}
	}
}

// specName reads the FQN of an InputSpec variant.
func specName(raw json.RawMessage) string {
	var t map[string]json.RawMessage
	if json.Unmarshal(raw, &t) != nil {
		return ""
	}
	for _, k := range []string{"parameter_name", "buffer_name", "tensor_constant_name", "custom_obj_name"} {
		var s string
		if json.Unmarshal(t[k], &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// argNames lists the value names an Argument refers to.
func argNames(u union) []string {
	k, raw := u.kind()
	switch k {
	case "as_tensor", "as_custom_obj", "as_token":
		if n, ok := nameOf(raw); ok {
			return []string{n}
		}
	case "as_tensors":
		var list []json.RawMessage
		json.Unmarshal(raw, &list)
		var out []string
		for _, e := range list {
			if n, ok := nameOf(e); ok {
				out = append(out, n)
			}
		}
		return out
	case "as_sym_int", "as_sym_bool", "as_sym_float":
		var a struct {
			AsName *string `json:"as_name"`
		}
		if json.Unmarshal(raw, &a) == nil && a.AsName != nil {
			return []string{*a.AsName}
		}
	case "as_optional_tensors":
		var list []union
		json.Unmarshal(raw, &list)
		var out []string
		for _, e := range list {
			out = append(out, argNames(e)...)
		}
		return out
	case "as_optional_tensor":
		var e union
		if json.Unmarshal(raw, &e) == nil {
			return argNames(e)
		}
	}
	return nil
}

// splitTarget turns "torch.ops.aten.conv2d.default" into domain "aten", op
// "conv2d", overload "default" (shown as aten::conv2d, as the TorchScript
// reader names ops); other targets ("_operator.getitem") split at the last
// dot.
func splitTarget(t string) (domain, op, overload string) {
	if rest, ok := strings.CutPrefix(t, "torch.ops."); ok {
		parts := strings.Split(rest, ".")
		switch {
		case len(parts) >= 3:
			return parts[0], strings.Join(parts[1:len(parts)-1], "."), parts[len(parts)-1]
		case len(parts) == 2:
			return parts[0], parts[1], ""
		}
		return "", rest, ""
	}
	if i := strings.LastIndexByte(t, '.'); i > 0 && i < len(t)-1 {
		return t[:i], t[i+1:], ""
	}
	return "", t, ""
}

func (b *builder) node(s *scope, jn *node, produced map[*model.Value]bool, depth int) error {
	n := &model.Node{ID: int32(len(s.g.Nodes))}
	n.Domain, n.Op, n.Overload = splitTarget(jn.Target)
	if n.Op == "" {
		return fmt.Errorf("node %d has no target", n.ID)
	}
	n.Group = moduleStack(jn.Metadata["nn_module_stack"], b.r.types)
	if st := jn.Metadata["stack_trace"]; st != "" {
		n.DocString = clip(st, 2048)
	}
	for _, na := range jn.Inputs {
		if err := b.argument(s, n, na.Name, na.Arg, depth); err != nil {
			return err
		}
	}
	for _, o := range jn.Outputs {
		for _, ref := range argNames(o) {
			v := s.value(ref)
			if produced[v] || v.Initializer != nil {
				b.r.warn("value %s is produced twice (node %d)", ref, n.ID)
			} else {
				produced[v] = true
				v.Producer = n
			}
			n.Outputs = append(n.Outputs, v)
		}
	}
	switch {
	case jn.Name != nil && *jn.Name != "":
		n.Name = *jn.Name
	case len(n.Outputs) > 0:
		n.Name = n.Outputs[0].Name
	default:
		n.Name = n.Op + "_" + strconv.Itoa(int(n.ID))
	}
	for _, v := range n.Inputs {
		if v != nil {
			v.Consumers = append(v.Consumers, n)
		}
	}
	s.g.Nodes = append(s.g.Nodes, n)
	return nil
}

// argument adds one NamedArgument: tensors become inputs, everything else
// a typed attribute.
func (b *builder) argument(s *scope, n *model.Node, name string, arg union, depth int) error {
	k, raw := arg.kind()
	a := model.Attr{Name: name}
	switch k {
	case "as_tensor", "as_tensors", "as_custom_obj", "as_token", "as_sym_int", "as_sym_bool", "as_sym_float",
		"as_optional_tensor":
		refs := argNames(arg)
		if len(refs) > 0 {
			for _, ref := range refs {
				n.Inputs = append(n.Inputs, s.value(ref))
			}
			return nil
		}
		// A sym argument holding a plain number.
		var lit map[string]json.RawMessage
		json.Unmarshal(raw, &lit)
		for _, lk := range []string{"as_int", "as_bool", "as_float"} {
			if v, ok := lit[lk]; ok {
				return b.argument(s, n, name, union{lk: v}, depth)
			}
		}
		return nil
	case "as_optional_tensors":
		var list []union
		json.Unmarshal(raw, &list)
		for _, e := range list {
			refs := argNames(e)
			if len(refs) == 0 {
				n.Inputs = append(n.Inputs, nil)
			}
			for _, ref := range refs {
				n.Inputs = append(n.Inputs, s.value(ref))
			}
		}
		return nil
	case "as_none", "":
		return nil
	case "as_int":
		a.Kind = model.AttrInt
		if json.Unmarshal(raw, &a.Int) != nil {
			a.Kind, a.String = model.AttrString, clip(string(raw), 256)
		}
	case "as_bool":
		var v bool
		json.Unmarshal(raw, &v)
		a.Kind = model.AttrInt
		if v {
			a.Int = 1
		}
	case "as_float":
		var f float64
		if json.Unmarshal(raw, &f) == nil {
			a.Kind, a.Float = model.AttrFloat, float32(f)
		} else {
			a.Kind, a.String = model.AttrString, strings.Trim(clip(string(raw), 64), `"`)
		}
	case "as_ints", "as_bools":
		var v []json.RawMessage
		json.Unmarshal(raw, &v)
		a.Kind = model.AttrInts
		for _, e := range v {
			var i int64
			switch string(e) {
			case "true":
				i = 1
			case "false":
			default:
				json.Unmarshal(e, &i)
			}
			a.Ints = append(a.Ints, i)
		}
	case "as_floats":
		var v []json.RawMessage
		json.Unmarshal(raw, &v)
		a.Kind = model.AttrFloats
		for _, e := range v {
			var f float64
			json.Unmarshal(e, &f)
			a.Floats = append(a.Floats, float32(f))
		}
	case "as_string", "as_operator":
		a.Kind = model.AttrString
		json.Unmarshal(raw, &a.String)
	case "as_strings":
		a.Kind = model.AttrStrings
		json.Unmarshal(raw, &a.Strings)
	case "as_sym_ints", "as_sym_bools", "as_sym_floats":
		// Mixed lists: symbols are dataflow inputs, the list is shown whole.
		var list []map[string]json.RawMessage
		json.Unmarshal(raw, &list)
		a.Kind = model.AttrStrings
		for _, e := range list {
			for ek, ev := range e {
				if ek == "as_name" {
					var ref string
					json.Unmarshal(ev, &ref)
					n.Inputs = append(n.Inputs, s.value(ref))
					a.Strings = append(a.Strings, ref)
				} else {
					a.Strings = append(a.Strings, clip(string(ev), 64))
				}
			}
		}
	case "as_scalar_type":
		var v int
		json.Unmarshal(raw, &v)
		a.Kind, a.String = model.AttrString, scalarTypes[v].String()
	case "as_memory_format", "as_layout":
		var v int
		json.Unmarshal(raw, &v)
		a.Kind, a.String = model.AttrString, enumName(k, v)
	case "as_device":
		var d struct {
			Type  string `json:"type"`
			Index *int   `json:"index"`
		}
		json.Unmarshal(raw, &d)
		a.Kind, a.String = model.AttrString, d.Type
		if d.Index != nil {
			a.String += ":" + strconv.Itoa(*d.Index)
		}
	case "as_graph":
		var ga struct {
			Name  string `json:"name"`
			Graph *graph `json:"graph"`
		}
		if err := json.Unmarshal(raw, &ga); err != nil || ga.Graph == nil {
			return fmt.Errorf("node %d: argument %s: bad graph", n.ID, name)
		}
		sub, err := b.graph(ga.Graph, nil, s.g, n, depth+1)
		if err != nil {
			return err
		}
		sub.Name = ga.Name
		a.Kind, a.Graph = model.AttrGraph, sub
	default:
		// as_complex, as_int_lists, as_string_to_argument, future kinds:
		// shown as their JSON.
		a.Kind, a.String = model.AttrString, clip(string(raw), 256)
	}
	n.Attrs = append(n.Attrs, a)
	return nil
}

func enumName(kind string, v int) string {
	var names []string
	if kind == "as_layout" {
		names = []string{"Unknown", "SparseCoo", "SparseCsr", "SparseCsc", "SparseBsr", "SparseBsc", "_mkldnn", "Strided"}
	} else {
		names = []string{"Unknown", "ContiguousFormat", "ChannelsLast", "ChannelsLast3d", "PreserveFormat"}
	}
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return strconv.Itoa(v)
}

// moduleStack parses nn_module_stack ("key,path,type;key,path,type") and
// returns the innermost module's path as its prefixes, outermost first
// (["blocks", "blocks.0", "blocks.0.fc1"]), as the TorchScript reader
// groups nodes; a module called from outside its parent still nests by
// name. Class names are recorded in types by path.
func moduleStack(s string, types map[string]string) []string {
	if s == "" {
		return nil
	}
	inner := ""
	for _, item := range strings.Split(s, ";") {
		i := strings.IndexByte(item, ',')
		j := strings.LastIndexByte(item, ',')
		if i < 0 || j <= i {
			continue
		}
		p := normalizePath(item[i+1 : j])
		if types != nil && len(types) < 1<<20 {
			types[p] = clip(item[j+1:], 256)
		}
		if p != "" {
			inner = p
		}
	}
	if inner == "" {
		return nil
	}
	parts := strings.Split(inner, ".")
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = strings.Join(parts[:i+1], ".")
	}
	return out
}

// normalizePath turns dynamo-style paths ("L['self'].layers[0]",
// "getattr(L['self'].layers, '0')") into state_dict FQNs ("layers.0");
// plain FQNs pass through.
func normalizePath(p string) string {
	p = strings.TrimSpace(p)
	for strings.HasPrefix(p, "getattr(") && strings.HasSuffix(p, ")") {
		inner := p[len("getattr(") : len(p)-1]
		k := strings.LastIndex(inner, ",")
		if k < 0 {
			break
		}
		attr := strings.Trim(strings.TrimSpace(inner[k+1:]), `'"`)
		p = normalizePath(inner[:k]) + "." + attr
	}
	for _, pre := range []string{"L['self']", "L__self__", "self"} {
		if p == pre {
			return ""
		}
		if rest, ok := strings.CutPrefix(p, pre+"."); ok {
			p = rest
		}
	}
	p = strings.NewReplacer("['", ".", "']", "", "[", ".", "]", "").Replace(p)
	return strings.Trim(p, ".")
}

// moduleTree builds the module hierarchy from the weights' FQNs and the
// nodes' module paths, with class names where nn_module_stack gave them.
func moduleTree(g *model.Graph, types map[string]string) *model.Module {
	if g == nil {
		return nil
	}
	root := &model.Module{}
	index := map[string]*model.Module{"": root}
	var get func(path string) *model.Module
	get = func(path string) *model.Module {
		if m, ok := index[path]; ok {
			return m
		}
		parent, name := "", path
		if i := strings.LastIndexByte(path, '.'); i >= 0 {
			parent, name = path[:i], path[i+1:]
		}
		m := &model.Module{Name: name, Path: path}
		index[path] = m
		p := get(parent)
		p.Children = append(p.Children, m)
		return m
	}
	for _, n := range g.Nodes {
		for _, p := range n.Group {
			get(p)
		}
	}
	for _, v := range g.Initializers {
		path := ""
		if i := strings.LastIndexByte(v.Name, '.'); i >= 0 {
			path = v.Name[:i]
		}
		m := get(path)
		m.Tensors = append(m.Tensors, v)
	}
	for path, typ := range types {
		if m, ok := index[path]; ok {
			m.Type = typ
		}
	}
	if len(root.Children) == 0 && len(root.Tensors) == 0 {
		return nil
	}
	return root
}
