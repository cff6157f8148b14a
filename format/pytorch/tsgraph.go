package pytorch

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/model"
)

// The graph of forward() is built by symbolic execution of the parsed
// code: every torch.* / ops.* call becomes a node, submodule and
// __torch__ function calls are inlined (their nodes grouped under the
// submodule's path), if/for/while become If/Loop nodes with subgraphs.
// Nothing is evaluated except folding of literal constants.

const (
	maxNodes       = 200000
	maxInlineDepth = 48
	// maxSteps bounds statements run in all inlined bodies, so recursion
	// that builds no nodes (f calls f twice) still ends.
	maxSteps = 1000000
)

type symKind uint8

const (
	symVal   symKind = iota // a graph value
	symConst                // a literal
	symMod                  // a module object
	symSeq                  // tuple or list of syms
	symName                 // a qualified global name (torch.relu, __torch__.f)
)

type sym struct {
	kind  symKind
	v     *model.Value
	c     any
	text  string
	mod   *tsModule
	items []*sym
	list  bool
	name  string
	// mutable marks a module attribute's current value.
	mutable bool
	// typ is the static type the code declares (parameter annotation,
	// class attribute type), "" when unknown.
	typ string
}

func typed(s *sym, t string) *sym {
	if t == "" || s.typ == t {
		return s
	}
	c := *s
	c.typ = t
	return &c
}

// neverNone reports whether a declared type excludes None, so that
// "x is None" is decided at compile time as TorchScript does.
func neverNone(t string) bool {
	if t == "" || t == "Any" || t == "NoneType" {
		return false
	}
	return !strings.HasPrefix(t, "Optional[") && !strings.HasPrefix(t, "Union[")
}

func constSym(v any, text string) *sym { return &sym{kind: symConst, c: v, text: text} }

