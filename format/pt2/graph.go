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
	syms  map[string]symInt
	vals  map[string]*model.Value // by name as the JSON refers to it
	names map[string]bool         // Value.Name in use
	next  map[string]int          // next suffix to try per clashing name
}

func (s *scope) newValue(name, ref string) *model.Value {
	unique := name
	// Resume from the last suffix tried, so n clashes cost O(n), not O(n²).
	for s.names[unique] {
		s.next[name]++
		unique = name + "_" + strconv.Itoa(s.next[name])
	}
	s.names[unique] = true
	v := &model.Value{ID: int32(len(s.g.Values)), Name: unique}
	if tm, ok := s.meta[ref]; ok {
		v.Type = metaType(&tm)
	} else if si, ok := s.syms[ref]; ok {
		// A SymInt (sym_size and friends): an int64 scalar.
		v.Type = &model.Type{Kind: model.TensorType, DType: model.Int64, Shape: model.Shape{}}
		if n, expr, ok := si.get(); ok {
			if expr == "" {
				expr = strconv.FormatInt(n, 10)
			}
			v.Doc = "SymInt " + clip(expr, 256)
		}
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
	s := &scope{g: g, meta: jg.TensorValues, syms: jg.SymIntValues, vals: map[string]*model.Value{}, names: map[string]bool{}, next: map[string]int{}}
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
	for i := range jg.Outputs {
		for _, ref := range argNames(&jg.Outputs[i]) {
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
	for i := range jg.Inputs {
		refs := argNames(&jg.Inputs[i])
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
func argNames(a *argument) []string {
	var out []string
	add := func(n *named) {
		if n != nil && n.Name != nil {
			out = append(out, *n.Name)
		}
	}
	add(a.AsTensor)
	add(a.AsCustomObj)
	add(a.AsToken)
	for i := range a.AsTensors {
		add(&a.AsTensors[i])
	}
	for _, sa := range []*symArg{a.AsSymInt, a.AsSymBool, a.AsSymFloat} {
		if sa != nil && sa.AsName != nil {
			out = append(out, *sa.AsName)
		}
	}
	for _, o := range a.AsOptionalTensors {
		add(o.AsTensor)
	}
	if a.AsOptionalTensor != nil {
		add(a.AsOptionalTensor.AsTensor)
	}
	return out
}

// set reports whether a raw variant was present and not null.
func set(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }

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
	for i := range jn.Inputs {
		na := &jn.Inputs[i]
		if err := b.argument(s, n, na.Name, &na.Arg, depth); err != nil {
			return err
		}
	}
	for i := range jn.Outputs {
		for _, ref := range argNames(&jn.Outputs[i]) {
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
func (b *builder) argument(s *scope, n *model.Node, name string, arg *argument, depth int) error {
	a := model.Attr{Name: name}
	switch {
	case arg.AsOptionalTensors != nil:
		for _, o := range arg.AsOptionalTensors {
			if o.AsTensor == nil || o.AsTensor.Name == nil {
				n.Inputs = append(n.Inputs, nil)
			} else {
				n.Inputs = append(n.Inputs, s.value(*o.AsTensor.Name))
			}
		}
		return nil
	case arg.AsTensor != nil, arg.AsTensors != nil, arg.AsCustomObj != nil, arg.AsToken != nil, arg.AsOptionalTensor != nil:
		for _, ref := range argNames(arg) {
			n.Inputs = append(n.Inputs, s.value(ref))
		}
		return nil
	case arg.AsSymInt != nil, arg.AsSymBool != nil, arg.AsSymFloat != nil:
		sa := arg.AsSymInt
		if sa == nil {
			sa = arg.AsSymBool
		}
		if sa == nil {
			sa = arg.AsSymFloat
		}
		if sa.AsName != nil {
			n.Inputs = append(n.Inputs, s.value(*sa.AsName))
			return nil
		}
		// A sym argument holding a plain number.
		switch {
		case set(sa.AsInt):
			return b.argument(s, n, name, &argument{AsInt: sa.AsInt}, depth)
		case set(sa.AsBool):
			var v bool
			json.Unmarshal(sa.AsBool, &v)
			return b.argument(s, n, name, &argument{AsBool: &v}, depth)
		case set(sa.AsFloat):
			return b.argument(s, n, name, &argument{AsFloat: sa.AsFloat}, depth)
		}
		return nil
	case set(arg.AsInt):
		a.Kind = model.AttrInt
		if json.Unmarshal(arg.AsInt, &a.Int) != nil {
			a.Kind, a.String = model.AttrString, clip(string(arg.AsInt), 256)
		}
	case arg.AsBool != nil:
		a.Kind = model.AttrInt
		if *arg.AsBool {
			a.Int = 1
		}
	case set(arg.AsFloat):
		var f float64
		if json.Unmarshal(arg.AsFloat, &f) == nil {
			a.Kind, a.Float = model.AttrFloat, float32(f)
		} else {
			a.Kind, a.String = model.AttrString, strings.Trim(clip(string(arg.AsFloat), 64), `"`)
		}
	case arg.AsInts != nil, arg.AsBools != nil:
		a.Kind = model.AttrInts
		for _, e := range append(arg.AsInts, arg.AsBools...) {
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
	case arg.AsFloats != nil:
		a.Kind = model.AttrFloats
		for _, e := range arg.AsFloats {
			var f float64
			json.Unmarshal(e, &f)
			a.Floats = append(a.Floats, float32(f))
		}
	case arg.AsString != nil:
		a.Kind, a.String = model.AttrString, *arg.AsString
	case arg.AsOperator != nil:
		a.Kind, a.String = model.AttrString, *arg.AsOperator
	case arg.AsStrings != nil:
		a.Kind, a.Strings = model.AttrStrings, arg.AsStrings
	case arg.AsSymInts != nil, arg.AsSymBools != nil, arg.AsSymFloats != nil:
		// Mixed lists: symbols are dataflow inputs, the list is shown whole.
		a.Kind = model.AttrStrings
		for _, sa := range append(append(arg.AsSymInts, arg.AsSymBools...), arg.AsSymFloats...) {
			switch {
			case sa.AsName != nil:
				n.Inputs = append(n.Inputs, s.value(*sa.AsName))
				a.Strings = append(a.Strings, *sa.AsName)
			case set(sa.AsInt):
				a.Strings = append(a.Strings, clip(string(sa.AsInt), 64))
			case set(sa.AsBool):
				a.Strings = append(a.Strings, clip(string(sa.AsBool), 64))
			case set(sa.AsFloat):
				a.Strings = append(a.Strings, clip(string(sa.AsFloat), 64))
			}
		}
	case arg.AsScalarType != nil:
		a.Kind, a.String = model.AttrString, scalarTypes[*arg.AsScalarType].String()
	case arg.AsMemoryFormat != nil:
		a.Kind, a.String = model.AttrString, enumName("as_memory_format", *arg.AsMemoryFormat)
	case arg.AsLayout != nil:
		a.Kind, a.String = model.AttrString, enumName("as_layout", *arg.AsLayout)
	case arg.AsDevice != nil:
		a.Kind, a.String = model.AttrString, arg.AsDevice.Type
		if arg.AsDevice.Index != nil {
			a.String += ":" + strconv.Itoa(*arg.AsDevice.Index)
		}
	case arg.AsGraph != nil:
		if arg.AsGraph.Graph == nil {
			return fmt.Errorf("node %d: argument %s: bad graph", n.ID, name)
		}
		sub, err := b.graph(arg.AsGraph.Graph, nil, s.g, n, depth+1)
		if err != nil {
			return err
		}
		sub.Name = arg.AsGraph.Name
		a.Kind, a.Graph = model.AttrGraph, sub
	default:
		for _, r := range []json.RawMessage{arg.AsComplex, arg.AsNestedTensors, arg.AsIntLists, arg.AsStringToArgument} {
			if set(r) {
				a.Kind, a.String = model.AttrString, clip(string(r), 256)
			}
		}
		if a.Kind == model.AttrUndefined {
			return nil // as_none, or a variant newer than schema 8.17
		}
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
	inner = capPath(inner)
	var out []string
	for i := 0; i < len(inner); i++ {
		if inner[i] == '.' {
			out = append(out, inner[:i])
		}
	}
	return append(out, inner)
}

// maxPathDepth bounds module paths (components) and getattr nesting, so a
// hostile path costs neither deep recursion nor quadratic prefixes.
const maxPathDepth = 64

// capPath keeps at most maxPathDepth components of a dotted path.
func capPath(p string) string {
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			if n++; n == maxPathDepth {
				return p[:i]
			}
		}
	}
	return p
}

// normalizePath turns dynamo-style paths ("L['self'].layers[0]",
// "getattr(L['self'].layers, '0')") into state_dict FQNs ("layers.0");
// plain FQNs pass through.
func normalizePath(p string) string { return normalizeDepth(p, 0) }

func normalizeDepth(p string, depth int) string {
	p = strings.TrimSpace(p)
	if !strings.ContainsAny(p, "(['") && !strings.HasPrefix(p, "L__self__") && !strings.HasPrefix(p, "self") {
		return strings.Trim(p, ".") // already an FQN, the common case
	}
	// getattr(...) nests once per module level; deeper is not a real path.
	for depth < maxPathDepth && strings.HasPrefix(p, "getattr(") && strings.HasSuffix(p, ")") {
		inner := p[len("getattr(") : len(p)-1]
		k := strings.LastIndex(inner, ",")
		if k < 0 {
			break
		}
		attr := strings.Trim(strings.TrimSpace(inner[k+1:]), `'"`)
		depth++
		p = normalizeDepth(inner[:k], depth) + "." + attr
	}
	for _, pre := range []string{"L['self']", "L__self__", "self"} {
		if p == pre {
			return ""
		}
		if rest, ok := strings.CutPrefix(p, pre+"."); ok {
			p = rest
		}
	}
	if strings.IndexByte(p, '[') >= 0 {
		p = bracketReplacer.Replace(p)
	}
	return strings.Trim(p, ".")
}

var bracketReplacer = strings.NewReplacer("['", ".", "']", "", "[", ".", "]", "")

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
			path = capPath(v.Name[:i])
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
