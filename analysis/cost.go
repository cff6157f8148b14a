package analysis

import (
	"math"

	"github.com/modelviz/modelviz/model"
)

// MAC convention (docs/architecture.md, "3. Analysis"): only ops that
// multiply and accumulate count, as torchvision's GFLOPS column and
// torch.utils.flop_counter count them:
//
//	Conv, ConvInteger, QLinearConv: out_elems × (Cin/group) × prod(kernel)
//	ConvTranspose:                  in_elems × (Cout/group) × prod(kernel)
//	Gemm, MatMul (also batched, activation × activation as in attention),
//	MatMulInteger, QLinearMatMul:   out_elems × K
//	Einsum (two or more operands):  product of the sizes of all letters
//	LSTM / GRU / RNN:               seq × batch × dirs × gates × hidden × (input + hidden)
//	com.microsoft MatMulNBits:      out_elems × K (its packed weights count N×K params)
//	com.microsoft Attention, MultiHeadAttention: projection + Q·Kᵀ + A·V
//	ATen conv*, linear, matmul, mm, bmm, addmm, scaled_dot_product_attention: the same
//
// Bias additions, normalization, activations, pooling, resizing and
// element-wise ops cost 0 MACs. FLOPs = 2 × MACs.

// count is the element count of s, taking symbolic and unknown dims as 1
// and remembering that it did.
// An overflowing product saturates at MaxInt64.
func (e *engine) count(s model.Shape) (int64, bool) {
	if s == nil {
		return 0, false
	}
	n, ok := elems(s, func(d model.Dim) {
		if d.Param != "" {
			e.assume[d.Param] = true
		} else {
			e.assume[""] = true
		}
	})
	if !ok {
		return math.MaxInt64, true
	}
	return n, true
}

func bytesOf(n int64, dt model.DType) int64 {
	b := int64(dt.Bits())
	if b == 0 {
		return 0
	}
	if v, ok := mulOK(n, b); ok {
		return (v + 7) / 8
	}
	return 0
}

func satAdd(a, b int64) int64 {
	if s, ok := addOK(a, b); ok {
		return s
	}
	return 1<<63 - 1
}

func satMul(vals ...int64) int64 {
	p := int64(1)
	for _, v := range vals {
		var ok bool
		if p, ok = mulOK(p, v); !ok {
			return 1<<63 - 1
		}
	}
	return p
}

func shapeOf(t *tval) model.Shape {
	if t == nil || t.kind != model.TensorType {
		return nil
	}
	return t.shape
}

// weightSlot reports whether input i of n is a weight, so that a float
// Constant feeding it counts as params (some exporters store every weight
// as a Constant node).
func weightSlot(n *model.Node, i int) bool {
	switch n.Op {
	case "Conv", "ConvTranspose":
		return i == 1 || i == 2
	case "Gemm":
		if i == 2 {
			if a := n.Attr("beta"); a != nil && a.Kind == model.AttrFloat && a.Float == 0 {
				return false
			}
		}
		return i == 1 || i == 2
	case "MatMul":
		return i == 0 || i == 1
	case "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization", "PRelu":
		return i >= 1
	case "LSTM", "GRU", "RNN":
		return i >= 1 && i <= 3
	}
	return false
}

func (e *engine) cost(n *model.Node, ins, outs []*tval) Cost {
	var c Cost
	for i, v := range n.Inputs {
		if n.Op == "Identity" {
			break // an alias of a weight: its real consumer counts it
		}
		r := weightRoot(v)
		if r == nil || e.seenW[r] {
			continue
		}
		switch {
		case r.Initializer != nil:
			e.seenW[r] = true
			k := r.Initializer.NumElements()
			if n.Op == "MatMulNBits" && n.Domain == "com.microsoft" && i == 1 {
				// 4-bit (or 2..8-bit) packed weights: N×K of them.
				if nn, kk := nodeAttrInt(n, "N"), nodeAttrInt(n, "K"); nn > 0 && kk > 0 {
					k = satMul(nn, kk)
				}
			}
			if k > 0 {
				c.Params = satAdd(c.Params, k)
			}
		case weightSlot(n, i) && r.Producer != nil && r.Producer.Op == "Constant":
			// Weights stored as Constant nodes (some exporters do this).
			if a := r.Producer.Attr("value"); a != nil && a.Tensor != nil && isFloatType(a.Tensor.DType) && len(a.Tensor.Dims) > 0 {
				e.seenW[r] = true
				if k := a.Tensor.NumElements(); k > 0 {
					c.Params = satAdd(c.Params, k)
				}
			}
		}
	}
	for i, t := range outs {
		if t == nil || i >= len(n.Outputs) || n.Outputs[i] == nil {
			continue
		}
		if k, ok := e.count(shapeOf(t)); ok {
			c.ActivationBytes = satAdd(c.ActivationBytes, bytesOf(k, t.dtype))
		}
	}
	c.MACs = e.macs(n, ins, outs)
	return c
}

