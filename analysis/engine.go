package analysis

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/modelviz/modelviz/model"
)

// tval is what analysis knows about one value.
type tval struct {
	kind  model.TypeKind
	dtype model.DType
	shape model.Shape // nil: rank unknown
	elem  *model.Type // element type of sequences/optionals (recorded)
	seq   *tval       // inferred element of a sequence/optional
	c     *cval       // folded contents, when small and known
	lazy  *model.Tensor
	tried int // largest limit a load of lazy was tried with
}

// engine runs inference over a model.
type engine struct {
	m          *model.Model
	opset      int64
	opt        Options
	vals       map[*model.Value]*tval
	costs      map[*model.Node]Cost
	unknown    map[*model.Node]bool  // MACs not computable: shapes unknown
	seenW      map[*model.Value]bool // weights already counted as params
	files      map[string]*os.File
	blocks     map[blockKey][]byte
	cached     int64
	depth      int
	steps      int // nodes visited, bounds work on recursive functions
	assume     map[string]bool
	panics     int // op rules that panicked (a bug; tests require 0)
	firstPanic string
}

const (
	maxDepth = 32      // nested subgraphs / function calls
	maxSteps = 4000000 // node visits in one Analyze
)

func newEngine(m *model.Model, opt Options) *engine {
	nv := 0
	for _, g := range m.Graphs {
		if g != nil {
			nv += len(g.Values)
		}
	}
	e := &engine{m: m, opt: opt, opset: 21,
		vals:    make(map[*model.Value]*tval, nv),
		costs:   make(map[*model.Node]Cost, nv/2),
		unknown: map[*model.Node]bool{},
		seenW:   map[*model.Value]bool{},
		files:   map[string]*os.File{},
		blocks:  map[blockKey][]byte{},
		assume:  map[string]bool{},
	}
	for _, o := range m.Opsets {
		if o.Domain == "" || o.Domain == "ai.onnx" {
			e.opset = o.Version
		}
	}
	return e
}

// root follows Outer links to the value that owns the data.
func root(v *model.Value) *model.Value {
	for i := 0; v != nil && v.Outer != nil && i < 1000; i++ {
		v = v.Outer
	}
	return v
}

func typeToTval(t *model.Type) *tval {
	if t == nil {
		return nil
	}
	tv := &tval{kind: t.Kind, dtype: t.DType, shape: sanitizeShape(t.Shape), elem: t.Elem}
	if t.Kind != model.TensorType && t.Kind != model.SparseTensorType {
		tv.shape = nil
		if (t.Kind == model.SequenceType || t.Kind == model.OptionalType) && t.Elem != nil && t.Elem != t {
			tv.seq = typeToTval(t.Elem)
		}
	}
	return tv
}

// get returns what is known about v (nil: nothing).
func (e *engine) get(v *model.Value) *tval {
	if v == nil {
		return nil
	}
	if t, ok := e.vals[v]; ok {
		return t
	}
	if v.Outer != nil {
		r := root(v)
		if r != v {
			t := e.get(r)
			e.vals[v] = t
			return t
		}
	}
	var t *tval
	if v.Initializer != nil {
		ti := v.Initializer
		t = &tval{dtype: ti.DType, lazy: ti}
		if len(ti.Dims) <= maxRank {
			t.shape = sanitizeShape(model.Fixed(ti.Dims...))
		}
		if ti.Sparse {
			t.kind = model.SparseTensorType
		}
	} else {
		t = typeToTval(v.Type)
	}
	e.vals[v] = t
	return t
}

// constOf returns the folded contents of t, loading a small initializer
// or Constant tensor of at most limit elements on first use.
func (e *engine) constOf(t *tval, limit int) *cval {
	if t == nil {
		return nil
	}
	if t.c != nil {
		return t.c
	}
	if t.lazy != nil && limit > t.tried {
		t.tried = limit
		t.c = decodeTensor(t.lazy, limit, e.read)
	}
	return t.c
}

// mayFold reports whether t's contents are known or loadable within limit,
// without loading anything.
func mayFold(t *tval, limit int) bool {
	if t == nil {
		return false
	}
	if t.c != nil {
		return true
	}
	if t.lazy == nil || limit <= t.tried {
		return false
	}
	n := t.lazy.NumElements()
	return n >= 0 && n <= int64(limit)
}

