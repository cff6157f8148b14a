package analysis

import (
	"github.com/modelviz/modelviz/model"
)

// ATen ops (torch.export and TorchScript graphs, domain "aten"). Their
// values usually carry recorded shapes (torch.export records every one);
// these rules fill shapes in where they do not (TorchScript, or after
// --input) for the common layers, and atenMACs counts them with the same
// convention as the ONNX ops. Scalar and list arguments are attributes
// named as in the ATen schema (stride, padding, ...); tensors are inputs.

var atenUnary = map[string]bool{
	"relu": true, "relu_": true, "gelu": true, "sigmoid": true, "tanh": true, "silu": true,
	"silu_": true, "hardtanh": true, "hardtanh_": true, "hardswish": true, "hardswish_": true,
	"hardsigmoid": true, "leaky_relu": true, "elu": true, "dropout": true, "softmax": true,
	"log_softmax": true, "_softmax": true, "layer_norm": true, "batch_norm": true,
	"group_norm": true, "instance_norm": true, "_native_batch_norm_legit_no_training": true,
	"native_layer_norm": true, "contiguous": true, "clone": true, "detach": true, "alias": true,
	"neg": true, "exp": true, "log": true, "sqrt": true, "rsqrt": true, "abs": true,
	"clamp": true, "clamp_min": true, "mish": true, "erf": true, "cumsum": true,
	"triu": true, "tril": true, "masked_fill": true, "type_as": true, "to": true,
}

var atenBinary = map[string]bool{
	"add": true, "add_": true, "sub": true, "mul": true, "mul_": true, "div": true,
	"pow": true, "maximum": true, "minimum": true, "where": true, "eq": true, "ne": true,
	"lt": true, "gt": true, "le": true, "ge": true,
}

func (c *nctx) aten(op string) {
	dt := c.dtype(0)
	switch {
	case atenUnary[op]:
		c.set(0, dt, cloneShape(c.shape(0)))
		return
	case atenBinary[op]:
		var shapes []model.Shape
		for i := range c.n.Inputs {
			if c.has(i) {
				shapes = append(shapes, c.shape(i))
			}
		}
		if len(shapes) > 0 {
			c.set(0, dt, broadcast(shapes...))
		}
		return
	}
	switch op {
	case "linear":
		x, w := c.shape(0), c.shape(1)
		if len(x) >= 1 && len(w) == 2 {
			out := cloneShape(x)
			out[len(out)-1] = w[0]
			c.set(0, dt, out)
		}
	case "matmul", "mm", "bmm":
		c.set(0, dt, matmulShape(c.shape(0), c.shape(1)))
	case "addmm", "baddbmm":
		c.set(0, dt, matmulShape(c.shape(1), c.shape(2)))
	case "conv1d", "conv2d", "conv3d":
		x, w := c.shape(0), c.shape(1)
		if len(x) < 3 || len(w) != len(x) {
			return
		}
		nsp := len(x) - 2
		get := func(name string, i int, def int64) int64 {
			v, ok := c.attrInts(name)
			switch {
			case ok && len(v) == 1:
				return v[0]
			case ok && i < len(v):
				return v[i]
			}
			return c.attrInt(name, def)
		}
		out := model.Shape{x[0], w[0]}
		for i := 0; i < nsp; i++ {
			in, k := x[2+i], w[2+i]
			s, p, d := get("stride", i, 1), get("padding", i, 0), get("dilation", i, 1)
			if !in.Known || !k.Known || s <= 0 || d <= 0 || s > maxDimSize || abs64(p) > maxDimSize || d > maxDimSize || k.Value > maxDimSize {
				out = append(out, unknownDim)
				continue
			}
			num := in.Value + 2*p - d*(k.Value-1) - 1
			if num < 0 {
				out = append(out, unknownDim)
				continue
			}
			out = append(out, kd(num/s+1))
		}
		c.set(0, dt, out)
	case "flatten":
		s := c.shape(0)
		if s == nil {
			return
		}
		r := len(s)
		if r == 0 {
			c.set(0, dt, model.Fixed(1))
			return
		}
		a, ok1 := normAxis(c.attrInt("start_dim", 0), r)
		b, ok2 := normAxis(c.attrInt("end_dim", -1), r)
		if !ok1 || !ok2 || b < a {
			return
		}
		out := append(cloneShape(s[:a]), dimsProduct(s[a:b+1]))
		c.set(0, dt, append(out, s[b+1:]...))
	case "adaptive_avg_pool2d", "adaptive_avg_pool1d", "adaptive_max_pool2d":
		s := c.shape(0)
		os, ok := c.attrInts("output_size")
		if s == nil || !ok || len(os) > len(s) {
			return
		}
		out := cloneShape(s)
		for i, v := range os {
			out[len(s)-len(os)+i] = kd(v)
		}
		c.set(0, dt, out)
	}
}

// atenMACs counts the multiply-accumulates of ATen layers.
func (e *engine) atenMACs(n *model.Node, in, out func(int) model.Shape) int64 {
	mul := func(a, b model.Shape) int64 {
		x, ok1 := e.count(a)
		y, ok2 := e.count(b)
		if !ok1 || !ok2 {
			return 0
		}
		return satMul(x, y)
	}
	switch n.Op {
	case "conv1d", "conv2d", "conv3d":
		if w := in(1); len(w) >= 2 && out(0) != nil {
			return mul(out(0), w[1:])
		}
	case "convolution", "_convolution":
		w := in(1)
		if len(w) < 2 {
			return 0
		}
		if a := n.Attr("transposed"); a != nil && a.Kind == model.AttrInt && a.Int != 0 {
			if in(0) != nil {
				return mul(in(0), w[1:])
			}
			return 0
		}
		if out(0) != nil {
			return mul(out(0), w[1:])
		}
	case "conv_transpose1d", "conv_transpose2d", "conv_transpose3d":
		if w := in(1); len(w) >= 2 && in(0) != nil {
			return mul(in(0), w[1:])
		}
	case "linear":
		if w := in(1); len(w) == 2 && out(0) != nil {
			return mul(out(0), w[1:])
		}
	case "matmul", "mm", "bmm":
		if a := in(0); len(a) > 0 && out(0) != nil {
			return mul(out(0), a[len(a)-1:])
		}
	case "addmm", "baddbmm":
		if a := in(1); len(a) > 0 && out(0) != nil {
			return mul(out(0), a[len(a)-1:])
		}
	case "scaled_dot_product_attention":
		// q [..., L, E] · kᵀ [..., E, S] then [..., L, S] · v [..., S, Ev].
		q, k, v := in(0), in(1), in(2)
		if len(q) < 2 || len(k) < 2 || len(v) < 2 {
			return 0
		}
		scores := append(cloneShape(q[:len(q)-1]), k[len(k)-2])
		return satAdd(mul(scores, q[len(q)-1:]), mul(scores, v[len(v)-1:]))
	}
	return 0
}
