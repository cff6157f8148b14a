package onnx

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// Limits against hostile files.
const (
	maxGraphDepth = 64  // nested subgraph levels
	maxTypeDepth  = 64  // nested sequence/map/optional types
	maxWarnings   = 100 // further warnings are counted, not kept
	maxRank       = 1 << 16
)

// maxStructBytes bounds the estimated memory of the parsed structure. A
// file of tiny messages (a node costs 2 bytes of protobuf and hundreds in
// memory) would otherwise need ~100 times its size. A variable for tests.
var maxStructBytes int64 = 2 << 30

// parser turns the bytes of a ModelProto into a model. The bytes are read
// only during parsing; tensors keep file offsets, never the bytes.
type parser struct {
	path string // absolute path of the model file, for Tensor.File
	ext  *externals

	warnings []string
	dropped  int
	spent    int64             // estimated bytes of structure allocated so far
	names    map[string]string // interned value names and op types
	// Slabs: many small objects from few allocations. Slices handed out
	// are capped, so later appends never write into them.
	strs      []string
	vals      []*model.Value
	nodeSlab  []model.Node
	valueSlab []model.Value
	attrSlab  []model.Attr
	groups    map[string][]string // shared group slices by path
}

// graphRaw holds a graph while names are not yet linked to values.
type graphRaw struct {
	g         *model.Graph
	nodes     []nodeRaw
	inputs    []valueInfo
	outputs   []valueInfo
	valueInfo []valueInfo
	inits     []*model.Tensor
}

type nodeRaw struct {
	n       *model.Node
	inputs  []string
	outputs []string
	subs    []*graphRaw // graphs of its attributes, in attribute order
}

type valueInfo struct {
	name string
	typ  *model.Type
	doc  string
}

// name returns the string field, sharing one copy per distinct name: each
// value name appears at its producer and at every consumer.
func (p *parser) name(f *fields) (string, error) {
	if f.typ != 2 {
		return "", f.wrong()
	}
	if s, ok := p.names[string(f.bytes)]; ok {
		return s, nil
	}
	s := string(f.bytes)
	if p.names == nil {
		p.names = make(map[string]string)
	}
	p.names[s] = s
	return s, nil
}

// spend charges n estimated bytes against maxStructBytes.
func (p *parser) spend(n int) error {
	p.spent += int64(n)
	if p.spent > maxStructBytes {
		return fmt.Errorf("the model's structure is too large: over %d MiB in memory", maxStructBytes>>20)
	}
	return nil
}

// typeCost estimates the memory of a parsed type.
func typeCost(t *model.Type) int {
	n := 0
	for ; t != nil; t = t.Elem {
		n += 96 + 48*len(t.Shape)
	}
	return n
}

func (p *parser) newNode() *model.Node {
	if len(p.nodeSlab) == cap(p.nodeSlab) {
		p.nodeSlab = make([]model.Node, 0, 256)
	}
	p.nodeSlab = p.nodeSlab[:len(p.nodeSlab)+1]
	return &p.nodeSlab[len(p.nodeSlab)-1]
}

// attrSlice copies a node's attributes into the attribute slab.
func (p *parser) attrSlice(attrs []model.Attr) []model.Attr {
	if len(attrs) == 0 {
		return nil
	}
	if cap(p.attrSlab)-len(p.attrSlab) < len(attrs) {
		p.attrSlab = make([]model.Attr, 0, max(128, len(attrs)))
	}
	start := len(p.attrSlab)
	p.attrSlab = append(p.attrSlab, attrs...)
	end := len(p.attrSlab)
	return p.attrSlab[start:end:end]
}

func (p *parser) newValue() *model.Value {
	if len(p.valueSlab) == cap(p.valueSlab) {
		p.valueSlab = make([]model.Value, 0, 256)
	}
	p.valueSlab = p.valueSlab[:len(p.valueSlab)+1]
	return &p.valueSlab[len(p.valueSlab)-1]
}

func (p *parser) warn(format string, args ...any) {
	if len(p.warnings) >= maxWarnings {
		p.dropped++
		return
	}
	// Names in a hostile file may hold line breaks; warnings are one line.
	msg := strings.NewReplacer("\n", " ", "\r", " ").Replace(fmt.Sprintf(format, args...))
	p.warnings = append(p.warnings, msg)
}