func (s *sym) repr() string {
	switch s.kind {
	case symConst:
		if s.text != "" {
			return s.text
		}
		return pickle.Repr(s.c)
	case symVal:
		return s.v.Name
	case symMod:
		return "self." + s.mod.path
	case symName:
		return s.name
	case symSeq:
		parts := make([]string, len(s.items))
		for i, it := range s.items {
			parts[i] = it.repr()
		}
		if s.list {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return "?"
}

type env struct {
	vars  map[string]*sym
	order []string // names in first-assignment order
}

func newEnv() *env { return &env{vars: map[string]*sym{}} }

func (e *env) set(n string, s *sym) {
	if _, ok := e.vars[n]; !ok {
		e.order = append(e.order, n)
	}
	e.vars[n] = s
}

func (e *env) clone() *env {
	c := &env{vars: make(map[string]*sym, len(e.vars)), order: append([]string(nil), e.order...)}
	for k, v := range e.vars {
		c.vars[k] = v
	}
	return c
}

type graphState struct {
	main    *model.Graph
	cur     *model.Graph
	owner   map[*model.Value]*model.Graph
	proxies map[*model.Graph]map[*model.Value]*model.Value
	used    map[string]int
	ops     map[string]int
	nodes   int
	depth   int
	group   []string
	limited bool
	consts  map[int]*model.Value
	extra   map[string]*model.Value
	retHint string
	steps   int
}

func (ts *tsBuilder) graph(root *tsModule) {
	b := ts.b
	g := b.g
	g.Name = "forward"
	gs := &graphState{main: g, cur: g, owner: map[*model.Value]*model.Graph{},
		proxies: map[*model.Graph]map[*model.Value]*model.Value{}, used: map[string]int{},
		ops: map[string]int{}, consts: map[int]*model.Value{}, extra: map[string]*model.Value{}}
	ts.gs = gs
	for _, v := range g.Values {
		gs.owner[v] = g
		gs.used[v.Name]++
	}
	if root.class == nil {
		b.m.Warnings = append(b.m.Warnings, "no code for the root module: the graph shows weights only")
		return
	}
	fn := root.class.Methods["forward"]
	if fn == nil {
		b.m.Warnings = append(b.m.Warnings, "the root module has no forward method: the graph shows weights only")
		return
	}
	var args []*sym
	for i, p := range fn.Params {
		if i == 0 { // self, whatever the code calls it
			continue
		}
		v := gs.newValue(p.Name)
		v.Doc = p.Type // the annotation: Tensor, int, Optional[Tensor]...
		g.Inputs = append(g.Inputs, v)
		args = append(args, &sym{kind: symVal, v: v})
	}
	ret := ts.invoke(fn, &sym{kind: symMod, mod: root}, args, nil, nil, "output")
	if ret != nil {
		for _, v := range ts.flatValues(ret) {
			g.Outputs = append(g.Outputs, v)
		}
	}
	if gs.limited {
		b.m.Warnings = append(b.m.Warnings, fmt.Sprintf("graph limited to %d nodes / %d nested calls: deeper calls are shown as single nodes", maxNodes, maxInlineDepth))
	}
}

// newValue makes a value in the current graph with a unique name.
func (gs *graphState) newValue(hint string) *model.Value {
	if hint == "" {
		hint = "_v"
	}
	name := hint
	if n := gs.used[hint]; n > 0 {
		for {
			name = hint + "." + strconv.Itoa(n)
			n++
			if gs.used[name] == 0 {
				break
			}
		}
		gs.used[hint] = n
	}
	gs.used[name]++
	g := gs.cur
	v := &model.Value{ID: int32(len(g.Values)), Name: name}
	g.Values = append(g.Values, v)
	gs.owner[v] = g
	return v
}

// use returns v as seen from graph g: itself, or an outer-scope proxy.
func (gs *graphState) use(v *model.Value, g *model.Graph) *model.Value {
	og, ok := gs.owner[v]
	if !ok || og == g || g.Parent == nil {
		return v
	}
	if p, ok := gs.proxies[g][v]; ok {
		return p
	}
	outer := gs.use(v, g.Parent)
	p := &model.Value{ID: int32(len(g.Values)), Name: v.Name, Outer: outer, Type: v.Type}
	g.Values = append(g.Values, p)
	gs.owner[p] = g
	if gs.proxies[g] == nil {
		gs.proxies[g] = map[*model.Value]*model.Value{}
	}
	gs.proxies[g][v] = p
	return p
}

// node adds an operator node to the current graph.
func (ts *tsBuilder) node(op, domain string, args []*sym, names []string, hints []string, nOut int) *model.Node {
	gs := ts.gs
	g := gs.cur
	gs.nodes++
	key := op
	gs.ops[key]++
	n := &model.Node{ID: int32(len(g.Nodes)), Op: op, Domain: domain,
		Name: op + "_" + strconv.Itoa(gs.ops[key]), Group: append([]string(nil), gs.group...)}
	g.Nodes = append(g.Nodes, n)
	schema := schemaArgs(domain, op)
	for i, a := range args {
		an := "arg" + strconv.Itoa(i)
		if i < len(names) && names[i] != "" {
			an = names[i]
		} else if i < len(schema) {
			an = schema[i]
		}
		ts.bindArg(n, an, a)
	}
	for i := 0; i < nOut; i++ {
		h := ""
		if i < len(hints) {
			h = hints[i]
		}
		if h == "" {
			h = op
		}
		v := gs.newValue(h)
		v.Producer = n
		n.Outputs = append(n.Outputs, v)
	}
	return n
}

var schemaCache = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

// schemaArgs names an operator's arguments from its ATen schema.
func schemaArgs(domain, op string) []string {
	key := domain + "::" + op
	schemaCache.Lock()
	defer schemaCache.Unlock()
	if a, ok := schemaCache.m[key]; ok {
		return a
	}
	a := strings.Fields(opArgs[key])
	schemaCache.m[key] = a
	return a
}

func (ts *tsBuilder) addInput(n *model.Node, v *model.Value) {
	u := ts.gs.use(v, ts.gs.cur)
	n.Inputs = append(n.Inputs, u)
	u.Consumers = append(u.Consumers, n)
}

// bindArg makes an argument an input (values) or an attribute (constants).
func (ts *tsBuilder) bindArg(n *model.Node, name string, a *sym) {
	switch a.kind {
	case symVal:
		ts.addInput(n, a.v)
	case symSeq:
		vals := ts.flatValues(a)
		if len(vals) == 0 || len(vals) != countLeaves(a) {
			// All or partly literal: keep the literal text.
			for _, v := range vals {
				ts.addInput(n, v)
			}
			var t pickle.Tuple
			for _, it := range a.items {
				if it.kind != symConst {
					t = nil
					break
				}
				t = append(t, it.c)
			}
			if at, ok := toAttr(name, t); ok && t != nil {
				n.Attrs = append(n.Attrs, at)
			} else {
				n.Attrs = append(n.Attrs, model.Attr{Name: name, Kind: model.AttrString, String: a.repr()})
			}
			return
		}
		for _, v := range vals {
			ts.addInput(n, v)
		}
	case symConst:
		if at, ok := toAttr(name, a.c); ok {
			n.Attrs = append(n.Attrs, at)
		} else {
			n.Attrs = append(n.Attrs, model.Attr{Name: name, Kind: model.AttrString, String: a.repr()})
		}
	default:
		n.Attrs = append(n.Attrs, model.Attr{Name: name, Kind: model.AttrString, String: a.repr()})
	}
}

func countLeaves(s *sym) int {
	if s.kind != symSeq {
		return 1
	}
	n := 0
	for _, it := range s.items {
		n += countLeaves(it)
	}
	return n
}

// flatValues lists the graph values in a sym (tuples flattened).
func (ts *tsBuilder) flatValues(s *sym) []*model.Value {
	switch s.kind {
	case symVal:
		return []*model.Value{s.v}
	case symSeq:
		var out []*model.Value
		for _, it := range s.items {
			out = append(out, ts.flatValues(it)...)
		}
		return out
	}
	return nil
}

// asValue turns a sym into one value, adding a Constant node for literals.
func (ts *tsBuilder) asValue(s *sym, hint string) *model.Value {
	switch s.kind {
	case symVal:
		return s.v
	case symSeq:
		op := "TupleConstruct"
		if s.list {
			op = "ListConstruct"
		}
		return ts.node(op, "prim", s.items, nil, []string{hint}, 1).Outputs[0]
	}
	return ts.node("Constant", "prim", []*sym{s}, []string{"value"}, []string{hint}, 1).Outputs[0]
}

func (ts *tsBuilder) limited() bool {
	if ts.gs.nodes >= maxNodes || ts.gs.depth >= maxInlineDepth || ts.gs.steps >= maxSteps {
		ts.gs.limited = true
		return true
	}
	return false
}

// groupFor is the cumulative module path: ["features", "features.0"].
func groupFor(path string) []string {
	if path == "" {
		return nil
	}
	parts := strings.Split(path, ".")
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = strings.Join(parts[:i+1], ".")
	}
	return out
}

// invoke runs a function body with bound arguments; self may be nil.
// hint names the value the body returns, as the caller will call it.
func (ts *tsBuilder) invoke(fn *funcDef, self *sym, args []*sym, kwNames []string, kwargs []*sym, hint string) *sym {
	gs := ts.gs
	e := newEnv()
	params := fn.Params
	if self != nil && len(params) > 0 {
		e.set(params[0].Name, self)
		params = params[1:]
	}
	for i, p := range params {
		var a *sym
		if i < len(args) {
			a = args[i]
		}
		for j, k := range kwNames {
			if k == p.Name {
				a = kwargs[j]
			}
		}
		if a == nil {
			if p.Default != nil {
				a = ts.eval(p.Default, e, "")
			} else {
				a = constSym(nil, "None")
			}
		}
		if a.kind == symVal {
			a = typed(a, p.Type)
		}
		e.set(p.Name, a)
	}
	gs.depth++
	saved := gs.retHint
	gs.retHint = hint
	ret, _ := ts.exec(fn.Body, e)
	gs.retHint = saved
	gs.depth--
	return ret
}

// exec runs statements; it returns the return value and whether a return
// statement was reached.
func (ts *tsBuilder) exec(body []stmt, e *env) (*sym, bool) {
	for _, s := range body {
		ts.gs.steps++
		switch s := s.(type) {
		case *sAssign:
			ts.assign(s, e)
		case *sExpr:
			ts.eval(s.X, e, "")
		case *sReturn:
			if s.X == nil {
				return constSym(nil, "None"), true
			}
			return ts.eval(s.X, e, ts.gs.retHint), true
		case *sIf:
			if r := ts.ifStmt(s, e); r != nil {
				return r, true
			}
		case *sFor:
			ts.loop(s.Targets, s.Iter, nil, s.Body, e)
		case *sWhile:
			ts.loop(nil, nil, s.Cond, s.Body, e)
		case *sRaise:
			var args []*sym
			if s.X != nil {
				args = append(args, ts.eval(s.X, e, ""))
			}
			ts.node("RaiseException", "prim", args, nil, nil, 0)
		}
	}
	return nil, false
}

func (ts *tsBuilder) assign(s *sAssign, e *env) {
	value := s.Value
	if s.Op != "" && len(s.Targets) == 1 {
		value = &eBin{Op: s.Op, L: s.Targets[0], R: s.Value}
	}
	hints := make([]string, len(s.Targets))
	for i, t := range s.Targets {
		if n, ok := t.(*eName); ok {
			hints[i] = n.Name
		}
	}
	var vals []*sym
	if len(s.Targets) == 1 {
		vals = []*sym{ts.eval(value, e, hints[0])}
	} else if tu, ok := value.(*eTuple); ok && len(tu.Items) == len(s.Targets) {
		for i, it := range tu.Items {
			vals = append(vals, ts.eval(it, e, hints[i]))
		}
	} else {
		r := ts.evalN(value, e, hints)
		if r.kind == symSeq && len(r.items) == len(s.Targets) {
			vals = r.items
		} else {
			n := ts.node("TupleUnpack", "prim", []*sym{r}, nil, hints, len(s.Targets))
			for _, o := range n.Outputs {
				vals = append(vals, &sym{kind: symVal, v: o})
			}
		}
	}
	for i, t := range s.Targets {
		switch t := t.(type) {
		case *eName:
			e.set(t.Name, vals[i])
		case *eIndex:
			x := ts.eval(t.X, e, "")
			idx := ts.eval(t.Index, e, "")
			ts.node("_set_item", "aten", []*sym{x, idx, vals[i]}, nil, nil, 0)
		}
	}
}

// assignedNames lists names assigned anywhere in a block, in order.
func assignedNames(body []stmt, out *[]string, seen map[string]bool) {
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			*out = append(*out, n)
		}
	}
	for _, s := range body {
		switch s := s.(type) {
		case *sAssign:
			for _, t := range s.Targets {
				if n, ok := t.(*eName); ok {
					add(n.Name)
				}
			}
		case *sIf:
			assignedNames(s.Then, out, seen)
			assignedNames(s.Else, out, seen)
		case *sFor:
			for _, t := range s.Targets {
				if n, ok := t.(*eName); ok {
					add(n.Name)
				}
			}
			assignedNames(s.Body, out, seen)
		case *sWhile:
			assignedNames(s.Body, out, seen)
		case *sReturn:
			add("$return")
		}
	}
}

