package analysis

import (
	"github.com/modelviz/modelviz/model"
)

// onnxruntime contrib ops (domain com.microsoft) that optimized and
// quantized transformer exports use. Shapes follow the onnxruntime
// operator docs; MACs follow the same convention as MatMul.

func (c *nctx) contrib(op string) bool {
	dt := c.dtype(0)
	switch op {
	case "MatMulNBits", "MatMulBnb4":
		// A [..., K] × a packed [N, K] weight: attributes K and N.
		a := c.shape(0)
		n := c.attrInt("N", -1)
		if a != nil && len(a) >= 1 && n >= 0 {
			out := cloneShape(a)
			out[len(out)-1] = kd(n)
			c.set(0, dt, out)
		} else {
			c.set(0, dt, nil)
		}
		return true
	case "Attention":
		// input [B,S,H], weights [H, Hq+Hk+Hv]; output [B,S,Hv].
		x, w := c.shape(0), c.shape(1)
		hv := unknownDim
		if q, ok := c.attrInts("qkv_hidden_sizes"); ok && len(q) == 3 {
			hv = kd(q[2])
		} else if len(w) == 2 {
			hv = dimDiv(w[1], kd(3), false)
		}
		if len(x) == 3 {
			c.set(0, dt, model.Shape{x[0], x[1], hv})
		} else {
			c.set(0, dt, nil)
		}
		return true
	case "MultiHeadAttention":
		q, v := c.shape(0), c.shape(2)
		if len(q) == 3 {
			dv := q[2]
			if len(v) == 3 {
				dv = v[2]
			}
			c.set(0, dt, model.Shape{q[0], q[1], dv})
		} else {
			c.set(0, dt, nil)
		}
		return true
	case "GroupQueryAttention":
		q := c.shape(0)
		nh := c.attrInt("num_heads", 0)
		kv := c.attrInt("kv_num_heads", 0)
		if len(q) == 3 && nh > 0 && kv > 0 && q[2].Known && !c.has(1) {
			// Packed QKV: [B, S, (nh + 2·kv)·head].
			head := q[2].Value / (nh + 2*kv)
			c.set(0, dt, model.Shape{q[0], q[1], kd(nh * head)})
		} else if len(q) == 3 {
			c.set(0, dt, cloneShape(q))
		}
		return true
	case "RotaryEmbedding", "SkipSimplifiedLayerNormalization", "BiasAdd", "BiasSplitGelu", "Gelu", "QuickGelu":
		c.set(0, dt, cloneShape(c.shape(0)))
		return true
	case "EmbedLayerNormalization":
		ids, w := c.shape(0), c.shape(2)
		if len(ids) == 2 && len(w) == 2 {
			c.set(0, c.dtype(2), model.Shape{ids[0], ids[1], w[1]})
			c.set(1, model.Int32, model.Shape{ids[0]})
		}
		return true
	}
	return false
}

// contribMACs counts the matmuls inside contrib attention and quantized
// matmul ops.
func (e *engine) contribMACs(n *model.Node, in, out func(int) model.Shape) int64 {
	mul := func(s ...model.Dim) int64 {
		v, ok := e.count(model.Shape(s))
		if !ok {
			return 0
		}
		return v
	}
	switch n.Op {
	case "MatMulNBits", "MatMulBnb4":
		if o := out(0); o != nil {
			k := nodeAttrInt(n, "K")
			oe, ok := e.count(o)
			if ok && k > 0 {
				return satMul(oe, k)
			}
		}
	case "Attention":
		x, w, o := in(0), in(1), out(0)
		if len(x) != 3 || len(w) != 2 || len(o) != 3 {
			return 0
		}
		// Projection, then Q·Kᵀ and A·V over the sequence (no past).
		proj := mul(x[0], x[1], w[0], w[1])
		hq := dimDiv(w[1], kd(3), false)
		if q := n.Attr("qkv_hidden_sizes"); q != nil && len(q.Ints) == 3 {
			hq = kd(q.Ints[0])
		}
		att := mul(x[0], x[1], x[1], hq)
		return satAdd(proj, satAdd(att, mul(x[0], x[1], x[1], o[2])))
	case "MultiHeadAttention":
		q, k, o := in(0), in(1), out(0)
		if len(q) != 3 || len(k) != 3 || len(o) != 3 {
			return 0
		}
		return satAdd(mul(q[0], q[1], k[1], q[2]), mul(q[0], q[1], k[1], o[2]))
	}
	return 0
}