// parseModel reads a whole ModelProto.
func (p *parser) parseModel(b []byte) (*model.Model, error) {
	m := &model.Model{Format: "onnx"}
	var main *graphRaw
	var funcs []*funcRaw
	f := newFields(b, 0, "ModelProto")
	var err error
	for f.next() {
		switch f.num {
		case 1:
			m.IRVersion, err = f.int64()
		case 2:
			m.Producer, err = f.str()
		case 3:
			m.ProducerVersion, err = f.str()
		case 4:
			m.Domain, err = f.str()
		case 5:
			m.ModelVersion, err = f.int64()
		case 6:
			m.DocString, err = f.str()
		case 7:
			var mb []byte
			var at int64
			if mb, at, err = f.msg(); err == nil {
				main, err = p.parseGraph(mb, at, 0)
			}
		case 8:
			var o model.Opset
			if o, err = parseOpset(f); err == nil {
				m.Opsets = append(m.Opsets, o)
				err = p.spend(64)
			}
		case 14:
			var kv model.KV
			if kv, err = parseKV(f); err == nil {
				m.Metadata = append(m.Metadata, kv)
				err = p.spend(64)
			}
		case 25:
			var fr *funcRaw
			if fr, err = p.parseFunction(f); err == nil {
				funcs = append(funcs, fr)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	if main == nil {
		return nil, errors.New("not an ONNX model: it has no graph")
	}
	for _, fr := range funcs {
		m.Functions = append(m.Functions, fr.f)
	}
	p.link(main, funcs)
	if err := p.spend(0); err != nil {
		return nil, err // linking went over the budget
	}
	m.Graphs = []*model.Graph{main.g}
	if p.dropped > 0 {
		p.warnings = append(p.warnings, fmt.Sprintf("%d more warnings not shown", p.dropped))
	}
	m.Warnings = p.warnings
	return m, nil
}

func parseOpset(f *fields) (model.Opset, error) {
	var o model.Opset
	b, at, err := f.msg()
	if err != nil {
		return o, err
	}
	g := newFields(b, at, "OperatorSetIdProto")
	for g.next() && err == nil {
		switch g.num {
		case 1:
			o.Domain, err = g.str()
		case 2:
			o.Version, err = g.int64()
		}
	}
	if err == nil {
		err = g.err
	}
	return o, err
}

func parseKV(f *fields) (model.KV, error) {
	var kv model.KV
	b, at, err := f.msg()
	if err != nil {
		return kv, err
	}
	g := newFields(b, at, "StringStringEntryProto")
	for g.next() && err == nil {
		switch g.num {
		case 1:
			kv.Key, err = g.str()
		case 2:
			kv.Value, err = g.str()
		}
	}
	if err == nil {
		err = g.err
	}
	return kv, err
}

func (p *parser) parseGraph(b []byte, at int64, depth int) (*graphRaw, error) {
	if depth > maxGraphDepth {
		return nil, fmt.Errorf("subgraphs nested deeper than %d levels", maxGraphDepth)
	}
	if err := p.spend(512); err != nil {
		return nil, err
	}
	gr := &graphRaw{g: &model.Graph{}}
	f := newFields(b, at, "GraphProto")
	var err error
	for f.next() {
		switch f.num {
		case 1:
			var nr nodeRaw
			if nr, err = p.parseNode(f, depth); err == nil {
				gr.nodes = append(gr.nodes, nr)
			}
		case 2:
			gr.g.Name, err = f.str()
		case 10:
			gr.g.DocString, err = f.str()
		case 5:
			var t *model.Tensor
			if t, err = p.parseTensorField(f); err == nil {
				gr.inits = append(gr.inits, t)
			}
		case 15:
			var t *model.Tensor
			if t, err = p.parseSparseField(f); err == nil {
				gr.inits = append(gr.inits, t)
			}
		case 11, 12, 13:
			var vi valueInfo
			if vi, err = parseValueInfo(f); err == nil {
				err = p.spend(64 + typeCost(vi.typ))
				switch f.num {
				case 11:
					gr.inputs = append(gr.inputs, vi)
				case 12:
					gr.outputs = append(gr.outputs, vi)
				default:
					gr.valueInfo = append(gr.valueInfo, vi)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	gr.g.ValueInfo = len(gr.valueInfo)
	return gr, nil
}

func (p *parser) parseNode(f *fields, depth int) (nodeRaw, error) {
	nr := nodeRaw{n: p.newNode()}
	b, at, err := f.msg()
	if err != nil {
		return nr, err
	}
	n := nr.n
	var scopes string
	var inBuf, outBuf [4]string
	var attrBuf [4]model.Attr
	ins, outs, attrs := inBuf[:0], outBuf[:0], attrBuf[:0]
	g := newFields(b, at, "NodeProto")
	for g.next() {
		switch g.num {
		case 1, 2:
			var s string
			if s, err = p.name(g); err == nil {
				err = p.spend(48)
				if g.num == 1 {
					ins = append(ins, s)
				} else {
					outs = append(outs, s)
				}
			}
		case 3:
			n.Name, err = g.str()
		case 4:
			n.Op, err = p.name(g)
		case 7:
			n.Domain, err = p.name(g)
		case 8:
			n.Overload, err = g.str()
		case 6:
			n.DocString, err = g.str()
		case 5:
			var a model.Attr
			var subs []*graphRaw
			if a, subs, err = p.parseAttr(g, depth); err == nil {
				attrs = append(attrs, a)
				nr.subs = append(nr.subs, subs...)
			}
		case 9:
			var kv model.KV
			if kv, err = parseKV(g); err == nil && kv.Key == "pkg.torch.onnx.name_scopes" {
				scopes = kv.Value
			}
		}
		if err != nil {
			return nr, err
		}
	}
	if g.err != nil {
		return nr, g.err
	}
	start := len(p.strs)
	p.strs = append(p.strs, ins...)
	p.strs = append(p.strs, outs...)
	mid, end := start+len(ins), len(p.strs)
	nr.inputs, nr.outputs = p.strs[start:mid:mid], p.strs[mid:end:end]
	n.Attrs = p.attrSlice(attrs)
	if err := p.spend(320 + 200*len(outs)); err != nil {
		return nr, err
	}
	n.Group = groupFromScopes(scopes)
	if n.Group == nil {
		n.Group = p.groupOf(n.Name)
	}
	return nr, nil
}

// groupOf is groupFromName with one shared slice per distinct path, as
// most nodes share their module with others (the model is read-only).
func (p *parser) groupOf(name string) []string {
	i := strings.LastIndexByte(name, '/')
	if i <= 0 || name[0] != '/' {
		return nil
	}
	if g, ok := p.groups[name[:i]]; ok {
		return g
	}
	g := groupFromName(name)
	g = g[:len(g):len(g)] // shared: an append by a reader must copy
	if p.groups == nil {
		p.groups = make(map[string][]string)
	}
	p.groups[name[:i]] = g
	return g
}

// groupFromName turns "/layer1/layer1.0/conv1/Conv" into
// ["layer1","layer1.0","conv1"]: the torch exporter's scope path, without
// the op name at the end.
func groupFromName(name string) []string {
	if len(name) < 2 || name[0] != '/' {
		return nil
	}
	parts := strings.Split(name[1:], "/")
	if len(parts) < 2 {
		return nil
	}
	var g []string
	for _, s := range parts[:len(parts)-1] {
		if s != "" {
			g = append(g, s)
		}
	}
	return g
}

// groupFromScopes reads the dynamo exporter's node metadata, a Python list
// repr such as "[”, 'layer1', 'layer1.0', 'conv2d']": the root, the
// module paths, then the node's own name, which is dropped.
func groupFromScopes(s string) []string {
	items, ok := pyStringList(s)
	if !ok || len(items) < 3 {
		return nil
	}
	var g []string
	for _, it := range items[:len(items)-1] {
		if it != "" {
			g = append(g, it)
		}
	}
	return g
}

// pyStringList parses a Python list of quoted strings; ok is false for
// anything else.
func pyStringList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	var out []string
	for s != "" {
		q := s[0]
		if q != '\'' && q != '"' {
			return nil, false
		}
		var sb strings.Builder
		i := 1
		for ; i < len(s) && s[i] != q; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			sb.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, false
		}
		out = append(out, sb.String())
		s = strings.TrimSpace(s[i+1:])
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, false
		}
		s = strings.TrimSpace(s[1:])
	}
	return out, true
}

// parseAttr reads an AttributeProto. Only the fields matching its type are
// kept; files before IR v2 have no type, which is then inferred.
func (p *parser) parseAttr(f *fields, depth int) (model.Attr, []*graphRaw, error) {
	var a model.Attr
	b, at, err := f.msg()
	if err != nil {
		return a, nil, err
	}
	type span struct {
		b  []byte
		at int64
	}
	var (
		kind                  int64 = -1
		t, g, tp, sp          *span
		ts, gs, tps, sps      []span
		hasF, hasI, hasS      bool
		hasFs, hasIs, hasStrs bool
	)
	r := newFields(b, at, "AttributeProto")
	for r.next() {
		switch r.num {
		case 1:
			a.Name, err = p.name(r)
		case 21:
			a.RefAttrName, err = r.str()
		case 13:
			a.Doc, err = r.str()
		case 20:
			kind, err = r.int64()
		case 2:
			if r.typ != 5 { // fixed32
				err = r.wrong()
			}
			a.Float, hasF = math.Float32frombits(uint32(r.u)), true
		case 3:
			a.Int, err = r.int64()
			hasI = true
		case 4:
			a.String, err = r.str()
			hasS = true
		case 7:
			hasFs = true
			if err = p.spend(4 * int(r.countRepeated(4))); err == nil {
				err = r.fixed32s(func(v uint32) { a.Floats = append(a.Floats, math.Float32frombits(v)) })
			}
		case 8:
			hasIs = true
			if err = p.spend(8 * int(r.countRepeated(0))); err == nil {
				err = r.varints(func(v uint64) { a.Ints = append(a.Ints, int64(v)) })
			}
		case 9:
			var s string
			if s, err = r.str(); err == nil {
				err = p.spend(32 + len(s))
			}
			a.Strings, hasStrs = append(a.Strings, s), true
		case 5, 6, 14, 22:
			var s span
			if s.b, s.at, err = r.msg(); err == nil {
				switch r.num {
				case 5:
					t = &s
				case 6:
					g = &s
				case 14:
					tp = &s
				default:
					sp = &s
				}
			}
		case 10, 11, 15, 23:
			var s span
			if s.b, s.at, err = r.msg(); err == nil {
				switch r.num {
				case 10:
					ts = append(ts, s)
				case 11:
					gs = append(gs, s)
				case 15:
					tps = append(tps, s)
				default:
					sps = append(sps, s)
				}
			}
		}
		if err != nil {
			return a, nil, err
		}
	}
	if r.err != nil {
		return a, nil, r.err
	}
	if err := p.spend(192 + 48*(len(ts)+len(gs)+len(tps)+len(sps))); err != nil {
		return a, nil, err
	}
	if kind < 0 || kind == 0 && a.RefAttrName == "" {
		switch {
		case hasFs:
			kind = int64(model.AttrFloats)
		case hasIs:
			kind = int64(model.AttrInts)
		case hasStrs:
			kind = int64(model.AttrStrings)
		case len(ts) > 0:
			kind = int64(model.AttrTensors)
		case len(gs) > 0:
			kind = int64(model.AttrGraphs)
		case len(sps) > 0:
			kind = int64(model.AttrSparseTensors)
		case len(tps) > 0:
			kind = int64(model.AttrTypes)
		case t != nil:
			kind = int64(model.AttrTensor)
		case g != nil:
			kind = int64(model.AttrGraph)
		case sp != nil:
			kind = int64(model.AttrSparseTensor)
		case tp != nil:
			kind = int64(model.AttrType)
		case hasS:
			kind = int64(model.AttrString)
		case hasI:
			kind = int64(model.AttrInt)
		case hasF:
			kind = int64(model.AttrFloat)
		default:
			kind = 0
		}
	}
	if kind < 0 || kind > int64(model.AttrTypes) {
		return a, nil, fmt.Errorf("attribute %q has unknown type %d", a.Name, kind)
	}
	a.Kind = model.AttrKind(kind)
	keep := a
	a = model.Attr{Name: keep.Name, Kind: keep.Kind, RefAttrName: keep.RefAttrName, Doc: keep.Doc}
	var subs []*graphRaw
	addGraph := func(s span) (*model.Graph, error) {
		gr, err := p.parseGraph(s.b, s.at, depth+1)
		if err != nil {
			return nil, err
		}
		subs = append(subs, gr)
		return gr.g, nil
	}
	// A value field left out reads as its empty message (as in protobuf),
	// so a TENSOR attribute always has a Tensor; references have none.
	if a.RefAttrName == "" {
		if t == nil {
			t = &span{at: at}
		}
		if sp == nil {
			sp = &span{at: at}
		}
		if g == nil {
			g = &span{at: at}
		}
		if tp == nil {
			tp = &span{at: at}
		}
	}
	switch a.Kind {
	case model.AttrFloat:
		a.Float = keep.Float
	case model.AttrInt:
		a.Int = keep.Int
	case model.AttrString:
		a.String = keep.String
	case model.AttrFloats:
		a.Floats = keep.Floats
	case model.AttrInts:
		a.Ints = keep.Ints
	case model.AttrStrings:
		a.Strings = keep.Strings
	case model.AttrTensor, model.AttrSparseTensor:
		s, sparse := t, false
		if a.Kind == model.AttrSparseTensor {
			s, sparse = sp, true
		}
		if s != nil {
			a.Tensor, err = p.tensorOrSparse(s.b, s.at, sparse)
		}
	case model.AttrTensors, model.AttrSparseTensors:
		list, sparse := ts, false
		if a.Kind == model.AttrSparseTensors {
			list, sparse = sps, true
		}
		for _, s := range list {
			var x *model.Tensor
			if x, err = p.tensorOrSparse(s.b, s.at, sparse); err != nil {
				break
			}
			a.Tensors = append(a.Tensors, x)
		}
	case model.AttrGraph:
		if g != nil {
			a.Graph, err = addGraph(*g)
		}
	case model.AttrGraphs:
		for _, s := range gs {
			var x *model.Graph
			if x, err = addGraph(s); err != nil {
				break
			}
			a.Graphs = append(a.Graphs, x)
		}
	case model.AttrType:
		if tp != nil {
			if a.Type, err = parseType(tp.b, tp.at, 0); err == nil {
				err = p.spend(typeCost(a.Type))
			}
		}
	case model.AttrTypes:
		for _, s := range tps {
			var x *model.Type
			if x, err = parseType(s.b, s.at, 0); err == nil {
				err = p.spend(typeCost(x))
			}
			if err != nil {
				break
			}
			a.Types = append(a.Types, x)
		}
	}
	if err != nil {
		return a, nil, err
	}
	return a, subs, nil
}

func (p *parser) tensorOrSparse(b []byte, at int64, sparse bool) (*model.Tensor, error) {
	if sparse {
		return p.parseSparse(b, at)
	}
	return p.parseTensor(b, at)
}

func (p *parser) parseTensorField(f *fields) (*model.Tensor, error) {
	b, at, err := f.msg()
	if err != nil {
		return nil, err
	}
	return p.parseTensor(b, at)
}

func (p *parser) parseSparseField(f *fields) (*model.Tensor, error) {
	b, at, err := f.msg()
	if err != nil {
		return nil, err
	}
	return p.parseSparse(b, at)
}

func parseValueInfo(f *fields) (valueInfo, error) {
	var vi valueInfo
	b, at, err := f.msg()
	if err != nil {
		return vi, err
	}
	g := newFields(b, at, "ValueInfoProto")
	for g.next() {
		switch g.num {
		case 1:
			vi.name, err = g.str()
		case 2:
			var tb []byte
			var tat int64
			if tb, tat, err = g.msg(); err == nil {
				vi.typ, err = parseType(tb, tat, 0)
			}
		case 3:
			vi.doc, err = g.str()
		}
		if err != nil {
			return vi, err
		}
	}
	return vi, g.err
}

func checkDType(v int64) (model.DType, error) {
	if v < 0 || v > int64(model.Int2) {
		return 0, fmt.Errorf("unknown tensor data type %d", v)
	}
	return model.DType(v), nil
}

// parseType reads a TypeProto.
func parseType(b []byte, at int64, depth int) (*model.Type, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("types nested deeper than %d levels", maxTypeDepth)
	}
	t := &model.Type{}
	f := newFields(b, at, "TypeProto")
	var err error
	for f.next() {
		switch f.num {
		case 1, 8: // tensor_type, sparse_tensor_type
			var mb []byte
			var mat int64
			if mb, mat, err = f.msg(); err != nil {
				break
			}
			t.Kind, t.Elem, t.Shape = model.TensorType, nil, nil
			if f.num == 8 {
				t.Kind = model.SparseTensorType
			}
			err = parseTensorType(t, mb, mat)
		case 4, 9: // sequence_type, optional_type: field 1 is the element
			var mb []byte
			var mat int64
			if mb, mat, err = f.msg(); err != nil {
				break
			}
			t.Kind, t.Shape = model.SequenceType, nil
			if f.num == 9 {
				t.Kind = model.OptionalType
			}
			t.Elem = &model.Type{}
			g := newFields(mb, mat, "TypeProto.Sequence")
			for g.next() && err == nil {
				if g.num == 1 {
					var eb []byte
					var eat int64
					if eb, eat, err = g.msg(); err == nil {
						t.Elem, err = parseType(eb, eat, depth+1)
					}
				}
			}
			if err == nil {
				err = g.err
			}
		case 5: // map_type
			var mb []byte
			var mat int64
			if mb, mat, err = f.msg(); err != nil {
				break
			}
			t.Kind, t.Shape, t.Elem = model.MapType, nil, &model.Type{}
			g := newFields(mb, mat, "TypeProto.Map")
			for g.next() && err == nil {
				switch g.num {
				case 1:
					var v int64
					if v, err = g.int64(); err == nil {
						t.DType, err = checkDType(v)
					}
				case 2:
					var eb []byte
					var eat int64
					if eb, eat, err = g.msg(); err == nil {
						t.Elem, err = parseType(eb, eat, depth+1)
					}
				}
			}
			if err == nil {
				err = g.err
			}
		case 7: // opaque_type
			if f.typ != 2 {
				err = f.wrong()
			}
			t.Kind, t.Shape, t.Elem = model.OpaqueType, nil, nil
		case 6:
			t.Denotation, err = f.str()
		}
		if err != nil {
			return nil, err
		}
	}
	return t, f.err
}

func parseTensorType(t *model.Type, b []byte, at int64) error {
	f := newFields(b, at, "TypeProto.Tensor")
	var err error
	for f.next() {
		switch f.num {
		case 1:
			var v int64
			if v, err = f.int64(); err == nil {
				t.DType, err = checkDType(v)
			}
		case 2:
			var sb []byte
			var sat int64
			if sb, sat, err = f.msg(); err == nil {
				t.Shape, err = parseShape(sb, sat)
			}
		}
		if err != nil {
			return err
		}
	}
	return f.err
}

func parseShape(b []byte, at int64) (model.Shape, error) {
	s := model.Shape{}
	f := newFields(b, at, "TensorShapeProto")
	var err error
	for f.next() {
		if f.num != 1 {
			continue
		}
		var db []byte
		var dat int64
		if db, dat, err = f.msg(); err != nil {
			return nil, err
		}
		var d model.Dim
		g := newFields(db, dat, "TensorShapeProto.Dimension")
		for g.next() && err == nil {
			switch g.num {
			case 1:
				d.Value, err = g.int64()
				d.Param, d.Known = "", true
			case 2:
				d.Param, err = g.str()
				d.Value, d.Known = 0, false
			}
		}
		if err == nil {
			err = g.err
		}
		if err != nil {
			return nil, err
		}
		if len(s) >= maxRank {
			return nil, fmt.Errorf("a shape has more than %d dims", maxRank)
		}
		s = append(s, d)
	}
	return s, f.err
}