// subgraph starts a nested graph owned by n.
func (ts *tsBuilder) subgraph(n *model.Node, attr string) *model.Graph {
	g := &model.Graph{Name: n.Name + "_" + attr, Parent: ts.gs.cur, Owner: n}
	n.Attrs = append(n.Attrs, model.Attr{Name: attr, Kind: model.AttrGraph, Graph: g})
	return g
}

func (ts *tsBuilder) ifStmt(s *sIf, e *env) *sym {
	gs := ts.gs
	cond := ts.eval(s.Cond, e, "")
	if b, ok := constTruth(cond); ok {
		// A literal condition (inplace=False, a Final constant): only one
		// branch can run, so show just that one.
		body := s.Else
		if b {
			body = s.Then
		}
		if r, ok := ts.exec(body, e); ok {
			return r
		}
		return nil
	}
	n := ts.node("If", "prim", []*sym{cond}, []string{"cond"}, nil, 0)
	outer := gs.cur
	var names []string
	seen := map[string]bool{}
	assignedNames(s.Then, &names, seen)
	assignedNames(s.Else, &names, seen)
	branch := func(body []stmt, attr string) (*model.Graph, *env) {
		g := ts.subgraph(n, attr)
		gs.cur = g
		be := e.clone()
		if r, ok := ts.exec(body, be); ok {
			be.set("$return", r)
		}
		gs.cur = outer
		return g, be
	}
	tg, te := branch(s.Then, "then_branch")
	eg, ee := branch(s.Else, "else_branch")
	var ret *sym
	for _, name := range names {
		tv, ok1 := te.vars[name]
		ev, ok2 := ee.vars[name]
		if !ok1 || !ok2 {
			continue // only defined on one side: not visible after the if
		}
		if tv == e.vars[name] && ev == e.vars[name] {
			continue
		}
		if tv.kind == symMod || ev.kind == symMod || tv.kind == symName {
			e.set(name, tv)
			continue
		}
		gs.cur = tg
		tg.Outputs = append(tg.Outputs, gs.use(ts.asValue(tv, name), tg))
		gs.cur = eg
		eg.Outputs = append(eg.Outputs, gs.use(ts.asValue(ev, name), eg))
		gs.cur = outer
		hint := name
		if name == "$return" {
			hint = "ret"
		}
		v := gs.newValue(hint)
		v.Producer = n
		n.Outputs = append(n.Outputs, v)
		if name == "$return" {
			ret = &sym{kind: symVal, v: v}
		} else {
			e.set(name, &sym{kind: symVal, v: v})
		}
	}
	return ret
}

