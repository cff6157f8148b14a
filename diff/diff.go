// Package diff compares two models structurally: nodes, weights and totals.
// Nodes are matched by name (exporters give stable names such as
// /layer1/layer1.0/conv1/Conv); unnamed nodes by op type and occurrence.
package diff

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/modelviz/modelviz/model"
)

// Options choose what is compared.
type Options struct {
	// Weights compares tensor bytes, not only dtype and shape. It reads
	// every weight of both models, so it is off by default.
	Weights bool
}

// Report is the difference between A and B.
type Report struct {
	A, B         Side
	NodesAdded   []NodeRef    `json:"nodes_added"`
	NodesRemoved []NodeRef    `json:"nodes_removed"`
	NodesChanged []NodeChange `json:"nodes_changed"`
	// Ops counts per op type, for every op whose count differs.
	Ops            []OpCount      `json:"ops"`
	WeightsAdded   []Weight       `json:"weights_added"`
	WeightsRemoved []Weight       `json:"weights_removed"`
	WeightsChanged []WeightChange `json:"weights_changed"`
	// Warnings are weights that could not be compared.
	Warnings []string `json:"warnings,omitempty"`
}

// Side summarises one model.
type Side struct {
	Path    string `json:"path"`
	Format  string `json:"format"`
	Nodes   int    `json:"nodes"`
	Weights int    `json:"weights"`
	Params  int64  `json:"params"`
}

// NodeRef names one node.
type NodeRef struct {
	Name string `json:"name"`
	Op   string `json:"op"`
}

// NodeChange is a matched node whose op, inputs or attributes differ.
type NodeChange struct {
	Name    string   `json:"name"`
	Changes []string `json:"changes"`
}

// OpCount is how often an op occurs in each model.
type OpCount struct {
	Op string `json:"op"`
	A  int    `json:"a"`
	B  int    `json:"b"`
}