func (e *engine) macs(n *model.Node, ins, outs []*tval) int64 {
	in := func(i int) model.Shape {
		if i < len(ins) {
			return shapeOf(ins[i])
		}
		return nil
	}
	out := func(i int) model.Shape {
		if i < len(outs) {
			return shapeOf(outs[i])
		}
		return nil
	}
	switch n.Domain {
	case "aten":
		return e.atenMACs(n, in, out)
	case "com.microsoft":
		if m := e.contribMACs(n, in, out); m > 0 {
			return m
		}
	}
	switch n.Op {
	case "Conv", "ConvInteger", "QLinearConv", "FusedConv":
		wi := 1
		if n.Op == "QLinearConv" {
			wi = 3
		}
		w := in(wi)
		o := out(0)
		if len(w) < 2 || o == nil {
			return 0
		}
		oe, ok1 := e.count(o)
		we, ok2 := e.count(w[1:])
		if !ok1 || !ok2 {
			return 0
		}
		return satMul(oe, we)
	case "ConvTranspose":
		x, w := in(0), in(1)
		if len(w) < 2 || x == nil {
			return 0
		}
		xe, ok1 := e.count(x)
		we, ok2 := e.count(w[1:])
		if !ok1 || !ok2 {
			return 0
		}
		return satMul(xe, we)
	case "Gemm":
		a, o := in(0), out(0)
		if len(a) != 2 || o == nil {
			return 0
		}
		k := a[1]
		if nodeAttrInt(n, "transA") != 0 {
			k = a[0]
		}
		oe, ok := e.count(o)
		ke, ok2 := e.count(model.Shape{k})
		if !ok || !ok2 {
			return 0
		}
		return satMul(oe, ke)
	case "MatMul", "MatMulInteger", "QLinearMatMul", "FusedMatMul":
		a := in(0)
		if n.Op == "QLinearMatMul" {
			a = in(0)
		}
		o := out(0)
		if len(a) == 0 || o == nil {
			return 0
		}
		k := a[len(a)-1]
		if n.Op == "FusedMatMul" && nodeAttrInt(n, "transA") != 0 && len(a) >= 2 {
			k = a[len(a)-2]
		}
		oe, ok := e.count(o)
		ke, ok2 := e.count(model.Shape{k})
		if !ok || !ok2 {
			return 0
		}
		return satMul(oe, ke)
	case "Einsum":
		if len(n.Inputs) < 2 {
			return 0
		}
		c := &nctx{e: e, n: n, ins: ins}
		size, _, ok := c.einsumDims()
		if !ok {
			return 0
		}
		keys := make([]rune, 0, len(size))
		for r := range size {
			keys = append(keys, r)
		}
		sortRunes(keys)
		s := make(model.Shape, len(keys))
		for i, r := range keys {
			s[i] = size[r]
		}
		p, ok := e.count(s)
		if !ok {
			return 0
		}
		return p
	case "LSTM", "GRU", "RNN":
		x, o := in(0), out(0)
		if len(x) != 3 || len(o) != 4 {
			return 0
		}
		gates := int64(1)
		switch n.Op {
		case "LSTM":
			gates = 4
		case "GRU":
			gates = 3
		}
		// Y is [seq, dirs, batch, hidden] (or batch-first with layout=1).
		hid := o[3]
		sdb, ok := e.count(o[:3])
		ins, ok2 := e.count(model.Shape{x[2]})
		h, ok3 := e.count(model.Shape{hid})
		if !ok || !ok2 || !ok3 {
			return 0
		}
		return satMul(sdb, gates, h, satAdd(ins, h))
	}
	return 0
}

// macsUnknown reports whether n is an op that does MACs (see the table
// above) but whose MACs could not be counted because the shape of an input
// it reads or of its first output is unknown.
func macsUnknown(n *model.Node, ins, outs []*tval) bool {
	if !macOp(n) {
		return false
	}
	if len(outs) == 0 || shapeOf(outs[0]) == nil {
		return true
	}
	for i, v := range n.Inputs {
		if i >= 3 && n.Op != "Einsum" {
			break
		}
		if v != nil && v.Name != "" && (i >= len(ins) || shapeOf(ins[i]) == nil) {
			return true
		}
	}
	return false
}

// macOp reports whether the MAC convention counts n's op.
func macOp(n *model.Node) bool {
	if n.Domain == "aten" {
		switch n.Op {
		case "conv1d", "conv2d", "conv3d", "convolution", "_convolution",
			"conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
			"linear", "matmul", "mm", "bmm", "addmm", "baddbmm", "scaled_dot_product_attention":
			return true
		}
		return false
	}
	switch n.Op {
	case "Conv", "ConvInteger", "QLinearConv", "FusedConv", "ConvTranspose", "Gemm",
		"MatMul", "MatMulInteger", "QLinearMatMul", "FusedMatMul", "Einsum", "LSTM", "GRU", "RNN":
		return true
	case "MatMulNBits", "MatMulBnb4", "Attention", "MultiHeadAttention":
		return n.Domain == "com.microsoft"
	}
	return false
}

// weightRoot follows outer-scope links and Identity aliases (exporters
// tie shared weights that way) back to the value holding the data.
func weightRoot(v *model.Value) *model.Value {
	r := root(v)
	for i := 0; i < 64 && r != nil && r.Initializer == nil && r.Producer != nil &&
		r.Producer.Op == "Identity" && len(r.Producer.Inputs) == 1; i++ {
		r = root(r.Producer.Inputs[0])
	}
	return r
}

func nodeAttrInt(n *model.Node, name string) int64 {
	if a := n.Attr(name); a != nil && a.Kind == model.AttrInt {
		return a.Int
	}
	return 0
}