// loop builds a Loop node: for targets in iter, or while cond.
func (ts *tsBuilder) loop(targets []expr, iter expr, cond expr, body []stmt, e *env) {
	gs := ts.gs
	var args []*sym
	var argNames []string
	if iter != nil {
		it := iter
		if c, ok := iter.(*eCall); ok {
			if n, ok := c.Fn.(*eName); ok && n.Name == "range" && len(c.Args) == 1 {
				it = c.Args[0]
			}
		}
		args = append(args, ts.eval(it, e, ""))
		argNames = append(argNames, "iter")
	} else {
		args = append(args, ts.eval(cond, e, ""))
		argNames = append(argNames, "cond")
	}
	var names []string
	assignedNames(body, &names, map[string]bool{})
	var carried []string
	for _, n := range names {
		if s, ok := e.vars[n]; ok && s.kind != symMod && s.kind != symName {
			carried = append(carried, n)
		}
	}
	for _, c := range carried {
		args = append(args, e.vars[c])
		argNames = append(argNames, c)
	}
	n := ts.node("Loop", "prim", args, argNames, nil, 0)
	outer := gs.cur
	g := ts.subgraph(n, "body")
	gs.cur = g
	be := e.clone()
	for _, t := range targets {
		if nm, ok := t.(*eName); ok {
			v := gs.newValue(nm.Name)
			g.Inputs = append(g.Inputs, v)
			be.set(nm.Name, &sym{kind: symVal, v: v})
		}
	}
	for _, c := range carried {
		v := gs.newValue(c)
		g.Inputs = append(g.Inputs, v)
		be.set(c, &sym{kind: symVal, v: v})
	}
	ts.exec(body, be)
	if cond != nil {
		g.Outputs = append(g.Outputs, gs.use(ts.asValue(ts.eval(cond, be, ""), "cond"), g))
	}
	for _, c := range carried {
		g.Outputs = append(g.Outputs, gs.use(ts.asValue(be.vars[c], c), g))
	}
	gs.cur = outer
	for _, c := range carried {
		v := gs.newValue(c)
		v.Producer = n
		n.Outputs = append(n.Outputs, v)
		e.set(c, &sym{kind: symVal, v: v})
	}
}