// read returns the bytes of a small tensor. Tensors stored in a file are
// read through one handle per file, kept open for this Analyze, in 64 KiB
// blocks that are cached (a model with thousands of tiny Constant tensors
// would otherwise cost thousands of opens and reads); anything else goes
// through Tensor.Load. At most maxCache bytes of blocks are kept.
func (e *engine) read(t *model.Tensor, want int64) ([]byte, error) {
	if (t.Location == "embedded" || t.Location == "external") && t.File != "" && t.Length == want && t.Offset >= 0 && want <= blockSize {
		if b, ok := e.readCached(t.File, t.Offset, want); ok {
			return b, nil
		}
	}
	return t.Load()
}

const (
	blockSize = 64 << 10
	maxCache  = 32 << 20
)

type blockKey struct {
	file  string
	block int64
}

func (e *engine) readCached(file string, off, n int64) ([]byte, bool) {
	f, ok := e.files[file]
	if !ok {
		if len(e.files) >= 64 {
			return nil, false
		}
		f, _ = os.Open(file)
		e.files[file] = f
	}
	if f == nil {
		return nil, false
	}
	out := make([]byte, 0, n)
	for pos := off; pos < off+n; {
		k := blockKey{file, pos / blockSize}
		blk, ok := e.blocks[k]
		if !ok {
			if e.cached+blockSize > maxCache {
				return nil, false
			}
			buf := make([]byte, blockSize)
			m, err := f.ReadAt(buf, k.block*blockSize)
			if err != nil && m == 0 {
				return nil, false
			}
			blk = buf[:m]
			e.blocks[k] = blk
			e.cached += blockSize
		}
		i := pos - k.block*blockSize
		if i >= int64(len(blk)) {
			return nil, false // past the end of the file
		}
		take := min(int64(len(blk))-i, off+n-pos)
		out = append(out, blk[i:i+take]...)
		pos += take
	}
	return out, true
}

func (e *engine) close() {
	for _, f := range e.files {
		if f != nil {
			f.Close()
		}
	}
}

// merge combines an inferred type with the recorded one: recorded known
// dims win over anything, inferred known dims over recorded symbols,
// symbols over unknowns. A recorded rank that differs wins. With
// preferInferred (the user set input shapes, so the recorded sizes may no
// longer hold) inferred sizes win over recorded ones.
func merge(inf *tval, rec *model.Type, preferInferred bool) *tval {
	if rec == nil {
		return inf
	}
	r := typeToTval(rec)
	if inf == nil {
		return r
	}
	out := *inf
	if r.dtype != model.Undefined {
		out.dtype = r.dtype
	}
	if r.kind != model.TensorType {
		if inf.kind != r.kind || r.seq != nil {
			out.seq = r.seq
		}
		out.kind, out.elem, out.shape, out.c = r.kind, r.elem, nil, nil
		return &out
	}
	switch {
	case r.shape == nil:
	case inf.shape == nil || (len(inf.shape) != len(r.shape) && !preferInferred):
		out.shape = r.shape
		out.c = nil
	case len(inf.shape) != len(r.shape):
	default:
		s := cloneShape(inf.shape)
		for i, d := range r.shape {
			switch {
			case d.Known && preferInferred && s[i].Known:
			case d.Known:
				if !sameDim(d, s[i]) {
					out.c = nil
				}
				s[i] = d
			case d.Param != "" && !s[i].Known:
				s[i] = d
			}
		}
		out.shape = s
	}
	return &out
}

func (t *tval) toType() *model.Type {
	if t == nil {
		return nil
	}
	ty := &model.Type{Kind: t.kind, DType: t.dtype, Elem: t.elem}
	if t.kind == model.TensorType || t.kind == model.SparseTensorType {
		ty.Shape = t.shape // shapes are never modified once set
	}
	if t.seq != nil && t.seq != t {
		ty.Elem = t.seq.toType()
	}
	return ty
}

// runGraph infers every value of g. Graph inputs come from the recorded
// types (or overrides, for the main graph) unless bound already.
func (e *engine) runGraph(g *model.Graph, overrides map[string]model.Shape) {
	if g == nil {
		return
	}
	for i, v := range g.Inputs {
		if v == nil {
			continue
		}
		t := e.get(v)
		sh, ok := overrides[v.Name]
		if !ok && i == 0 {
			sh, ok = overrides[""]
		}
		if ok {
			if t == nil {
				t = &tval{dtype: model.Undefined}
			} else {
				c := *t
				t = &c
			}
			t.kind = model.TensorType
			if t.dtype == model.Undefined {
				t.dtype = model.Float32 // --input on an untyped input (TorchScript)
			}
			t.shape = sanitizeShape(cloneShape(sh))
			t.c = nil
			e.vals[v] = t
		}
	}
	for _, v := range g.Initializers {
		e.get(v)
	}
	for _, n := range g.Nodes {
		if n == nil {
			continue
		}
		e.node(n)
	}
}