// Weight is one initializer.
type Weight struct {
	Name  string  `json:"name"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

// WeightChange is a weight present in both with different dtype, shape or
// (with Options.Weights) values.
type WeightChange struct {
	Name string `json:"name"`
	A    Weight `json:"a"`
	B    Weight `json:"b"`
	// MaxAbs is the largest |a-b| when values differ; -1 when the dtype is
	// not decoded for comparison (the bytes still differ).
	MaxAbs float64 `json:"max_abs_diff,omitempty"`
	Values bool    `json:"values_differ,omitempty"`
	// RenamedTo is B's name for the weight when the names differ but the
	// same node input reads it.
	RenamedTo string `json:"renamed_to,omitempty"`
}

// Empty reports whether nothing differs.
func (r *Report) Empty() bool {
	return len(r.NodesAdded)+len(r.NodesRemoved)+len(r.NodesChanged)+len(r.Ops)+
		len(r.WeightsAdded)+len(r.WeightsRemoved)+len(r.WeightsChanged) == 0
}

// Compare diffs the main graphs of a and b.
func Compare(a, b *model.Model, opt Options) *Report {
	r := &Report{A: side(a), B: side(b)}
	ga, gb := mainGraph(a), mainGraph(b)
	na, nb := keyed(ga), keyed(gb)
	for _, k := range na.order {
		x := na.byKey[k]
		y, ok := nb.byKey[k]
		if !ok {
			r.NodesRemoved = append(r.NodesRemoved, NodeRef{x.Name, x.Op})
			continue
		}
		if ch := nodeChanges(x, y); len(ch) > 0 {
			r.NodesChanged = append(r.NodesChanged, NodeChange{displayName(x, k), ch})
		}
	}
	for _, k := range nb.order {
		if _, ok := na.byKey[k]; !ok {
			y := nb.byKey[k]
			r.NodesAdded = append(r.NodesAdded, NodeRef{y.Name, y.Op})
		}
	}
	r.Ops = opCounts(ga, gb)

	wa, wb := weights(a), weights(b)
	// Exporters name folded weights after a counter (onnx::Conv_30), so a
	// weight missing by name is paired through the node that reads it.
	renamed := pairByConsumer(ga, gb, na, wa, wb)
	for _, name := range sortedKeys(wa) {
		x := wa[name]
		bname, ok := name, false
		if _, ok = wb[name]; !ok {
			bname, ok = renamed[name]
		}
		if !ok {
			r.WeightsRemoved = append(r.WeightsRemoved, weight(x))
			continue
		}
		y := wb[bname]
		c := WeightChange{Name: name, A: weight(x), B: weight(y)}
		differ := x.DType != y.DType || !slices.Equal(x.Dims, y.Dims)
		if !differ && opt.Weights {
			same, maxAbs, err := sameValues(x, y)
			if err != nil {
				r.Warnings = append(r.Warnings, name+": "+err.Error())
			} else if !same {
				differ, c.Values, c.MaxAbs = true, true, maxAbs
			}
		}
		if bname != name {
			c.RenamedTo = bname
		}
		if differ || bname != name {
			r.WeightsChanged = append(r.WeightsChanged, c)
		}
	}
	paired := map[string]bool{}
	for _, v := range renamed {
		paired[v] = true
	}
	for _, name := range sortedKeys(wb) {
		if _, ok := wa[name]; !ok && !paired[name] {
			r.WeightsAdded = append(r.WeightsAdded, weight(wb[name]))
		}
	}
	return r
}

// pairByConsumer maps A-only weight names to B-only weight names read by
// the same input slot of matched nodes.
func pairByConsumer(ga, gb *model.Graph, na nodeIndex, wa, wb map[string]*model.Tensor) map[string]string {
	out := map[string]string{}
	nb := keyed(gb)
	taken := map[string]bool{}
	for _, k := range na.order {
		x, y := na.byKey[k], nb.byKey[k]
		if y == nil {
			continue
		}
		for i := 0; i < len(x.Inputs) && i < len(y.Inputs); i++ {
			vx, vy := x.Inputs[i], y.Inputs[i]
			if vx == nil || vy == nil || vx.Initializer == nil || vy.Initializer == nil {
				continue
			}
			_, inB := wb[vx.Name]
			_, inA := wa[vy.Name]
			if inB || inA || taken[vy.Name] {
				continue
			}
			if _, done := out[vx.Name]; !done {
				out[vx.Name] = vy.Name
				taken[vy.Name] = true
			}
		}
	}
	return out
}

func mainGraph(m *model.Model) *model.Graph {
	if len(m.Graphs) == 0 {
		return &model.Graph{}
	}
	return m.Graphs[0]
}

func side(m *model.Model) Side {
	s := Side{Path: m.Path, Format: m.Format}
	g := mainGraph(m)
	s.Nodes = len(g.Nodes)
	for _, t := range weights(m) {
		s.Weights++
		if n := t.NumElements(); n > 0 {
			s.Params += n
		}
	}
	return s
}

type nodeIndex struct {
	order []string
	byKey map[string]*model.Node
}

// keyed gives every node a matching key: its name when unique, else
// op#occurrence so that unnamed graphs still line up in order.
func keyed(g *model.Graph) nodeIndex {
	idx := nodeIndex{byKey: make(map[string]*model.Node, len(g.Nodes))}
	names := make(map[string]int, len(g.Nodes))
	for _, n := range g.Nodes {
		if n.Name != "" {
			names[n.Name]++
		}
	}
	seen := map[string]int{}
	for _, n := range g.Nodes {
		k := n.Name
		if k == "" || names[k] > 1 {
			seen[n.Op]++
			k = "\x00" + n.Op + "#" + strconv.Itoa(seen[n.Op])
		}
		if _, dup := idx.byKey[k]; dup {
			continue
		}
		idx.order = append(idx.order, k)
		idx.byKey[k] = n
	}
	return idx
}

func displayName(n *model.Node, key string) string {
	if n.Name != "" {
		return n.Name
	}
	return key[1:]
}

func nodeChanges(x, y *model.Node) []string {
	var out []string
	if x.Op != y.Op || x.Domain != y.Domain {
		out = append(out, fmt.Sprintf("op %s -> %s", qualified(x), qualified(y)))
	}
	if len(x.Inputs) != len(y.Inputs) {
		out = append(out, fmt.Sprintf("inputs %d -> %d", len(x.Inputs), len(y.Inputs)))
	}
	for i := 0; i < len(x.Inputs) && i < len(y.Inputs); i++ {
		tx, ty := valueType(x.Inputs[i]), valueType(y.Inputs[i])
		if tx != ty {
			out = append(out, fmt.Sprintf("input %d %s -> %s", i, tx, ty))
		}
	}
	ax, ay := attrMap(x), attrMap(y)
	for _, k := range sortedKeys(ax) {
		if v, ok := ay[k]; !ok {
			out = append(out, "attribute "+k+" removed")
		} else if v != ax[k] {
			out = append(out, fmt.Sprintf("attribute %s %s -> %s", k, ax[k], v))
		}
	}
	for _, k := range sortedKeys(ay) {
		if _, ok := ax[k]; !ok {
			out = append(out, "attribute "+k+" added")
		}
	}
	return out
}

func qualified(n *model.Node) string {
	if n.Domain == "" || n.Domain == "ai.onnx" {
		return n.Op
	}
	return n.Domain + "::" + n.Op
}

// valueType describes an input by what matters across models: a weight's
// dtype and shape, or the recorded type of an activation.
func valueType(v *model.Value) string {
	switch {
	case v == nil:
		return "none"
	case v.Initializer != nil:
		return v.Initializer.DType.String() + " " + model.Fixed(v.Initializer.Dims...).String()
	case v.Type != nil && v.Type.Kind == model.TensorType:
		return v.Type.DType.String() + " " + v.Type.Shape.String()
	}
	return "?"
}

func attrMap(n *model.Node) map[string]string {
	m := make(map[string]string, len(n.Attrs))
	for i := range n.Attrs {
		a := &n.Attrs[i]
		m[a.Name] = attrString(a)
	}
	return m
}

func attrString(a *model.Attr) string {
	switch a.Kind {
	case model.AttrFloat:
		return strconv.FormatFloat(float64(a.Float), 'g', -1, 32)
	case model.AttrInt:
		return strconv.FormatInt(a.Int, 10)
	case model.AttrString:
		return strconv.Quote(a.String)
	case model.AttrInts:
		return fmt.Sprint(a.Ints)
	case model.AttrFloats:
		return fmt.Sprint(a.Floats)
	case model.AttrStrings:
		return fmt.Sprintf("%q", a.Strings)
	case model.AttrTensor, model.AttrSparseTensor:
		if a.Tensor != nil {
			return "tensor " + a.Tensor.DType.String() + " " + model.Fixed(a.Tensor.Dims...).String()
		}
	case model.AttrGraph:
		if a.Graph != nil {
			return fmt.Sprintf("graph of %d nodes", len(a.Graph.Nodes))
		}
	case model.AttrGraphs:
		return fmt.Sprintf("%d graphs", len(a.Graphs))
	}
	return a.Kind.String()
}

func opCounts(a, b *model.Graph) []OpCount {
	ca, cb := map[string]int{}, map[string]int{}
	for _, n := range a.Nodes {
		ca[qualified(n)]++
	}
	for _, n := range b.Nodes {
		cb[qualified(n)]++
	}
	var out []OpCount
	all := map[string]bool{}
	for k := range ca {
		all[k] = true
	}
	for k := range cb {
		all[k] = true
	}
	for _, op := range sortedKeys(all) {
		if ca[op] != cb[op] {
			out = append(out, OpCount{op, ca[op], cb[op]})
		}
	}
	return out
}

// weights maps every named tensor of the main graph (or of the module tree
// for formats without a graph) to its descriptor.
func weights(m *model.Model) map[string]*model.Tensor {
	out := map[string]*model.Tensor{}
	for _, v := range mainGraph(m).Initializers {
		if v.Initializer != nil {
			out[v.Name] = v.Initializer
		}
	}
	if len(out) == 0 && m.Modules != nil {
		var walk func(*model.Module, int)
		walk = func(mod *model.Module, depth int) {
			if depth > 256 {
				return
			}
			for _, v := range mod.Tensors {
				if v.Initializer != nil {
					out[v.Name] = v.Initializer
				}
			}
			for _, c := range mod.Children {
				walk(c, depth+1)
			}
		}
		walk(m.Modules, 0)
	}
	return out
}

func weight(t *model.Tensor) Weight {
	return Weight{Name: t.Name, DType: t.DType.String(), Shape: append([]int64{}, t.Dims...)}
}

// maxCompareBytes bounds what one weight comparison may read.
const maxCompareBytes = 1 << 30

func sameValues(x, y *model.Tensor) (bool, float64, error) {
	if x.Length > maxCompareBytes || y.Length > maxCompareBytes {
		return false, 0, fmt.Errorf("larger than %d bytes, values not compared", maxCompareBytes)
	}
	bx, err := x.Load()
	if err != nil {
		return false, 0, err
	}
	by, err := y.Load()
	if err != nil {
		return false, 0, err
	}
	if bytes.Equal(bx, by) {
		return true, 0, nil
	}
	return false, maxAbsDiff(x.DType, bx, by), nil
}

// maxAbsDiff is the largest element difference for float32/float64
// tensors; -1 when the dtype is not decoded here.
func maxAbsDiff(dt model.DType, a, b []byte) float64 {
	if len(a) != len(b) {
		return -1
	}
	var m float64
	switch dt {
	case model.Float32:
		for i := 0; i+4 <= len(a); i += 4 {
			d := math.Abs(float64(math.Float32frombits(le32(a[i:])) - math.Float32frombits(le32(b[i:]))))
			m = math.Max(m, d)
		}
	case model.Float64:
		for i := 0; i+8 <= len(a); i += 8 {
			d := math.Abs(math.Float64frombits(le64(a[i:])) - math.Float64frombits(le64(b[i:])))
			m = math.Max(m, d)
		}
	default:
		return -1
	}
	return m
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte) uint64 { return uint64(le32(b)) | uint64(le32(b[4:]))<<32 }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