var binOps = map[string]string{"+": "add", "-": "sub", "*": "mul", "/": "div", "//": "floordiv",
	"%": "remainder", "**": "pow", "==": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le",
	">=": "ge", "&": "__and__", "|": "__or__", "^": "__xor__", "<<": "__lshift__", ">>": "__rshift__",
	"is": "__is__", "is not": "__isnot__", "in": "__contains__", "not in": "__contains__", "@": "matmul",
	"and": "__and__", "or": "__or__"}

func (ts *tsBuilder) eval(x expr, e *env, hint string) *sym {
	return ts.evalN(x, e, []string{hint})
}

// evalN evaluates an expression; hints name the outputs of the node it
// creates (several for a tuple assignment).
func (ts *tsBuilder) evalN(x expr, e *env, hints []string) *sym {
	hint := ""
	if len(hints) > 0 {
		hint = hints[0]
	}
	switch x := x.(type) {
	case *eConst:
		return constSym(x.Val, x.Text)
	case *eName:
		if s, ok := e.vars[x.Name]; ok {
			return s
		}
		return &sym{kind: symName, name: x.Name}
	case *eAttr:
		base := ts.eval(x.X, e, "")
		return ts.attr(base, x.Name, hint)
	case *eTuple, *eList:
		var items []expr
		list := false
		if t, ok := x.(*eTuple); ok {
			items = t.Items
		} else {
			items, list = x.(*eList).Items, true
		}
		s := &sym{kind: symSeq, list: list}
		for _, it := range items {
			s.items = append(s.items, ts.eval(it, e, ""))
		}
		return s
	case *eDict:
		var args []*sym
		for i := range x.Keys {
			args = append(args, ts.eval(x.Keys[i], e, ""), ts.eval(x.Values[i], e, ""))
		}
		return &sym{kind: symVal, v: ts.node("DictConstruct", "prim", args, nil, []string{hint}, 1).Outputs[0]}
	case *eIndex:
		base := ts.eval(x.X, e, "")
		idx := ts.eval(x.Index, e, "")
		if base.kind == symSeq && idx.kind == symConst {
			if i, ok := idx.c.(int64); ok {
				if i < 0 {
					i += int64(len(base.items))
				}
				if i >= 0 && i < int64(len(base.items)) {
					return base.items[i]
				}
			}
		}
		return ts.result(ts.node("__getitem__", "aten", []*sym{base, idx}, nil, []string{hint}, 1))
	case *eSlice:
		var parts []*sym
		for _, p := range []expr{x.Lo, x.Hi, x.Step} {
			if p == nil {
				parts = append(parts, constSym(nil, "None"))
			} else {
				parts = append(parts, ts.eval(p, e, ""))
			}
		}
		return &sym{kind: symSeq, items: parts}
	case *eUnary:
		v := ts.eval(x.X, e, "")
		if v.kind == symConst && !v.mutable {
			switch c := v.c.(type) {
			case bool:
				if x.Op == "not" {
					return constSym(!c, strconv.FormatBool(!c))
				}
			case int64:
				if x.Op == "-" {
					return constSym(-c, strconv.FormatInt(-c, 10))
				}
			}
		}
		op := map[string]string{"-": "neg", "not": "__not__", "~": "bitwise_not", "+": "pos"}[x.Op]
		return ts.result(ts.node(op, "aten", []*sym{v}, nil, []string{hint}, 1))
	case *eBin:
		l := ts.eval(x.L, e, "")
		r := ts.eval(x.R, e, "")
		if l.kind == symConst && r.kind == symConst && !l.mutable && !r.mutable {
			if f, ok := foldConst(x.Op, l.c, r.c); ok {
				return f
			}
		}
		if x.Op == "is" || x.Op == "is not" {
			if f, ok := foldNone(x.Op, l, r); ok {
				return f
			}
		}
		op := binOps[x.Op]
		if op == "" {
			op = x.Op
		}
		if x.Op == "in" || x.Op == "not in" {
			l, r = r, l
		}
		return ts.result(ts.node(op, "aten", []*sym{l, r}, nil, []string{hint}, 1))
	case *eIfExp:
		c := ts.eval(x.Cond, e, "")
		if c.kind == symConst {
			if b, ok := c.c.(bool); ok {
				if b {
					return ts.eval(x.A, e, hint)
				}
				return ts.eval(x.B, e, hint)
			}
		}
		a := ts.eval(x.A, e, "")
		b := ts.eval(x.B, e, "")
		return ts.result(ts.node("IfExp", "prim", []*sym{c, a, b}, []string{"cond", "then", "else"}, []string{hint}, 1))
	case *eCall:
		return ts.call(x, e, hints)
	}
	return constSym(nil, "?")
}

func first(s []string) string {
	if len(s) > 0 {
		return s[0]
	}
	return ""
}