// node infers the outputs and the cost of one node. A panic inside an op
// rule (a bug meeting hostile input) leaves the outputs unknown.
func (e *engine) node(n *model.Node) {
	e.steps++
	if e.steps > maxSteps {
		return
	}
	ins := make([]*tval, len(n.Inputs))
	for i, v := range n.Inputs {
		ins[i] = e.get(v)
	}
	outs := make([]*tval, len(n.Outputs))
	func() {
		defer func() {
			if r := recover(); r != nil {
				e.panics++
				if e.firstPanic == "" {
					e.firstPanic = fmt.Sprintf("%s: %v\n%s", n.Op, r, debug.Stack())
				}
				for i := range outs {
					outs[i] = nil
				}
			}
		}()
		e.infer(n, ins, outs)
	}()
	for i, v := range n.Outputs {
		if v == nil {
			continue
		}
		t := outs[i]
		if t != nil {
			t.shape = sanitizeShape(t.shape)
			if t.c != nil && t.shape != nil && !sameInts(t.c.dims, t.shape) {
				t.c = nil
			}
		}
		if !e.opt.IgnoreRecorded {
			t = merge(t, v.Type, len(e.opt.Inputs) > 0)
		}
		e.vals[v] = t
		outs[i] = t
	}
	c := e.cost(n, ins, outs)
	unk := c.MACs == 0 && macsUnknown(n, ins, outs)
	for _, sg := range n.Subgraphs() {
		c = addCost(c, e.graphCost(sg.Graph))
		unk = unk || e.graphUnknown(sg.Graph)
	}
	if n.Function != nil && n.Function.Body != nil {
		c = addCost(c, e.graphCost(n.Function.Body))
		unk = unk || e.graphUnknown(n.Function.Body)
	}
	e.costs[n] = c
	if unk {
		e.unknown[n] = true
	}
}

// graphUnknown reports whether some node of a subgraph (computed already)
// has MACs that could not be counted.
func (e *engine) graphUnknown(g *model.Graph) bool {
	if g == nil {
		return false
	}
	for _, n := range g.Nodes {
		if n != nil && e.unknown[n] {
			return true
		}
	}
	return false
}

func sameInts(dims []int64, s model.Shape) bool {
	if len(dims) != len(s) {
		return false
	}
	for i, d := range s {
		if d.Known && d.Value != dims[i] {
			return false
		}
	}
	return true
}

func addCost(a, b Cost) Cost {
	a.Params += b.Params
	a.MACs += b.MACs
	a.ActivationBytes += b.ActivationBytes
	return a
}

// graphCost sums the costs of a subgraph's nodes (computed already).
func (e *engine) graphCost(g *model.Graph) Cost {
	var c Cost
	if g == nil {
		return c
	}
	for _, n := range g.Nodes {
		if n != nil {
			c = addCost(c, e.costs[n])
		}
	}
	return c
}

// runSub infers a subgraph with its formal inputs bound to ins.
func (e *engine) runSub(g *model.Graph, ins []*tval) []*tval {
	if g == nil || e.depth >= maxDepth {
		return nil
	}
	e.depth++
	defer func() { e.depth-- }()
	for i, v := range g.Inputs {
		if v == nil {
			continue
		}
		var t *tval
		if i < len(ins) {
			t = ins[i]
		}
		if t == nil {
			t = typeToTval(v.Type)
		} else if v.Type != nil {
			if e.opt.IgnoreRecorded {
				t = copyT(t)
				if t.dtype == model.Undefined {
					t.dtype = v.Type.DType
				}
			} else {
				t = merge(t, v.Type, len(e.opt.Inputs) > 0)
			}
		}
		e.vals[v] = t
	}
	e.runGraph(g, nil)
	outs := make([]*tval, len(g.Outputs))
	for i, v := range g.Outputs {
		outs[i] = e.get(v)
	}
	return outs
}