func (ts *tsBuilder) result(n *model.Node) *sym {
	if len(n.Outputs) == 1 {
		return &sym{kind: symVal, v: n.Outputs[0]}
	}
	s := &sym{kind: symSeq}
	for _, o := range n.Outputs {
		s.items = append(s.items, &sym{kind: symVal, v: o})
	}
	return s
}

var cmpOps = map[string]string{"lt": "<", "gt": ">", "le": "<=", "ge": ">=", "eq": "==", "ne": "!=",
	"add": "+", "sub": "-", "mul": "*"}

// foldCall evaluates scalar ops on literals as TorchScript's constant
// propagation does (torch.len([1, 1]), torch.lt(0.2, 0.)), so branches
// they guard fold away.
func foldCall(op string, args, kw []*sym) (*sym, bool) {
	if len(kw) > 0 {
		return nil, false
	}
	if (op == "__is__" || op == "__isnot__") && len(args) == 2 {
		is := "is"
		if op == "__isnot__" {
			is = "is not"
		}
		if args[0].kind == symVal && args[1].kind == symVal && args[0].v == args[1].v {
			r := is == "is"
			return constSym(r, strconv.FormatBool(r)), true
		}
		if f, ok := foldNone(is, args[0], args[1]); ok {
			return f, true
		}
		if args[0].kind == symConst && args[1].kind == symConst && !args[0].mutable && !args[1].mutable &&
			(args[0].c == nil || args[1].c == nil) {
			return foldConst(is, args[0].c, args[1].c)
		}
	}
	if op == "__not__" && len(args) == 1 {
		if b, ok := constTruth(args[0]); ok {
			return constSym(!b, strconv.FormatBool(!b)), true
		}
	}
	for _, a := range args {
		if a.mutable || (a.kind != symConst && a.kind != symSeq) {
			return nil, false
		}
		if a.kind == symSeq {
			for _, it := range a.items {
				if it.kind != symConst || it.mutable {
					return nil, false
				}
			}
		}
	}
	switch {
	case op == "len" && len(args) == 1 && args[0].kind == symSeq:
		n := int64(len(args[0].items))
		return constSym(n, strconv.FormatInt(n, 10)), true
	case cmpOps[op] != "" && len(args) == 2 && args[0].kind == symConst && args[1].kind == symConst:
		return foldConst(cmpOps[op], args[0].c, args[1].c)
	}
	return nil, false
}

// constTruth is the truth value of a literal condition.
func constTruth(s *sym) (bool, bool) {
	if s.kind != symConst || s.mutable {
		return false, false
	}
	switch c := s.c.(type) {
	case bool:
		return c, true
	case nil:
		return false, s.text == "None"
	case int64:
		return c != 0, true
	}
	return false, false
}

func asFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// foldNone decides "x is None" from x's declared type.
func foldNone(op string, l, r *sym) (*sym, bool) {
	isNone := func(s *sym) bool { return s.kind == symConst && !s.mutable && s.c == nil && s.text == "None" }
	x := l
	if isNone(l) {
		x = r
	} else if !isNone(r) {
		return nil, false
	}
	if (x.kind == symVal || x.kind == symSeq || x.kind == symMod) && (x.kind != symVal || neverNone(x.typ)) {
		res := op == "is not"
		return constSym(res, strconv.FormatBool(res)), true
	}
	return nil, false
}

func foldConst(op string, a, b any) (*sym, bool) {
	if af, ok := asFloat(a); ok {
		if bf, ok := asFloat(b); ok {
			var r any
			switch op {
			case "==":
				r = af == bf
			case "!=":
				r = af != bf
			case "<":
				r = af < bf
			case ">":
				r = af > bf
			case "<=":
				r = af <= bf
			case ">=":
				r = af >= bf
			}
			if r != nil {
				return constSym(r, fmt.Sprint(r)), true
			}
		}
	}
	ai, aok := a.(int64)
	bi, bok := b.(int64)
	if aok && bok {
		var r any
		switch op {
		case "+":
			r = ai + bi
		case "-":
			r = ai - bi
		case "*":
			r = ai * bi
		case "==":
			r = ai == bi
		case "!=":
			r = ai != bi
		case "<":
			r = ai < bi
		case ">":
			r = ai > bi
		case "<=":
			r = ai <= bi
		case ">=":
			r = ai >= bi
		default:
			return nil, false
		}
		return constSym(r, fmt.Sprint(r)), true
	}
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok && (op == "==" || op == "!=") {
			r := (as == bs) == (op == "==")
			return constSym(r, strconv.FormatBool(r)), true
		}
	}
	if (op == "is" || op == "is not") && (a == nil || b == nil) {
		r := (a == nil && b == nil) == (op == "is")
		return constSym(r, strconv.FormatBool(r)), true
	}
	return nil, false
}

// attr resolves base.name.
func (ts *tsBuilder) attr(base *sym, name, hint string) *sym {
	switch base.kind {
	case symName:
		if base.name == "CONSTANTS" && strings.HasPrefix(name, "c") {
			if i, err := strconv.Atoi(name[1:]); err == nil {
				return ts.constant(i)
			}
		}
		return &sym{kind: symName, name: base.name + "." + name}
	case symMod:
		return ts.moduleAttr(base.mod, name)
	case symVal:
		return ts.result(ts.node(name, "prim", []*sym{base}, nil, []string{hint}, 1))
	}
	return constSym(nil, base.repr()+"."+name)
}

// constant is CONSTANTS.cN: a tensor from constants.pkl.
func (ts *tsBuilder) constant(i int) *sym {
	gs := ts.gs
	if v, ok := gs.consts[i]; ok {
		return &sym{kind: symVal, v: v}
	}
	if i < 0 || i >= len(ts.consts) {
		return constSym(nil, "CONSTANTS.c"+strconv.Itoa(i))
	}
	c := ts.consts[i]
	t, ok := asTensor(c)
	if !ok {
		return constSym(c, pickle.Repr(c))
	}
	name := "CONSTANTS.c" + strconv.Itoa(i)
	mt := t.toModel(name, ts.b.bigEndian)
	cur := gs.cur
	gs.cur = gs.main
	v := gs.newValue(name)
	gs.cur = cur
	v.Initializer = mt
	v.Type = &model.Type{Kind: model.TensorType, DType: mt.DType, Shape: model.Fixed(mt.Dims...)}
	gs.consts[i] = v
	return &sym{kind: symVal, v: v}
}

func (ts *tsBuilder) moduleAttr(tm *tsModule, name string) *sym {
	v, ok := tm.attr(name)
	if !ok {
		if tm.class != nil {
			for _, c := range tm.class.Consts {
				if c.Name == name {
					if k, ok := c.Default.(*eConst); ok {
						return constSym(k.Val, k.Text)
					}
				}
			}
		}
		return &sym{kind: symName, name: "self." + join(tm.path, name)}
	}
	path := join(tm.path, name)
	declared := ""
	if tm.class != nil {
		declared = tm.class.Attrs[name]
	}
	if v == nil && declared == "NoneType" {
		return constSym(nil, "None")
	}
	if o, ok := v.(*pickle.Object); ok {
		if child, ok := ts.modules[o]; ok {
			if child.path != path {
				// A shared module reached by another path: same object.
				c := *child
				c.path = path
				return &sym{kind: symMod, mod: &c}
			}
			return &sym{kind: symMod, mod: child}
		}
		if strings.HasPrefix(className(o), "__torch__.") {
			c := &tsModule{obj: o, path: path, qual: className(o), state: stateDict(o)}
			c.class = ts.code.class(c.qual)
			ts.modules[o] = c
			return &sym{kind: symMod, mod: c}
		}
	}
	if t, ok := asTensor(v); ok {
		if val, ok := ts.b.values[path]; ok {
			return &sym{kind: symVal, v: val, typ: declared}
		}
		if val, ok := ts.gs.extra[path]; ok {
			return &sym{kind: symVal, v: val, typ: declared}
		}
		// A tensor attribute that is neither parameter nor buffer.
		cur := ts.gs.cur
		ts.gs.cur = ts.gs.main
		val := ts.gs.newValue(path)
		ts.gs.cur = cur
		val.Initializer = t.toModel(path, ts.b.bigEndian)
		ts.gs.extra[path] = val
		return &sym{kind: symVal, v: val}
	}
	// A module attribute (training, use_res_connect) can change at run
	// time, unlike a Final constant: never fold a branch on it.
	s := constSym(v, "self."+path)
	s.mutable = true
	return s
}

var builtinOps = map[string]string{"bool": "Bool", "int": "Int", "float": "Float", "len": "len",
	"str": "str", "abs": "abs", "min": "min", "max": "max", "round": "round", "print": "print",
	"divmod": "divmod", "list": "list", "hash": "hash", "ord": "ord", "chr": "chr"}

func (ts *tsBuilder) call(c *eCall, e *env, hints []string) *sym {
	evalArgs := func() ([]*sym, []*sym) {
		args := make([]*sym, len(c.Args))
		for i, a := range c.Args {
			args[i] = ts.eval(a, e, "")
		}
		kw := make([]*sym, len(c.Kwargs))
		for i, a := range c.Kwargs {
			kw[i] = ts.eval(a, e, "")
		}
		return args, kw
	}
	// Method call: (module).method(...)
	if at, ok := c.Fn.(*eAttr); ok {
		base := ts.eval(at.X, e, "")
		if base.kind == symMod {
			args, kw := evalArgs()
			return ts.callMethod(base.mod, at.Name, args, c.KwName, kw, hints)
		}
		if base.kind == symVal {
			args, kw := evalArgs()
			all := append([]*sym{base}, args...)
			return ts.opNode(at.Name, "aten", all, c.KwName, kw, hints)
		}
		fn := ts.attr(base, at.Name, "")
		if fn.kind == symName {
			args, kw := evalArgs()
			return ts.callName(fn.name, args, c.KwName, kw, hints)
		}
	}
	fn := ts.eval(c.Fn, e, "")
	args, kw := evalArgs()
	if fn.kind != symName {
		return ts.opNode("call", "prim", append([]*sym{fn}, args...), c.KwName, kw, hints)
	}
	switch fn.name {
	case "annotate", "unchecked_cast":
		if len(args) == 2 {
			if args[1].kind == symVal && len(c.Args) == 2 {
				if t, ok := c.Args[0].(*eName); ok {
					return typed(args[1], t.Name)
				}
				return typed(args[1], "Tensor")
			}
			return args[1]
		}
	case "uninitialized":
		return constSym(nil, "uninitialized")
	case "isinstance", "hasattr":
		return constSym(nil, fn.name+"(…)")
	case "getattr":
		if len(args) >= 2 && args[0].kind == symMod && args[1].kind == symConst {
			if s, ok := args[1].c.(string); ok {
				return ts.moduleAttr(args[0].mod, s)
			}
		}
	case "range":
		return ts.opNode("range", "prim", args, c.KwName, kw, hints)
	}
	if op, ok := builtinOps[fn.name]; ok {
		if len(args) == 1 && args[0].kind == symConst && (fn.name == "int" || fn.name == "float" || fn.name == "bool") {
			return args[0]
		}
		// int(ops.prim.NumToTensor(n)) is n (traced shape arithmetic),
		// the peephole torch applies too.
		if len(args) == 1 && args[0].kind == symVal && (fn.name == "int" || fn.name == "float") {
			if p := args[0].v.Producer; p != nil && p.Op == "NumToTensor" && p.Domain == "prim" && len(p.Inputs) == 1 {
				return &sym{kind: symVal, v: p.Inputs[0]}
			}
		}
		dom := "aten"
		if fn.name == "min" || fn.name == "max" || fn.name == "print" {
			dom = "prim"
		}
		return ts.opNode(op, dom, args, c.KwName, kw, hints)
	}
	return ts.callName(fn.name, args, c.KwName, kw, hints)
}

// callName calls a global: torch.* ops, ops.ns.*, __torch__ functions.
func (ts *tsBuilder) callName(q string, args []*sym, kwNames []string, kw []*sym, hints []string) *sym {
	switch {
	case q == "torch.device" || q == "torch.dtype" || q == "torch.layout" || q == "torch.memory_format":
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = a.repr()
		}
		return constSym(nil, q+"("+strings.Join(parts, ", ")+")")
	case strings.HasPrefix(q, "__torch__."):
		if fn := ts.code.function(q); fn != nil && !ts.limited() {
			return ts.invoke(fn, nil, args, kwNames, kw, first(hints))
		}
		_, short := splitQual(demangle(q))
		return ts.opNode(short, "", args, kwNames, kw, hints)
	case strings.HasPrefix(q, "torch."):
		rest := strings.TrimPrefix(q, "torch.")
		if f, ok := foldCall(rest, args, kw); ok {
			return f
		}
		for _, p := range []string{"nn.functional.", "_C._nn.", "_C._fft.", "_C._linalg.", "_C._special.", "linalg.", "fft.", "special."} {
			rest = strings.TrimPrefix(rest, p)
		}
		return ts.opNode(rest, "aten", args, kwNames, kw, hints)
	case strings.HasPrefix(q, "ops."):
		parts := strings.SplitN(strings.TrimPrefix(q, "ops."), ".", 2)
		if len(parts) == 2 {
			return ts.opNode(parts[1], parts[0], args, kwNames, kw, hints)
		}
	case strings.HasPrefix(q, "math."):
		return ts.opNode(strings.TrimPrefix(q, "math."), "aten", args, kwNames, kw, hints)
	}
	return ts.opNode(q, "", args, kwNames, kw, hints)
}

func (ts *tsBuilder) opNode(op, domain string, args []*sym, kwNames []string, kw []*sym, hints []string) *sym {
	names := make([]string, len(args), len(args)+len(kw))
	all := append(append([]*sym(nil), args...), kw...)
	names = append(names, kwNames...)
	n := len(hints)
	if n == 0 {
		n = 1
	}
	return ts.result(ts.node(op, domain, all, names, hints, n))
}

func (ts *tsBuilder) callMethod(tm *tsModule, method string, args []*sym, kwNames []string, kw []*sym, hints []string) *sym {
	gs := ts.gs
	var fn *funcDef
	if tm.class != nil {
		fn = tm.class.Methods[method]
	}
	if fn == nil || ts.limited() {
		_, short := splitQual(demangle(tm.qual))
		op := short
		if method != "forward" {
			op = short + "." + method
		}
		saved := gs.group
		gs.group = groupFor(tm.path)
		r := ts.opNode(op, "", args, kwNames, kw, hints)
		gs.group = saved
		return r
	}
	saved := gs.group
	gs.group = groupFor(tm.path)
	r := ts.invoke(fn, &sym{kind: symMod, mod: tm}, args, kwNames, kw, first(hints))
	gs.group = saved
	if r == nil {
		return constSym(nil, "None")
	}
	return r
}
