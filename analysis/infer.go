package analysis

import (
	"math"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// nctx is one node being inferred.
type nctx struct {
	e    *engine
	n    *model.Node
	ins  []*tval
	outs []*tval
}

func (c *nctx) in(i int) *tval {
	if i < 0 || i >= len(c.ins) {
		return nil
	}
	return c.ins[i]
}

func (c *nctx) has(i int) bool { return i >= 0 && i < len(c.n.Inputs) && c.n.Inputs[i] != nil }

func (c *nctx) shape(i int) model.Shape {
	if t := c.in(i); t != nil && t.kind == model.TensorType {
		return t.shape
	}
	return nil
}

func (c *nctx) dtype(i int) model.DType {
	if t := c.in(i); t != nil {
		return t.dtype
	}
	return model.Undefined
}

// cst is the folded contents of input i (shape-like inputs: up to maxFold).
func (c *nctx) cst(i int) *cval { return c.e.constOf(c.in(i), maxFold) }

// small is the folded contents of input i only when it is cheap to know
// (used to fold element-wise arithmetic on shape computations).
func (c *nctx) small(i int) *cval { return c.e.constOf(c.in(i), 1024) }

// smallAll loads inputs idx only when every one of them can be folded, so
// that x + bias never loads the bias.
func (c *nctx) smallAll(idx ...int) []*cval {
	for _, i := range idx {
		if !mayFold(c.in(i), 1024) {
			return nil
		}
	}
	out := make([]*cval, len(idx))
	for k, i := range idx {
		if out[k] = c.small(i); out[k] == nil {
			return nil
		}
	}
	return out
}

// foldIn is the contents of input i if already folded, or if it is a
// small integer tensor: float weights are never loaded to fold an op.
func (c *nctx) foldIn(i int) *cval {
	t := c.in(i)
	if t == nil {
		return nil
	}
	if t.c != nil {
		return t.c
	}
	if isIntType(t.dtype) && mayFold(t, 1024) {
		return c.small(i)
	}
	return nil
}

// intConst is the contents of input i when it is an integer or bool
// tensor (shape arithmetic); float tensors are never loaded for it.
func (c *nctx) intConst(i int) *cval {
	if t := c.in(i); t == nil || !isIntType(t.dtype) {
		return nil
	}
	return c.cst(i)
}

// vec1 is the contents of input i when it is a 1-D tensor (a shape
// vector); bigger or other tensors are never loaded.
func (c *nctx) vec1(i int) *cval {
	t := c.in(i)
	if t == nil || t.shape == nil || len(t.shape) != 1 {
		return nil
	}
	return c.cst(i)
}

func (c *nctx) set(i int, dt model.DType, sh model.Shape) *tval {
	if i < 0 || i >= len(c.outs) {
		return nil
	}
	t := &tval{dtype: dt, shape: sh}
	c.outs[i] = t
	return t
}

func (c *nctx) setConst(i int, dt model.DType, v *cval) {
	if v == nil {
		return
	}
	if t := c.set(i, dt, v.shape()); t != nil {
		t.c = v
	}
}

func (c *nctx) attr(name string) *model.Attr { return c.n.Attr(name) }

func (c *nctx) attrInt(name string, def int64) int64 {
	if a := c.attr(name); a != nil && a.Kind == model.AttrInt {
		return a.Int
	}
	return def
}

func (c *nctx) attrFloat(name string, def float64) float64 {
	if a := c.attr(name); a != nil && a.Kind == model.AttrFloat {
		return float64(a.Float)
	}
	return def
}

func (c *nctx) attrInts(name string) ([]int64, bool) {
	if a := c.attr(name); a != nil && a.Kind == model.AttrInts {
		return a.Ints, true
	}
	return nil, false
}

func (c *nctx) attrString(name, def string) string {
	if a := c.attr(name); a != nil && a.Kind == model.AttrString {
		return a.String
	}
	return def
}

// ints reads an int list from attribute attrName (opset < sinceInput) or
// from input idx (opset >= sinceInput); present false if absent.
func (c *nctx) intsArg(attrName string, idx int, sinceInput int64) (vals []int64, present, known bool) {
	if c.e.opset < sinceInput {
		v, ok := c.attrInts(attrName)
		return v, ok, true
	}
	if !c.has(idx) {
		// Some exporters keep the attribute form past its opset.
		if v, ok := c.attrInts(attrName); ok {
			return v, true, true
		}
		return nil, false, true
	}
	if s := c.shape(idx); len(s) == 1 && isKnown(s[0], 0) {
		return nil, true, true // an empty list, whatever its data
	}
	cv := c.cst(idx)
	v, ok := cv.allInts()
	return v, true, ok
}

var unaryOps = map[string]bool{
	"Relu": true, "Sigmoid": true, "Tanh": true, "Erf": true, "Exp": true, "Log": true,
	"Abs": true, "Neg": true, "Sqrt": true, "Reciprocal": true, "Floor": true, "Ceil": true,
	"Round": true, "Sign": true, "Sin": true, "Cos": true, "Tan": true, "Asin": true,
	"Acos": true, "Atan": true, "Sinh": true, "Cosh": true, "Asinh": true, "Acosh": true,
	"Atanh": true, "Softplus": true, "Softsign": true, "Elu": true, "Selu": true,
	"Celu": true, "LeakyRelu": true, "HardSigmoid": true, "HardSwish": true, "Gelu": true,
	"Mish": true, "ThresholdedRelu": true, "Shrink": true, "Clip": true, "Identity": true,
	"LRN": true, "Softmax": true, "LogSoftmax": true, "Hardmax": true,
	"InstanceNormalization": true, "GroupNormalization": true,
	"MeanVarianceNormalization": true, "LpNormalization": true, "CumSum": true,
	"Trilu": true, "PRelu": true, "BitwiseNot": true, "ReverseSequence": true,
	"Scatter": true, "ScatterElements": true, "ScatterND": true,
	"RandomNormalLike": true, "RandomUniformLike": true, "Bernoulli": true, "EyeLike": true,
	"FastGelu": true, "BiasGelu": true, "QuickGelu": true, "Swish": true,
}

var binaryOps = map[string]bool{
	"Add": true, "Sub": true, "Mul": true, "Div": true, "Pow": true, "Mod": true,
	"BitShift": true, "BitwiseAnd": true, "BitwiseOr": true, "BitwiseXor": true,
	"Max": true, "Min": true, "Sum": true, "Mean": true,
}

var compareOps = map[string]bool{
	"Equal": true, "Less": true, "Greater": true, "LessOrEqual": true,
	"GreaterOrEqual": true, "And": true, "Or": true, "Xor": true,
}

// infer sets outs for node n. Unknown ops leave outs nil.
func (e *engine) infer(n *model.Node, ins, outs []*tval) {
	if len(outs) == 0 {
		return // nothing to infer (an If or Loop without outputs is invalid)
	}
	c := &nctx{e: e, n: n, ins: ins, outs: outs}
	if n.Function != nil && n.Function.Body != nil {
		res := e.runSub(n.Function.Body, ins)
		for i := range outs {
			if i < len(res) && res[i] != nil {
				t := *res[i]
				outs[i] = &t
			}
		}
		return
	}
	switch n.Domain {
	case "", "ai.onnx", "com.microsoft", "org.pytorch.aten", "ai.onnx.ml", "ai.onnx.preview.training":
	case "aten":
		c.aten(n.Op)
		return
	default:
		return
	}
	op := n.Op
	if n.Domain == "com.microsoft" && c.contrib(op) {
		return
	}
	switch {
	case unaryOps[op]:
		c.unary()
		return
	case binaryOps[op]:
		c.elementwise(op, c.dtype(0))
		return
	case compareOps[op]:
		c.elementwise(op, model.Bool)
		return
	}
	switch op {
	case "Not", "IsNaN", "IsInf":
		if op == "Not" {
			if cv := c.small(0); cv != nil && !cv.float {
				out := &cval{dims: cv.dims, ints: make([]model.Dim, len(cv.ints))}
				for i, d := range cv.ints {
					if d.Known {
						out.ints[i] = kd(b2i(d.Value == 0))
					}
				}
				c.setConst(0, model.Bool, out)
				return
			}
		}
		c.set(0, model.Bool, c.shape(0))
	case "Where":
		c.where()
	case "Cast":
		to := model.DType(c.attrInt("to", 0))
		if cv := c.small(0); cv != nil {
			if out := castConst(cv, to); out != nil {
				c.setConst(0, to, out)
				return
			}
		}
		c.set(0, to, c.shape(0))
	case "CastLike":
		to := c.dtype(1)
		if cv := c.small(0); cv != nil && to != model.Undefined {
			if out := castConst(cv, to); out != nil {
				c.setConst(0, to, out)
				return
			}
		}
		c.set(0, to, c.shape(0))
	case "Dropout":
		c.set(0, c.dtype(0), c.shape(0))
		c.set(1, model.Bool, c.shape(0))
	case "BatchNormalization":
		c.set(0, c.dtype(0), c.shape(0))
		if len(outs) > 1 {
			var ch model.Shape
			if s := c.shape(0); len(s) >= 2 {
				ch = model.Shape{s[1]}
			}
			for i := 1; i < len(outs); i++ {
				c.set(i, c.dtype(0), ch)
			}
		}
	case "LayerNormalization", "SkipLayerNormalization", "SimplifiedLayerNormalization":
		c.layerNorm()
	case "Conv", "ConvInteger", "QLinearConv", "FusedConv":
		c.conv(op)
	case "ConvTranspose":
		c.convTranspose()
	case "MaxPool", "AveragePool", "LpPool":
		c.pool(op)
	case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool":
		s := c.shape(0)
		if s != nil && len(s) >= 2 {
			out := cloneShape(s)
			for i := 2; i < len(out); i++ {
				out[i] = kd(1)
			}
			s = out
		}
		c.set(0, c.dtype(0), s)
	case "Gemm":
		c.gemm()
	case "MatMul", "MatMulInteger", "QLinearMatMul", "FusedMatMul":
		c.matmul(op)
	case "Einsum":
		c.einsum()
	case "Flatten":
		c.flatten()
	case "Reshape":
		c.reshape()
	case "Transpose":
		c.transpose()
	case "Concat":
		c.concat()
	case "Split":
		c.split()
	case "Slice":
		c.slice()
	case "Gather":
		c.gather()
	case "GatherElements":
		c.set(0, c.dtype(0), c.shape(1))
	case "GatherND":
		c.gatherND()
	case "Squeeze":
		c.squeeze()
	case "Unsqueeze":
		c.unsqueeze()
	case "Expand":
		c.expand()
	case "Shape":
		c.shapeOp()
	case "Size":
		s := c.shape(0)
		if s != nil {
			c.setConst(0, model.Int64, &cval{dims: []int64{}, ints: []model.Dim{dimsProduct(s)}})
			return
		}
		c.set(0, model.Int64, model.Shape{})
	case "Constant":
		c.constant()
	case "ConstantOfShape":
		c.constantOfShape()
	case "Range":
		c.rangeOp()
	case "Tile":
		c.tile()
	case "Pad":
		c.pad()
	case "Resize", "Upsample":
		c.resize(op)
	case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
		"ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare":
		c.reduce(op)
	case "ArgMax", "ArgMin":
		c.argReduce()
	case "TopK":
		c.topK()
	case "NonZero":
		var r model.Dim
		if s := c.shape(0); s != nil {
			r = kd(int64(len(s)))
		}
		count := unknownDim
		if cv := c.foldIn(0); cv != nil {
			n := int64(0)
			if cv.float {
				for _, f := range cv.flts {
					if f != 0 {
						n++
					}
				}
			} else {
				for _, d := range cv.ints {
					if !d.Known {
						n = -1
						break
					}
					if d.Value != 0 {
						n++
					}
				}
			}
			if n >= 0 {
				count = kd(n)
			}
		}
		c.set(0, model.Int64, model.Shape{r, count})
	case "NonMaxSuppression":
		c.set(0, model.Int64, model.Shape{unknownDim, kd(3)})
	case "Compress":
		// The selected count is known when the condition is folded.
		sel := unknownDim
		if cv := c.foldIn(1); cv != nil && !cv.float {
			n := int64(0)
			for _, d := range cv.ints {
				if !d.Known {
					n = -1
					break
				}
				if d.Value != 0 {
					n++
				}
			}
			if n >= 0 {
				sel = kd(n)
			}
		}
		c.set(0, c.dtype(0), model.Shape{sel})
		if s := c.shape(0); s != nil && c.attr("axis") != nil {
			if ax, ok := normAxis(c.attrInt("axis", 0), len(s)); ok {
				out := cloneShape(s)
				if sel.Known && s[ax].Known {
					sel = kd(min(sel.Value, s[ax].Value))
				}
				out[ax] = sel
				c.set(0, c.dtype(0), out)
			}
		} else if s != nil && sel.Known {
			if n, ok := elems(s, nil); ok && fullyKnown(s) {
				c.set(0, c.dtype(0), model.Shape{kd(min(sel.Value, n))})
			}
		}
	case "Unique":
		c.unique()
	case "OneHot":
		c.oneHot()
	case "DepthToSpace", "SpaceToDepth":
		c.depthSpace(op == "DepthToSpace")
	case "LSTM", "GRU", "RNN":
		c.rnn(op)
	case "If":
		c.ifOp()
	case "Loop":
		c.loop()
	case "Scan":
		c.scan()
	case "QuantizeLinear":
		dt := model.Uint8
		if c.has(2) && c.dtype(2) != model.Undefined {
			dt = c.dtype(2)
		}
		c.set(0, dt, c.shape(0))
	case "DequantizeLinear":
		dt := model.Float32
		if c.dtype(1) != model.Undefined {
			dt = c.dtype(1)
		}
		c.set(0, dt, c.shape(0))
	case "DynamicQuantizeLinear":
		c.set(0, model.Uint8, c.shape(0))
		c.set(1, model.Float32, model.Shape{})
		c.set(2, model.Uint8, model.Shape{})
	case "RandomNormal", "RandomUniform":
		dt := model.DType(c.attrInt("dtype", int64(model.Float32)))
		if s, ok := c.attrInts("shape"); ok {
			c.set(0, dt, sanitizeShape(model.Fixed(s...)))
		}
	case "Multinomial":
		var b model.Dim
		if s := c.shape(0); len(s) == 2 {
			b = s[0]
		}
		c.set(0, model.DType(c.attrInt("dtype", int64(model.Int32))), model.Shape{b, kd(c.attrInt("sample_size", 1))})
	case "GridSample":
		x, g := c.shape(0), c.shape(1)
		if len(x) >= 3 && len(g) == len(x) {
			out := model.Shape{x[0], x[1]}
			out = append(out, g[1:len(g)-1]...)
			c.set(0, c.dtype(0), out)
		}
	case "RoiAlign", "MaxRoiPool":
		x, r := c.shape(0), c.shape(1)
		if len(x) == 4 && len(r) == 2 {
			oh, ow := c.attrInt("output_height", 1), c.attrInt("output_width", 1)
			if ps, ok := c.attrInts("pooled_shape"); ok && len(ps) == 2 {
				oh, ow = ps[0], ps[1]
			}
			c.set(0, c.dtype(0), model.Shape{r[0], x[1], kd(oh), kd(ow)})
		}
	case "Det":
		if s := c.shape(0); len(s) >= 2 {
			c.set(0, c.dtype(0), cloneShape(s[:len(s)-2]))
		}
	case "SequenceConstruct", "SequenceEmpty", "SplitToSequence", "SequenceInsert", "SequenceErase",
		"SequenceAt", "SequenceLength", "ConcatFromSequence":
		c.sequence(op)
	case "OptionalHasElement":
		c.set(0, model.Bool, model.Shape{})
	case "Optional":
		if t := c.in(0); t != nil {
			c.outs[0] = &tval{kind: model.OptionalType, seq: copyT(t)}
		}
	case "OptionalGetElement":
		if t := c.in(0); t != nil {
			if t.kind == model.OptionalType || t.kind == model.SequenceType {
				if t.kind == model.OptionalType {
					c.outs[0] = copyT(t.seq)
				} else {
					c.outs[0] = copyT(t)
				}
			} else {
				c.outs[0] = copyT(t)
			}
		}
	case "DFT", "STFT", "BlackmanWindow", "HammingWindow", "HannWindow", "MelWeightMatrix":
		c.signal(op)
	case "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss":
		c.loss(op)
	case "MaxUnpool":
		c.maxUnpool()
	case "StringNormalizer":
		s := c.shape(0)
		if a := c.attr("stopwords"); s != nil && (a == nil || len(a.Strings) == 0) {
			c.set(0, model.String, cloneShape(s))
		} else if len(s) > 0 {
			out := cloneShape(s)
			out[len(out)-1] = unknownDim
			c.set(0, model.String, out)
		}
	case "TfIdfVectorizer":
		idx, _ := c.attrInts("ngram_indexes")
		d := int64(0)
		for _, v := range idx {
			d = max(d, v+1)
		}
		if s := c.shape(0); len(s) == 1 {
			c.set(0, model.Float32, model.Fixed(d))
		} else if len(s) == 2 {
			c.set(0, model.Float32, model.Shape{s[0], kd(d)})
		}
	case "Adagrad", "Momentum", "Adam":
		// Outputs are the updated tensors X..., then accumulators: output
		// i has the type of input i+2 (after R and T).
		for i := range c.outs {
			if t := c.in(i + 2); t != nil {
				c.set(i, t.dtype, cloneShape(t.shape))
			}
		}
	}
}

func (c *nctx) unary() {
	dt := c.dtype(0)
	s := c.shape(0)
	switch c.n.Op {
	case "Identity":
		if t := c.in(0); t != nil && len(c.outs) > 0 {
			cp := *t // shares folded contents, or the tensor to load on demand
			c.outs[0] = &cp
		}
		return
	case "Neg", "Abs", "Floor", "Ceil", "Sqrt", "Round", "Relu", "Sign", "Reciprocal", "Exp", "Log":
		if cv := c.foldIn(0); cv != nil {
			if out := foldUnary(c.n.Op, cv); out != nil {
				c.setConst(0, dt, out)
				return
			}
		}
	}
	switch c.n.Op {
	case "Bernoulli", "EyeLike", "RandomNormalLike", "RandomUniformLike":
		if a := c.attr("dtype"); a != nil && a.Kind == model.AttrInt {
			dt = model.DType(a.Int)
		}
	}
	c.set(0, dt, cloneShape(s))
}

func foldUnary(op string, cv *cval) *cval {
	if cv.float {
		out := &cval{dims: cv.dims, float: true, flts: make([]float64, len(cv.flts))}
		for i, f := range cv.flts {
			switch op {
			case "Neg":
				f = -f
			case "Abs":
				f = math.Abs(f)
			case "Floor":
				f = math.Floor(f)
			case "Ceil":
				f = math.Ceil(f)
			case "Sqrt":
				f = math.Sqrt(f)
			case "Round":
				f = math.RoundToEven(f)
			case "Relu":
				f = math.Max(f, 0)
			case "Sign":
				f = float64(sign(f))
			case "Reciprocal":
				f = 1 / f
			case "Exp":
				f = math.Exp(f)
			case "Log":
				f = math.Log(f)
			}
			out.flts[i] = f
		}
		return out
	}
	out := &cval{dims: cv.dims, ints: make([]model.Dim, len(cv.ints))}
	for i, d := range cv.ints {
		switch op {
		case "Floor", "Ceil", "Round":
			out.ints[i] = d
		case "Neg":
			if d.Known {
				out.ints[i] = kd(-d.Value)
			}
		case "Abs":
			if d.Known {
				out.ints[i] = kd(abs64(d.Value))
			} else {
				out.ints[i] = d // a size is non-negative
			}
		case "Relu":
			if d.Known {
				out.ints[i] = kd(max(d.Value, 0))
			} else {
				out.ints[i] = d
			}
		case "Sign":
			if d.Known {
				out.ints[i] = kd(sign(float64(d.Value)))
			}
		default:
			return nil
		}
	}
	return out
}

func sign(f float64) int64 {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

// elementwise handles variadic numpy-broadcasting ops.
func (c *nctx) elementwise(op string, dt model.DType) {
	var shapes []model.Shape
	for i := range c.n.Inputs {
		if !c.has(i) {
			continue
		}
		shapes = append(shapes, c.shape(i))
	}
	if op == "PRelu" {
		shapes = shapes[:1]
	}
	if len(shapes) == 0 {
		return
	}
	if len(c.n.Inputs) == 2 && op != "Sum" && op != "Mean" && op != "BitShift" && !strings.HasPrefix(op, "Bitwise") {
		if ab := c.smallAll(0, 1); ab != nil {
			if out := foldBinary(op, ab[0], ab[1]); out != nil {
				// The result has the op's type: an int Pow with a float
				// exponent stays int, Equal gives bool.
				if dt != model.Undefined && !compareOps[op] {
					out = castConst(out, dt)
				}
				if out != nil {
					c.setConst(0, dt, out)
					return
				}
			}
		}
	}
	if dt == model.Undefined {
		for i := range c.ins {
			if d := c.dtype(i); d != model.Undefined {
				dt = d
				if compareOps[op] {
					dt = model.Bool
				}
				break
			}
		}
	}
	c.set(0, dt, broadcast(shapes...))
}

func (c *nctx) where() {
	dt := c.dtype(1)
	if dt == model.Undefined {
		dt = c.dtype(2)
	}
	var cond, x, y *cval
	if all := c.smallAll(0, 1, 2); all != nil {
		cond, x, y = all[0], all[1], all[2]
	}
	if cond != nil && x != nil && y != nil && !cond.float {
		sh := broadcast(cond.shape(), x.shape(), y.shape())
		dims, ok := sh.Ints()
		n, ok2 := elems(sh, nil)
		if ok && ok2 && n <= maxFold && x.float == y.float {
			ic, ix, iy := bcastIndex(cond.dims, dims), bcastIndex(x.dims, dims), bcastIndex(y.dims, dims)
			good := ic != nil && ix != nil && iy != nil
			out := &cval{dims: dims, float: x.float}
			if x.float {
				out.flts = make([]float64, n)
			} else {
				out.ints = make([]model.Dim, n)
			}
			for i := 0; good && i < int(n); i++ {
				cd := cond.ints[ic(i)]
				if !cd.Known {
					if !x.float && sameDim(x.ints[ix(i)], y.ints[iy(i)]) {
						out.ints[i] = x.ints[ix(i)]
						continue
					}
					good = false
					break
				}
				if x.float {
					if cd.Value != 0 {
						out.flts[i] = x.flts[ix(i)]
					} else {
						out.flts[i] = y.flts[iy(i)]
					}
				} else if cd.Value != 0 {
					out.ints[i] = x.ints[ix(i)]
				} else {
					out.ints[i] = y.ints[iy(i)]
				}
			}
			if good {
				c.setConst(0, dt, out)
				return
			}
		}
	}
	c.set(0, dt, broadcast(c.shape(0), c.shape(1), c.shape(2)))
}

func (c *nctx) layerNorm() {
	s := c.shape(0)
	dt := c.dtype(0)
	c.set(0, dt, cloneShape(s))
	if s == nil {
		return
	}
	axis := c.attrInt("axis", -1)
	ax, ok := normAxis(axis, len(s))
	if !ok {
		return
	}
	st := make(model.Shape, len(s))
	copy(st, s[:ax])
	for i := ax; i < len(s); i++ {
		st[i] = kd(1)
	}
	sdt := model.DType(c.attrInt("stash_type", int64(model.Float32)))
	if c.n.Op == "SkipLayerNormalization" {
		c.set(1, sdt, st)
		c.set(2, sdt, st)
		c.set(3, dt, cloneShape(s))
		return
	}
	c.set(1, sdt, st)
	c.set(2, sdt, cloneShape(st))
}

// spatial computes conv/pool output dims for rank-2+ inputs.
func (c *nctx) spatial(x model.Shape, kernel []int64, ceil bool) model.Shape {
	nsp := len(x) - 2
	if nsp < 0 || len(kernel) != nsp {
		return nil
	}
	strides, _ := c.attrInts("strides")
	dil, _ := c.attrInts("dilations")
	pads, _ := c.attrInts("pads")
	autoPad := c.attrString("auto_pad", "NOTSET")
	out := make(model.Shape, nsp)
	for i := 0; i < nsp; i++ {
		s, d := int64(1), int64(1)
		if i < len(strides) {
			s = strides[i]
		}
		if i < len(dil) {
			d = dil[i]
		}
		if s <= 0 || d <= 0 || kernel[i] < 0 || kernel[i] > maxDimSize || d > maxDimSize {
			out[i] = unknownDim
			continue
		}
		in := x[2+i]
		if !in.Known {
			out[i] = unknownDim
			continue
		}
		ek := (kernel[i]-1)*d + 1
		switch autoPad {
		case "SAME_UPPER", "SAME_LOWER":
			out[i] = kd((in.Value + s - 1) / s)
			continue
		case "VALID":
			v := (in.Value - ek) / s
			if in.Value < ek {
				out[i] = unknownDim
				continue
			}
			out[i] = kd(v + 1)
			continue
		}
		var pb, pe int64
		if len(pads) == 2*nsp {
			pb, pe = pads[i], pads[i+nsp]
		}
		if abs64(pb) > maxDimSize || abs64(pe) > maxDimSize {
			out[i] = unknownDim
			continue
		}
		num := in.Value + pb + pe - ek
		if num < 0 {
			out[i] = unknownDim
			continue
		}
		o := num/s + 1
		if ceil {
			o = (num+s-1)/s + 1
			// The last window must start inside the input or left padding.
			if (o-1)*s >= in.Value+pb {
				o--
			}
		}
		out[i] = kd(o)
	}
	return out
}

func (c *nctx) conv(op string) {
	xi, wi := 0, 1
	if op == "QLinearConv" {
		xi, wi = 0, 3
	}
	x, w := c.shape(xi), c.shape(wi)
	dt := c.dtype(xi)
	switch op {
	case "ConvInteger":
		dt = model.Int32
	case "QLinearConv":
		dt = c.dtype(7)
	}
	if x == nil || len(x) < 3 {
		if w != nil && x == nil {
			c.set(0, dt, unknownShape(len(w)))
		} else {
			c.set(0, dt, nil)
		}
		return
	}
	kernel, ok := c.attrInts("kernel_shape")
	if !ok {
		if len(w) == len(x) {
			kernel = make([]int64, len(w)-2)
			for i := range kernel {
				if !w[2+i].Known {
					c.set(0, dt, unknownShape(len(x)))
					return
				}
				kernel[i] = w[2+i].Value
			}
		} else {
			c.set(0, dt, unknownShape(len(x)))
			return
		}
	}
	out := model.Shape{x[0], unknownDim}
	if len(w) == len(x) {
		out[1] = w[0]
	}
	sp := c.spatial(x, kernel, false)
	if sp == nil {
		c.set(0, dt, unknownShape(len(x)))
		return
	}
	c.set(0, dt, append(out, sp...))
}

func (c *nctx) convTranspose() {
	x, w := c.shape(0), c.shape(1)
	dt := c.dtype(0)
	if len(x) < 3 {
		c.set(0, dt, nil)
		return
	}
	nsp := len(x) - 2
	out := model.Shape{x[0], unknownDim}
	g := c.attrInt("group", 1)
	if len(w) == len(x) {
		out[1] = dimMul(w[1], kd(g))
	}
	if os, ok := c.attrInts("output_shape"); ok && len(os) >= nsp {
		os = os[len(os)-nsp:]
		for _, v := range os {
			out = append(out, kd(v))
		}
		c.set(0, dt, out)
		return
	}
	kernel, ok := c.attrInts("kernel_shape")
	if !ok && len(w) == len(x) {
		kernel = make([]int64, nsp)
		for i := range kernel {
			kernel[i] = -1
			if w[2+i].Known {
				kernel[i] = w[2+i].Value
			}
		}
	}
	strides, _ := c.attrInts("strides")
	dil, _ := c.attrInts("dilations")
	pads, _ := c.attrInts("pads")
	opad, _ := c.attrInts("output_padding")
	autoPad := c.attrString("auto_pad", "NOTSET")
	for i := 0; i < nsp; i++ {
		s, d, op := int64(1), int64(1), int64(0)
		if i < len(strides) {
			s = strides[i]
		}
		if i < len(dil) {
			d = dil[i]
		}
		if i < len(opad) {
			op = opad[i]
		}
		in := x[2+i]
		if !in.Known || i >= len(kernel) || kernel[i] < 0 || s <= 0 || d <= 0 || s > maxDimSize || d > maxDimSize || kernel[i] > maxDimSize {
			out = append(out, unknownDim)
			continue
		}
		if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
			out = append(out, kd(in.Value*s))
			continue
		}
		var pb, pe int64
		if len(pads) == 2*nsp {
			pb, pe = pads[i], pads[i+nsp]
		}
		o := s*(in.Value-1) + op + (kernel[i]-1)*d + 1 - pb - pe
		if o < 0 {
			out = append(out, unknownDim)
			continue
		}
		out = append(out, kd(o))
	}
	c.set(0, dt, out)
}

func (c *nctx) pool(op string) {
	x := c.shape(0)
	dt := c.dtype(0)
	kernel, ok := c.attrInts("kernel_shape")
	if x == nil || len(x) < 3 || !ok {
		c.set(0, dt, unknownShape(len(x)))
		if op == "MaxPool" {
			c.set(1, model.Int64, unknownShape(len(x)))
		}
		return
	}
	sp := c.spatial(x, kernel, c.attrInt("ceil_mode", 0) != 0)
	var out model.Shape
	if sp != nil {
		out = append(model.Shape{x[0], x[1]}, sp...)
	} else {
		out = unknownShape(len(x))
	}
	c.set(0, dt, out)
	if op == "MaxPool" {
		c.set(1, model.Int64, cloneShape(out))
	}
}

func (c *nctx) gemm() {
	a, b := c.shape(0), c.shape(1)
	dt := c.dtype(0)
	out := model.Shape{unknownDim, unknownDim}
	if len(a) == 2 {
		out[0] = a[0]
		if c.attrInt("transA", 0) != 0 {
			out[0] = a[1]
		}
	}
	if len(b) == 2 {
		out[1] = b[1]
		if c.attrInt("transB", 0) != 0 {
			out[1] = b[0]
		}
	}
	c.set(0, dt, out)
}

// matmulShape is numpy matmul's output shape.
func matmulShape(a, b model.Shape) model.Shape {
	if a == nil || b == nil || len(a) == 0 || len(b) == 0 {
		return nil
	}
	a1, b1 := len(a) == 1, len(b) == 1
	if a1 {
		a = model.Shape{kd(1), a[0]}
	}
	if b1 {
		b = model.Shape{b[0], kd(1)}
	}
	batch := broadcast(a[:len(a)-2], b[:len(b)-2])
	out := append(cloneShape(batch), a[len(a)-2], b[len(b)-1])
	if a1 {
		out = append(out[:len(out)-2], out[len(out)-1])
	}
	if b1 {
		out = out[:len(out)-1]
	}
	return out
}

func (c *nctx) matmul(op string) {
	ai, bi := 0, 1
	dt := c.dtype(0)
	switch op {
	case "QLinearMatMul":
		ai, bi = 0, 3
		dt = c.dtype(7)
	case "MatMulInteger":
		dt = model.Int32
	}
	a, b := c.shape(ai), c.shape(bi)
	if op == "FusedMatMul" {
		if len(a) >= 2 && c.attrInt("transA", 0) != 0 {
			a = cloneShape(a)
			a[len(a)-1], a[len(a)-2] = a[len(a)-2], a[len(a)-1]
		}
		if len(b) >= 2 && c.attrInt("transB", 0) != 0 {
			b = cloneShape(b)
			b[len(b)-1], b[len(b)-2] = b[len(b)-2], b[len(b)-1]
		}
	}
	c.set(0, dt, matmulShape(a, b))
}

// einsumParse splits "ij,jk->ik"; implicit output when there is no "->".
func einsumParse(eq string, ranks []int) (terms [][]rune, out []rune, ok bool) {
	eq = strings.ReplaceAll(eq, " ", "")
	lhs, rhs, explicit := strings.Cut(eq, "->")
	parts := strings.Split(lhs, ",")
	if len(parts) != len(ranks) {
		return nil, nil, false
	}
	// Ellipsis dims are named with runes from a private range.
	maxEll := 0
	for i, p := range parts {
		if strings.Count(p, "...") > 1 {
			return nil, nil, false
		}
		letters := len([]rune(strings.ReplaceAll(p, "...", "")))
		if strings.Contains(p, "...") {
			k := ranks[i] - letters
			if ranks[i] < 0 || k < 0 {
				return nil, nil, false
			}
			maxEll = max(maxEll, k)
		}
	}
	expand := func(p string, k int) []rune {
		var r []rune
		for _, ch := range strings.ReplaceAll(p, "...", "\x00") {
			if ch == 0 {
				for j := maxEll - k; j < maxEll; j++ {
					r = append(r, rune(0xE000+j))
				}
				continue
			}
			r = append(r, ch)
		}
		return r
	}
	count := map[rune]int{}
	for i, p := range parts {
		k := 0
		if strings.Contains(p, "...") {
			k = ranks[i] - len([]rune(strings.ReplaceAll(p, "...", "")))
		}
		t := expand(p, k)
		if ranks[i] >= 0 && len(t) != ranks[i] {
			return nil, nil, false
		}
		terms = append(terms, t)
		for _, ch := range t {
			count[ch]++
		}
	}
	if explicit {
		out = expand(rhs, maxEll)
	} else {
		for j := 0; j < maxEll; j++ {
			out = append(out, rune(0xE000+j))
		}
		var single []rune
		for ch, n := range count {
			if n == 1 && ch < 0xE000 {
				single = append(single, ch)
			}
		}
		sortRunes(single)
		out = append(out, single...)
	}
	return terms, out, true
}

func sortRunes(r []rune) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j] < r[j-1]; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// einsumDims maps each letter to its size.
func (c *nctx) einsumDims() (map[rune]model.Dim, []rune, bool) {
	eq := c.attrString("equation", "")
	ranks := make([]int, len(c.n.Inputs))
	shapes := make([]model.Shape, len(c.n.Inputs))
	for i := range ranks {
		shapes[i] = c.shape(i)
		if shapes[i] == nil {
			return nil, nil, false
		}
		ranks[i] = len(shapes[i])
	}
	terms, out, ok := einsumParse(eq, ranks)
	if !ok {
		return nil, nil, false
	}
	size := map[rune]model.Dim{}
	for i, t := range terms {
		for j, ch := range t {
			d := shapes[i][j]
			if old, seen := size[ch]; seen {
				size[ch] = bcastDim(old, d)
			} else {
				size[ch] = d
			}
		}
	}
	return size, out, true
}

func (c *nctx) einsum() {
	size, out, ok := c.einsumDims()
	if !ok {
		c.set(0, c.dtype(0), nil)
		return
	}
	s := make(model.Shape, len(out))
	for i, ch := range out {
		s[i] = size[ch]
	}
	c.set(0, c.dtype(0), s)
}

func (c *nctx) flatten() {
	s := c.shape(0)
	if s == nil {
		c.set(0, c.dtype(0), unknownShape(2))
		return
	}
	axis := c.attrInt("axis", 1)
	if axis < 0 {
		axis += int64(len(s))
	}
	if axis < 0 || axis > int64(len(s)) {
		c.set(0, c.dtype(0), unknownShape(2))
		return
	}
	c.set(0, c.dtype(0), model.Shape{dimsProduct(s[:axis]), dimsProduct(s[axis:])})
}

func (c *nctx) reshape() {
	dt := c.dtype(0)
	in := c.shape(0)
	var spec []model.Dim
	if c.e.opset < 5 || !c.has(1) {
		v, ok := c.attrInts("shape")
		if !ok {
			c.set(0, dt, nil)
			return
		}
		spec = model.Fixed(v...)
	} else {
		cv := c.cst(1)
		d, ok := cv.asDims()
		if !ok {
			if s := c.shape(1); len(s) == 1 && s[0].Known {
				c.set(0, dt, unknownShape(int(min(s[0].Value, maxRank+1))))
			} else {
				c.set(0, dt, nil)
			}
			return
		}
		spec = d
	}
	if len(spec) > maxRank {
		c.set(0, dt, nil)
		return
	}
	allowZero := c.attrInt("allowzero", 0) != 0
	out := make(model.Shape, len(spec))
	neg := -1
	for i, d := range spec {
		switch {
		case d.Known && d.Value == 0 && !allowZero:
			if in != nil && i < len(in) {
				out[i] = in[i]
			} else {
				out[i] = unknownDim
			}
		case d.Known && d.Value == -1:
			if neg >= 0 {
				c.set(0, dt, unknownShape(len(spec)))
				return
			}
			neg = i
		case d.Known && d.Value < -1:
			c.set(0, dt, unknownShape(len(spec)))
			return
		default:
			out[i] = d
		}
	}
	if neg >= 0 {
		out[neg] = unknownDim
		if in != nil {
			rest := make(model.Shape, 0, len(out)-1)
			for i, d := range out {
				if i != neg {
					rest = append(rest, d)
				}
			}
			if q, ok := product(in).div(product(rest)); ok {
				out[neg] = q.dim()
			}
		}
	}
	// Propagate a lone symbolic dim: when the reshape keeps the element
	// count and one output dim is unknown, solve it.
	c.set(0, dt, out)
	if cv := c.intConst(0); cv != nil {
		if dims, ok := out.Ints(); ok {
			if n, ok := elems(out, nil); ok && n == int64(cv.size()) {
				cp := *cv
				cp.dims = dims
				c.outs[0].c = &cp
			}
		}
	}
}

func (c *nctx) transpose() {
	s := c.shape(0)
	dt := c.dtype(0)
	if s == nil {
		if p, ok := c.attrInts("perm"); ok {
			c.set(0, dt, unknownShape(len(p)))
		} else {
			c.set(0, dt, nil)
		}
		return
	}
	perm, ok := c.attrInts("perm")
	if !ok {
		perm = make([]int64, len(s))
		for i := range perm {
			perm[i] = int64(len(s) - 1 - i)
		}
	}
	if len(perm) != len(s) {
		c.set(0, dt, nil)
		return
	}
	out := make(model.Shape, len(s))
	for i, p := range perm {
		if p < 0 || p >= int64(len(s)) {
			c.set(0, dt, unknownShape(len(s)))
			return
		}
		out[i] = s[p]
	}
	c.set(0, dt, out)
	// Fold transposes of small integer constants.
	if cv := c.intConst(0); cv != nil && len(cv.dims) == len(perm) && !cv.float {
		dims := make([]int64, len(perm))
		for i, p := range perm {
			dims[i] = cv.dims[p]
		}
		strides := make([]int64, len(cv.dims))
		st := int64(1)
		for ax := len(cv.dims) - 1; ax >= 0; ax-- {
			strides[ax] = st
			st *= cv.dims[ax]
		}
		vals := make([]model.Dim, len(cv.ints))
		idx := make([]int64, len(dims))
		for k := range vals {
			off := int64(0)
			for i, p := range perm {
				off += idx[i] * strides[p]
			}
			vals[k] = cv.ints[off]
			for ax := len(dims) - 1; ax >= 0; ax-- {
				if idx[ax]++; idx[ax] < dims[ax] {
					break
				}
				idx[ax] = 0
			}
		}
		c.outs[0].c = intsConst(dims, vals)
	}
}

func (c *nctx) concat() {
	dt := model.Undefined
	var shapes []model.Shape
	for i := range c.n.Inputs {
		if !c.has(i) {
			continue
		}
		if dt == model.Undefined {
			dt = c.dtype(i)
		}
		shapes = append(shapes, c.shape(i))
	}
	axis := c.attrInt("axis", 0)
	rank := -1
	for _, s := range shapes {
		if s != nil {
			rank = len(s)
			break
		}
	}
	if rank < 0 {
		c.set(0, dt, nil)
		return
	}
	ax, ok := normAxis(axis, rank)
	if !ok {
		c.set(0, dt, unknownShape(rank))
		return
	}
	out := make(model.Shape, rank)
	sum := kd(0)
	for i := range out {
		first := true
		for _, s := range shapes {
			if s == nil || len(s) != rank {
				if i == ax {
					sum = unknownDim
				}
				continue
			}
			if i == ax {
				sum = dimAdd(sum, s[i])
				if !sum.Known && sum.Param == "" {
					sum = unknownDim
				}
				continue
			}
			if first {
				out[i], first = s[i], false
			} else if !sameDim(out[i], s[i]) {
				out[i] = bcastDim(out[i], s[i])
				if isKnown(out[i], 1) {
					out[i] = s[i]
				}
			}
		}
	}
	out[ax] = sum
	c.set(0, dt, out)
	// Fold concatenation of 1-D constants (shape vectors).
	if rank == 1 {
		var vals []model.Dim
		var fl []float64
		nFloat, nInt := 0, 0
		for i := range c.n.Inputs {
			if !c.has(i) {
				continue
			}
			if !mayFold(c.in(i), 1024) {
				return
			}
			cv := c.small(i)
			if cv == nil {
				return
			}
			if cv.float {
				nFloat++
				fl = append(fl, cv.flts...)
			} else {
				nInt++
				vals = append(vals, cv.ints...)
			}
		}
		switch {
		case nFloat > 0 && nInt > 0:
			return // mixed types: a malformed graph
		case nFloat > 0:
			c.outs[0].c = &cval{dims: []int64{int64(len(fl))}, float: true, flts: fl}
			c.outs[0].shape = model.Fixed(int64(len(fl)))
			return
		}
		c.outs[0].c = vecConst(vals)
		c.outs[0].shape = model.Fixed(int64(len(vals)))
	}
}

func (c *nctx) split() {
	s := c.shape(0)
	dt := c.dtype(0)
	nout := len(c.outs)
	if s == nil {
		for i := range c.outs {
			c.set(i, dt, nil)
		}
		return
	}
	ax, ok := normAxis(c.attrInt("axis", 0), len(s))
	if !ok {
		return
	}
	sizes, present, known := c.intsArg("split", 1, 13)
	dims := make([]model.Dim, nout)
	switch {
	case present && known && len(sizes) == nout:
		for i := range dims {
			dims[i] = kd(sizes[i])
		}
	case present:
		// unknown split sizes
	case s[ax].Known && nout > 0:
		if no := c.attrInt("num_outputs", 0); no > 0 && int(no) == nout {
			chunk := (s[ax].Value + int64(nout) - 1) / int64(nout)
			rest := s[ax].Value
			for i := range dims {
				v := min(chunk, rest)
				dims[i] = kd(v)
				rest -= v
			}
		} else if s[ax].Value%int64(nout) == 0 {
			for i := range dims {
				dims[i] = kd(s[ax].Value / int64(nout))
			}
		}
	}
	for i := range c.outs {
		o := cloneShape(s)
		o[ax] = dims[i]
		c.set(i, dt, o)
	}
	// Fold splits of 1-D constants.
	if cv := c.vec1(0); cv != nil && len(cv.dims) == 1 && !cv.float {
		off := 0
		for i := range c.outs {
			if !dims[i].Known || dims[i].Value < 0 || dims[i].Value > int64(len(cv.ints)-off) {
				return
			}
			if c.outs[i] != nil {
				c.outs[i].c = vecConst(cv.ints[off : off+int(dims[i].Value)])
			}
			off += int(dims[i].Value)
		}
	}
}

// sliceRange resolves one axis of Slice; returns the output length.
func sliceRange(dim, startD, endD model.Dim, step int64) model.Dim {
	if step == 0 {
		return unknownDim
	}
	if !startD.Known || !endD.Known {
		// x[a:b] with symbolic bounds and step 1 has b - a elements,
		// assuming the bounds fit (as for a causal mask buffer sliced to
		// the positions in use): x[0:n] is n, x[t-s:t] is s.
		if step != 1 {
			return unknownDim
		}
		if endD.Known && endD.Value >= math.MaxInt32 {
			return dimSub(dim, startD) // x[k:]
		}
		if (startD.Known && startD.Value < 0) || (endD.Known && endD.Value < 0) {
			return unknownDim
		}
		return dimSub(endD, startD)
	}
	start, end := startD.Value, endD.Value
	if !dim.Known {
		// Only the identity slice keeps a symbolic size.
		if start == 0 && step == 1 && end >= math.MaxInt32 {
			return dim
		}
		return unknownDim
	}
	n := dim.Value
	clamp := func(v, lo, hi int64) int64 {
		if v < lo {
			return lo
		}
		if v > hi {
			return hi
		}
		return v
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	var length int64
	if step > 0 {
		start = clamp(start, 0, n)
		end = clamp(end, 0, n)
		if end > start {
			length = (end - start + step - 1) / step
		}
	} else {
		start = clamp(start, 0, n-1)
		end = clamp(end, -1, n-1)
		if start > end {
			length = (start - end + (-step) - 1) / (-step)
		}
	}
	return kd(length)
}

func (c *nctx) slice() {
	s := c.shape(0)
	dt := c.dtype(0)
	var starts, ends []model.Dim
	var axes, steps []int64
	if c.e.opset < 10 {
		st, ok1 := c.attrInts("starts")
		en, ok2 := c.attrInts("ends")
		axes, _ = c.attrInts("axes")
		if !ok1 || !ok2 {
			c.set(0, dt, unknownShape(len(s)))
			return
		}
		starts, ends = model.Fixed(st...), model.Fixed(en...)
	} else {
		var ok bool
		if starts, ok = c.cst(1).asDims(); !ok {
			c.set(0, dt, unknownShape(len(s)))
			return
		}
		if ends, ok = c.cst(2).asDims(); !ok {
			c.set(0, dt, unknownShape(len(s)))
			return
		}
		if c.has(3) {
			if axes, ok = c.cst(3).allInts(); !ok {
				c.set(0, dt, unknownShape(len(s)))
				return
			}
		}
		if c.has(4) {
			if steps, ok = c.cst(4).allInts(); !ok {
				c.set(0, dt, unknownShape(len(s)))
				return
			}
		}
	}
	if s == nil {
		c.set(0, dt, nil)
		return
	}
	if len(ends) != len(starts) || (axes != nil && len(axes) != len(starts)) || (steps != nil && len(steps) != len(starts)) {
		c.set(0, dt, unknownShape(len(s)))
		return
	}
	out := cloneShape(s)
	type rng struct {
		start, end model.Dim
		step       int64
	}
	per := map[int]rng{}
	for i := range starts {
		ax := i
		if axes != nil {
			a, ok := normAxis(axes[i], len(s))
			if !ok {
				c.set(0, dt, unknownShape(len(s)))
				return
			}
			ax = a
		}
		step := int64(1)
		if steps != nil {
			step = steps[i]
		}
		if ax >= len(s) {
			c.set(0, dt, unknownShape(len(s)))
			return
		}
		out[ax] = sliceRange(s[ax], starts[i], ends[i], step)
		per[ax] = rng{starts[i], ends[i], step}
	}
	c.set(0, dt, out)
	// Fold slices of small integer constants (shape vectors, the pads
	// matrix of torch's F.pad export).
	cv := c.intConst(0)
	dims, ok := out.Ints()
	if cv == nil || !ok || len(cv.dims) != len(s) {
		return
	}
	n, ok := elems(out, nil)
	if !ok || n > maxFold {
		return
	}
	starts0 := make([]int64, len(s))
	steps0 := make([]int64, len(s))
	for ax := range s {
		steps0[ax] = 1
		r, ok := per[ax]
		if !ok {
			continue
		}
		if !r.start.Known {
			return
		}
		d := cv.dims[ax]
		st := r.start.Value
		if st < 0 {
			st += d
		}
		if r.step > 0 {
			st = max(min(st, d), 0)
		} else {
			st = max(min(st, d-1), 0)
		}
		starts0[ax], steps0[ax] = st, r.step
	}
	vals := make([]model.Dim, n)
	idx := make([]int64, len(dims))
	for k := range vals {
		off := int64(0)
		for ax := range dims {
			i := starts0[ax] + idx[ax]*steps0[ax]
			if i < 0 || i >= cv.dims[ax] {
				return
			}
			off = off*cv.dims[ax] + i
		}
		vals[k] = cv.ints[off]
		for ax := len(dims) - 1; ax >= 0; ax-- {
			if idx[ax]++; idx[ax] < dims[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	c.outs[0].c = intsConst(dims, vals)
}

func (c *nctx) gather() {
	data, idx := c.shape(0), c.shape(1)
	dt := c.dtype(0)
	if data == nil || idx == nil {
		if data != nil && idx == nil {
			c.set(0, dt, nil)
		} else if data == nil {
			c.set(0, dt, nil)
		}
		return
	}
	ax, ok := normAxis(c.attrInt("axis", 0), len(data))
	if !ok {
		c.set(0, dt, nil)
		return
	}
	out := make(model.Shape, 0, len(data)-1+len(idx))
	out = append(out, data[:ax]...)
	out = append(out, idx...)
	out = append(out, data[ax+1:]...)
	c.set(0, dt, out)
	// Fold Gather on 1-D constants (a dim of a Shape output).
	if cv := c.vec1(0); cv != nil && len(cv.dims) == 1 && !cv.float && mayFold(c.in(1), 1024) {
		iv := c.small(1)
		ii, ok := iv.allInts()
		if !ok {
			return
		}
		vals := make([]model.Dim, len(ii))
		for k, i := range ii {
			if i < 0 {
				i += int64(len(cv.ints))
			}
			if i < 0 || i >= int64(len(cv.ints)) {
				return
			}
			vals[k] = cv.ints[i]
		}
		c.outs[0].c = intsConst(iv.dims, vals)
	}
}

func (c *nctx) gatherND() {
	data, idx := c.shape(0), c.shape(1)
	if data == nil || idx == nil || len(idx) == 0 || !idx[len(idx)-1].Known {
		c.set(0, c.dtype(0), nil)
		return
	}
	b := int(c.attrInt("batch_dims", 0))
	last := int(idx[len(idx)-1].Value)
	if b < 0 || b+last > len(data) {
		c.set(0, c.dtype(0), nil)
		return
	}
	out := cloneShape(idx[:len(idx)-1])
	out = append(out, data[b+last:]...)
	c.set(0, c.dtype(0), out)
}

func (c *nctx) squeeze() {
	s := c.shape(0)
	dt := c.dtype(0)
	axes, present, known := c.intsArg("axes", 1, 13)
	if !known {
		c.set(0, dt, nil)
		if n := c.shape(1); s != nil && len(n) == 1 && n[0].Known && n[0].Value <= int64(len(s)) {
			c.set(0, dt, unknownShape(len(s)-int(n[0].Value)))
		}
		return
	}
	if s == nil {
		if present {
			c.set(0, dt, nil)
		}
		return
	}
	drop := make([]bool, len(s))
	if !present || len(axes) == 0 {
		for i, d := range s {
			if !d.Known {
				c.set(0, dt, nil)
				return
			}
			drop[i] = d.Value == 1
		}
	} else {
		for _, a := range axes {
			ax, ok := normAxis(a, len(s))
			if !ok {
				c.set(0, dt, nil)
				return
			}
			drop[ax] = true
		}
	}
	out := model.Shape{}
	for i, d := range s {
		if !drop[i] {
			out = append(out, d)
		}
	}
	c.set(0, dt, out)
	if cv := c.foldIn(0); cv != nil {
		cp := *cv
		cp.dims, _ = out.Ints()
		if cp.dims != nil {
			c.outs[0].c = &cp
		}
	}
}

func (c *nctx) unsqueeze() {
	s := c.shape(0)
	dt := c.dtype(0)
	axes, present, known := c.intsArg("axes", 1, 13)
	if !present || !known || s == nil {
		c.set(0, dt, nil)
		if n := c.shape(1); s != nil && !known && len(n) == 1 && n[0].Known && n[0].Value <= maxRank {
			c.set(0, dt, unknownShape(len(s)+int(n[0].Value)))
		}
		return
	}
	r := len(s) + len(axes)
	if r > maxRank {
		c.set(0, dt, nil)
		return
	}
	ins := make([]bool, r)
	for _, a := range axes {
		ax, ok := normAxis(a, r)
		if !ok || ins[ax] {
			c.set(0, dt, nil)
			return
		}
		ins[ax] = true
	}
	out := make(model.Shape, r)
	j := 0
	for i := range out {
		if ins[i] {
			out[i] = kd(1)
			continue
		}
		out[i] = s[j]
		j++
	}
	c.set(0, dt, out)
	if cv := c.foldIn(0); cv != nil {
		cp := *cv
		cp.dims, _ = out.Ints()
		if cp.dims != nil {
			c.outs[0].c = &cp
		}
	}
}

func (c *nctx) expand() {
	s := c.shape(0)
	dt := c.dtype(0)
	spec, ok := c.cst(1).asDims()
	if !ok || len(spec) > maxRank {
		if sh := c.shape(1); len(sh) == 1 && sh[0].Known && s != nil {
			c.set(0, dt, unknownShape(int(max(sh[0].Value, int64(len(s))))))
		} else {
			c.set(0, dt, nil)
		}
		return
	}
	out := broadcast(s, model.Shape(spec))
	c.set(0, dt, out)
	if cv := c.foldIn(0); cv != nil {
		if dims, ok := out.Ints(); ok {
			if n, ok := elems(out, nil); ok && n <= maxFold {
				idx := bcastIndex(cv.dims, dims)
				if idx == nil {
					return
				}
				res := &cval{dims: dims, float: cv.float}
				for i := 0; i < int(n); i++ {
					if cv.float {
						res.flts = append(res.flts, cv.flts[idx(i)])
					} else {
						res.ints = append(res.ints, cv.ints[idx(i)])
					}
				}
				c.outs[0].c = res
			}
		}
	}
}

func (c *nctx) shapeOp() {
	s := c.shape(0)
	if s == nil {
		c.set(0, model.Int64, model.Shape{unknownDim})
		return
	}
	r := int64(len(s))
	start, end := c.attrInt("start", 0), c.attrInt("end", r)
	if start < 0 {
		start += r
	}
	if end < 0 {
		end += r
	}
	start = max(min(start, r), 0)
	end = max(min(end, r), 0)
	if end < start {
		end = start
	}
	c.setConst(0, model.Int64, vecConst(cloneShape(s[start:end])))
}

func (c *nctx) constant() {
	for _, a := range c.n.Attrs {
		switch a.Name {
		case "value":
			if a.Tensor == nil {
				continue
			}
			t := c.set(0, a.Tensor.DType, nil)
			if len(a.Tensor.Dims) <= maxRank {
				t.shape = model.Fixed(a.Tensor.Dims...)
			}
			t.lazy = a.Tensor
			if a.Tensor.Sparse {
				t.kind = model.SparseTensorType
			}
		case "value_float":
			c.setConst(0, model.Float32, &cval{dims: []int64{}, float: true, flts: []float64{float64(a.Float)}})
		case "value_floats":
			f := make([]float64, len(a.Floats))
			for i, v := range a.Floats {
				f[i] = float64(v)
			}
			c.setConst(0, model.Float32, &cval{dims: []int64{int64(len(f))}, float: true, flts: f})
		case "value_int":
			c.setConst(0, model.Int64, scalarInt(a.Int))
		case "value_ints":
			c.setConst(0, model.Int64, vecConst(model.Fixed(a.Ints...)))
		case "value_string":
			c.set(0, model.String, model.Shape{})
		case "value_strings":
			c.set(0, model.String, model.Fixed(int64(len(a.Strings))))
		case "sparse_value":
			if a.Tensor != nil && len(a.Tensor.Dims) <= maxRank {
				t := c.set(0, a.Tensor.DType, model.Fixed(a.Tensor.Dims...))
				t.kind = model.SparseTensorType
			}
		}
	}
}

func (c *nctx) constantOfShape() {
	dt := model.Float32
	var fill *cval
	if a := c.attr("value"); a != nil && a.Tensor != nil {
		dt = a.Tensor.DType
		fill = decodeTensor(a.Tensor, 1, c.e.read)
	}
	spec, ok := c.cst(0).asDims()
	if !ok {
		if s := c.shape(0); len(s) == 1 && s[0].Known {
			c.set(0, dt, unknownShape(int(min(s[0].Value, maxRank+1))))
		} else {
			c.set(0, dt, nil)
		}
		return
	}
	if len(spec) > maxRank {
		return
	}
	out := model.Shape(cloneShape(spec))
	c.set(0, dt, out)
	if dims, ok := out.Ints(); ok {
		n, ok := elems(out, nil)
		if !ok || n > maxFold {
			return
		}
		if fill == nil {
			fill = &cval{float: isFloatType(dt), flts: []float64{0}, ints: []model.Dim{kd(0)}}
		}
		res := &cval{dims: dims, float: fill.float}
		if fill.float {
			res.flts = make([]float64, n)
			for i := range res.flts {
				res.flts[i] = fill.flts[0]
			}
		} else {
			res.ints = make([]model.Dim, n)
			for i := range res.ints {
				res.ints[i] = fill.ints[0]
			}
		}
		c.outs[0].c = res
	}
}

func (c *nctx) rangeOp() {
	dt := c.dtype(0)
	st, lim, de := c.small(0), c.small(1), c.small(2)
	if st == nil || lim == nil || de == nil || st.size() != 1 || lim.size() != 1 || de.size() != 1 {
		// Range(0, dim, 1) has length dim, even when dim is symbolic.
		if st != nil && de != nil && st.size() == 1 && de.size() == 1 {
			s0, ok1 := st.int(0)
			d0, ok2 := de.int(0)
			if ok1 && ok2 && s0 == 0 && d0 == 1 {
				if lv := c.in(1); lv != nil && lv.c != nil && !lv.c.float && lv.c.size() == 1 {
					c.set(0, dt, model.Shape{lv.c.ints[0]})
					return
				}
			}
		}
		c.set(0, dt, model.Shape{unknownDim})
		return
	}
	if st.float || lim.float || de.float {
		a, _ := st.floats()
		b, _ := lim.floats()
		d, _ := de.floats()
		if d[0] == 0 || math.IsNaN(a[0]+b[0]+d[0]) || math.IsInf(a[0]+b[0]+d[0], 0) {
			c.set(0, dt, model.Shape{unknownDim})
			return
		}
		n := math.Max(math.Ceil((b[0]-a[0])/d[0]), 0)
		if n > maxDimSize {
			c.set(0, dt, model.Shape{unknownDim})
			return
		}
		c.set(0, dt, model.Fixed(int64(n)))
		if n <= maxFold {
			res := &cval{dims: []int64{int64(n)}, float: true, flts: make([]float64, int(n))}
			for i := range res.flts {
				res.flts[i] = a[0] + float64(i)*d[0]
			}
			c.outs[0].c = res
		}
		return
	}
	a, ok1 := st.int(0)
	b, ok2 := lim.int(0)
	d, ok3 := de.int(0)
	if !ok1 || !ok2 || !ok3 || d == 0 {
		if ok1 && ok3 && a == 0 && d == 1 && !lim.ints[0].Known {
			c.set(0, dt, model.Shape{lim.ints[0]})
			return
		}
		c.set(0, dt, model.Shape{unknownDim})
		return
	}
	diff := float64(b) - float64(a)
	n := math.Max(math.Ceil(diff/float64(d)), 0)
	if n > maxDimSize {
		c.set(0, dt, model.Shape{unknownDim})
		return
	}
	c.set(0, dt, model.Fixed(int64(n)))
	if n <= maxFold {
		vals := make([]model.Dim, int(n))
		for i := range vals {
			vals[i] = kd(a + int64(i)*d)
		}
		c.outs[0].c = vecConst(vals)
	}
}

func (c *nctx) tile() {
	s := c.shape(0)
	dt := c.dtype(0)
	rep, ok := c.cst(1).asDims()
	if s == nil || !ok || len(rep) != len(s) {
		c.set(0, dt, unknownShape(len(s)))
		return
	}
	out := make(model.Shape, len(s))
	for i := range s {
		out[i] = dimMul(s[i], rep[i])
	}
	c.set(0, dt, out)
}

func (c *nctx) pad() {
	s := c.shape(0)
	dt := c.dtype(0)
	if s == nil {
		c.set(0, dt, nil)
		return
	}
	var pads []int64
	var ok bool
	if c.e.opset < 11 {
		pads, ok = c.attrInts("pads")
		if !ok {
			pads, ok = c.attrInts("paddings")
		}
	} else {
		pads, ok = c.cst(1).allInts()
	}
	if !ok {
		c.set(0, dt, unknownShape(len(s)))
		return
	}
	axes := make([]int, len(s))
	for i := range axes {
		axes[i] = i
	}
	if c.e.opset >= 18 && c.has(3) {
		av, ok := c.cst(3).allInts()
		if !ok {
			c.set(0, dt, unknownShape(len(s)))
			return
		}
		axes = axes[:0]
		for _, a := range av {
			ax, ok := normAxis(a, len(s))
			if !ok {
				c.set(0, dt, unknownShape(len(s)))
				return
			}
			axes = append(axes, ax)
		}
	}
	if len(pads) != 2*len(axes) {
		c.set(0, dt, unknownShape(len(s)))
		return
	}
	out := cloneShape(s)
	for i, ax := range axes {
		d := dimAdd(dimAdd(out[ax], kd(pads[i])), kd(pads[i+len(axes)]))
		if d.Known && d.Value < 0 {
			d = unknownDim
		}
		out[ax] = d
	}
	c.set(0, dt, out)
}

func (c *nctx) resize(op string) {
	s := c.shape(0)
	dt := c.dtype(0)
	if s == nil {
		c.set(0, dt, nil)
		return
	}
	var scales []float64
	var sizes []model.Dim
	switch {
	case op == "Upsample" && c.e.opset < 9:
		if a := c.attr("scales"); a != nil && a.Kind == model.AttrFloats {
			for _, f := range a.Floats {
				scales = append(scales, float64(f))
			}
		} else {
			h, w := c.attrFloat("height_scale", 0), c.attrFloat("width_scale", 0)
			if h > 0 && w > 0 && len(s) == 4 {
				scales = []float64{1, 1, h, w}
			}
		}
	case op == "Upsample" || c.e.opset < 11:
		scales, _ = c.cst(1).floats()
	default:
		if c.has(3) {
			if d, ok := c.cst(3).asDims(); ok && len(d) > 0 {
				sizes = d
			}
		}
		if sizes == nil && c.has(2) {
			scales, _ = c.cst(2).floats()
			if len(scales) == 0 {
				scales = nil
			}
		}
	}
	axes := make([]int, len(s))
	for i := range axes {
		axes[i] = i
	}
	if a, ok := c.attrInts("axes"); ok && c.e.opset >= 18 {
		axes = axes[:0]
		for _, v := range a {
			ax, ok := normAxis(v, len(s))
			if !ok {
				c.set(0, dt, unknownShape(len(s)))
				return
			}
			axes = append(axes, ax)
		}
	}
	out := cloneShape(s)
	switch {
	case sizes != nil && len(sizes) == len(axes):
		policy := c.attrString("keep_aspect_ratio_policy", "stretch")
		if policy != "stretch" {
			return // needs float rounding per policy; leave unknown
		}
		for i, ax := range axes {
			out[ax] = sizes[i]
		}
	case scales != nil && len(scales) == len(axes):
		for i, ax := range axes {
			if !out[ax].Known {
				if scales[i] == 1 {
					continue
				}
				out[ax] = unknownDim
				continue
			}
			v := math.Floor(float64(out[ax].Value) * scales[i])
			if math.IsNaN(v) || v < 0 || v > maxDimSize {
				out[ax] = unknownDim
				continue
			}
			out[ax] = kd(int64(v))
		}
	default:
		out = unknownShape(len(s))
	}
	c.set(0, dt, out)
}

func (c *nctx) reduce(op string) {
	s := c.shape(0)
	dt := c.dtype(0)
	keep := c.attrInt("keepdims", 1) != 0
	since := int64(18)
	if op == "ReduceSum" {
		since = 13
	}
	axes, present, known := c.intsArg("axes", 1, since)
	if s == nil {
		c.set(0, dt, nil)
		return
	}
	if !known {
		switch n := c.shape(1); {
		case keep:
			c.set(0, dt, unknownShape(len(s)))
		case len(n) == 1 && n[0].Known && n[0].Value <= int64(len(s)):
			c.set(0, dt, unknownShape(len(s)-int(n[0].Value)))
		default:
			c.set(0, dt, nil)
		}
		return
	}
	red := make([]bool, len(s))
	if !present || len(axes) == 0 {
		if c.attrInt("noop_with_empty_axes", 0) != 0 && present {
			c.set(0, dt, cloneShape(s))
			return
		}
		for i := range red {
			red[i] = true
		}
	}
	for _, a := range axes {
		ax, ok := normAxis(a, len(s))
		if !ok {
			c.set(0, dt, nil)
			return
		}
		red[ax] = true
	}
	out := model.Shape{}
	for i, d := range s {
		switch {
		case !red[i]:
			out = append(out, d)
		case keep:
			out = append(out, kd(1))
		}
	}
	c.set(0, dt, out)
}

func (c *nctx) argReduce() {
	s := c.shape(0)
	if s == nil {
		c.set(0, model.Int64, nil)
		return
	}
	ax, ok := normAxis(c.attrInt("axis", 0), len(s))
	if !ok {
		c.set(0, model.Int64, nil)
		return
	}
	out := cloneShape(s)
	if c.attrInt("keepdims", 1) != 0 {
		out[ax] = kd(1)
	} else {
		out = append(out[:ax], out[ax+1:]...)
	}
	c.set(0, model.Int64, out)
}

func (c *nctx) topK() {
	s := c.shape(0)
	dt := c.dtype(0)
	if s == nil {
		c.set(0, dt, nil)
		c.set(1, model.Int64, nil)
		return
	}
	ax, ok := normAxis(c.attrInt("axis", -1), len(s))
	if !ok {
		return
	}
	k := unknownDim
	if c.e.opset < 10 {
		k = kd(c.attrInt("k", 0))
	} else if cv := c.cst(1); cv != nil && cv.size() == 1 && !cv.float {
		k = cv.ints[0]
	}
	out := cloneShape(s)
	out[ax] = k
	c.set(0, dt, out)
	c.set(1, model.Int64, cloneShape(out))
}

func (c *nctx) oneHot() {
	s := c.shape(0)
	dt := c.dtype(2)
	if s == nil {
		c.set(0, dt, nil)
		return
	}
	depth := unknownDim
	if cv := c.cst(1); cv != nil && cv.size() == 1 {
		if v, ok := cv.int(0); ok && v >= 0 {
			depth = kd(v)
		}
	}
	r := len(s) + 1
	ax, ok := normAxis(c.attrInt("axis", -1), r)
	if !ok {
		c.set(0, dt, nil)
		return
	}
	out := make(model.Shape, 0, r)
	out = append(out, s[:ax]...)
	out = append(out, depth)
	out = append(out, s[ax:]...)
	c.set(0, dt, out)
}

func (c *nctx) depthSpace(toSpace bool) {
	s := c.shape(0)
	dt := c.dtype(0)
	b := c.attrInt("blocksize", 0)
	if len(s) != 4 || b <= 0 || b > 1<<20 {
		c.set(0, dt, unknownShape(len(s)))
		return
	}
	bb := b * b
	if toSpace {
		c.set(0, dt, model.Shape{s[0], dimDiv(s[1], kd(bb), false), dimMul(s[2], kd(b)), dimMul(s[3], kd(b))})
	} else {
		c.set(0, dt, model.Shape{s[0], dimMul(s[1], kd(bb)), dimDiv(s[2], kd(b), false), dimDiv(s[3], kd(b), false)})
	}
}

func (c *nctx) rnn(op string) {
	x := c.shape(0)
	dt := c.dtype(0)
	hidden := kd(c.attrInt("hidden_size", 0))
	if c.attr("hidden_size") == nil {
		hidden = unknownDim
		if r := c.shape(2); len(r) == 3 {
			hidden = r[2]
		}
	}
	dirs := kd(1)
	if c.attrString("direction", "forward") == "bidirectional" {
		dirs = kd(2)
	}
	layout := c.attrInt("layout", 0)
	seq, batch := unknownDim, unknownDim
	if len(x) == 3 {
		seq, batch = x[0], x[1]
		if layout != 0 {
			seq, batch = x[1], x[0]
		}
	}
	if layout != 0 {
		c.set(0, dt, model.Shape{batch, seq, dirs, hidden})
		c.set(1, dt, model.Shape{batch, dirs, hidden})
		c.set(2, dt, model.Shape{batch, dirs, hidden})
	} else {
		c.set(0, dt, model.Shape{seq, dirs, batch, hidden})
		c.set(1, dt, model.Shape{dirs, batch, hidden})
		c.set(2, dt, model.Shape{dirs, batch, hidden})
	}
}

// mergeBranches is the type of an If output: dims equal in both branches.
func mergeBranches(a, b *tval) *tval {
	if a == nil || b == nil {
		return nil
	}
	out := &tval{kind: a.kind, dtype: a.dtype, elem: a.elem}
	if out.dtype == model.Undefined {
		out.dtype = b.dtype
	}
	if a.shape != nil && b.shape != nil && len(a.shape) == len(b.shape) {
		out.shape = make(model.Shape, len(a.shape))
		for i := range a.shape {
			if sameDim(a.shape[i], b.shape[i]) {
				out.shape[i] = a.shape[i]
			}
		}
	}
	return out
}

func (c *nctx) subgraph(name string) *model.Graph {
	if a := c.attr(name); a != nil {
		return a.Graph
	}
	return nil
}

func (c *nctx) ifOp() {
	th := c.e.runSub(c.subgraph("then_branch"), nil)
	el := c.e.runSub(c.subgraph("else_branch"), nil)
	for i := range c.outs {
		var a, b *tval
		if i < len(th) {
			a = th[i]
		}
		if i < len(el) {
			b = el[i]
		}
		if cv := c.small(0); cv != nil && cv.size() == 1 {
			if v, ok := cv.int(0); ok {
				if v != 0 {
					c.outs[i] = copyT(a)
				} else {
					c.outs[i] = copyT(b)
				}
				continue
			}
		}
		c.outs[i] = mergeBranches(a, b)
	}
}

func copyT(t *tval) *tval {
	if t == nil {
		return nil
	}
	cp := *t
	return &cp
}

func (c *nctx) loop() {
	body := c.subgraph("body")
	if body == nil {
		return
	}
	// Body inputs: iteration number, condition, loop-carried values.
	bin := []*tval{{dtype: model.Int64, shape: model.Shape{}}, {dtype: model.Bool, shape: model.Shape{}}}
	nCarried := len(c.n.Inputs) - 2
	if nCarried < 0 {
		nCarried = 0
	}
	for i := 0; i < nCarried; i++ {
		t := copyT(c.in(2 + i))
		if t != nil {
			t.c, t.lazy = nil, nil
		}
		bin = append(bin, t)
	}
	bout := c.e.runSub(body, bin)
	trip := unknownDim
	if cv := c.small(0); cv != nil && cv.size() == 1 && c.has(0) {
		if v, ok := cv.int(0); ok && v >= 0 && v <= maxDimSize && !c.has(1) {
			trip = kd(v)
		}
	}
	for i := range c.outs {
		if i < nCarried {
			// Carried values: keep the dims the body leaves unchanged.
			var bo *tval
			if 1+i < len(bout) {
				bo = bout[1+i]
			}
			c.outs[i] = mergeBranches(c.in(2+i), bo)
			if c.outs[i] != nil && c.outs[i].dtype == model.Undefined && bo != nil {
				c.outs[i].dtype = bo.dtype
			}
			continue
		}
		j := 1 + i
		if j >= len(bout) || bout[j] == nil {
			continue
		}
		bo := bout[j]
		t := &tval{dtype: bo.dtype}
		if bo.shape != nil {
			t.shape = append(model.Shape{trip}, bo.shape...)
		}
		c.outs[i] = t
	}
}

func (c *nctx) scan() {
	body := c.subgraph("body")
	if body == nil {
		return
	}
	// Scan-8 has a sequence_lens input first and a batch axis before the
	// scanned one on every scan input and output.
	first, batched := 0, false
	if c.e.opset < 9 {
		first, batched = 1, true
	}
	nScanIn := int(c.attrInt("num_scan_inputs", 0))
	nState := len(c.n.Inputs) - first - nScanIn
	if nState < 0 || nScanIn < 0 {
		return
	}
	lead := 0 // dims before the scanned axis
	if batched {
		lead = 1
	}
	bin := make([]*tval, 0, len(c.n.Inputs))
	seq, batch := unknownDim, unknownDim
	for i := first; i < len(c.n.Inputs); i++ {
		t := copyT(c.in(i))
		if t != nil {
			t.c, t.lazy = nil, nil
		}
		if t != nil && t.shape != nil && len(t.shape) > lead {
			if batched {
				batch = t.shape[0]
			}
			if i-first >= nState {
				seq = t.shape[lead]
				t.shape = append(cloneShape(t.shape[:lead]), t.shape[lead+1:]...)
			}
			if batched {
				t.shape = cloneShape(t.shape[1:])
			}
		}
		bin = append(bin, t)
	}
	bout := c.e.runSub(body, bin)
	for i := range c.outs {
		if i >= len(bout) || bout[i] == nil {
			continue
		}
		t := copyT(bout[i])
		t.c = nil
		if t.shape != nil {
			if i >= nState {
				t.shape = append(model.Shape{seq}, t.shape...)
			}
			if batched {
				t.shape = append(model.Shape{batch}, t.shape...)
			}
		}
		c.outs[i] = t
	}
}

func seqOf(elem *tval) *tval {
	if elem != nil {
		elem = copyT(elem)
		elem.c, elem.lazy = nil, nil
	}
	return &tval{kind: model.SequenceType, seq: elem}
}

func (c *nctx) sequence(op string) {
	in0 := c.in(0)
	var elem *tval
	if in0 != nil && in0.kind == model.SequenceType {
		elem = in0.seq
	}
	switch op {
	case "SequenceConstruct":
		var m *tval
		for i := range c.ins {
			if i == 0 {
				m = copyT(c.in(0))
			} else {
				m = mergeBranches(m, c.in(i))
			}
		}
		c.outs[0] = seqOf(m)
	case "SequenceEmpty":
		dt := model.DType(c.attrInt("dtype", int64(model.Float32)))
		c.outs[0] = seqOf(&tval{dtype: dt})
	case "SequenceInsert":
		if elem == nil {
			c.outs[0] = seqOf(nil)
			return
		}
		c.outs[0] = seqOf(mergeBranches(elem, c.in(1)))
	case "SequenceErase":
		c.outs[0] = seqOf(elem)
	case "SequenceAt":
		if elem != nil {
			c.outs[0] = copyT(elem)
		}
	case "SequenceLength":
		c.set(0, model.Int64, model.Shape{})
	case "SplitToSequence":
		s := c.shape(0)
		e := &tval{dtype: c.dtype(0)}
		if s != nil {
			ax, ok := normAxis(c.attrInt("axis", 0), len(s))
			if ok {
				out := cloneShape(s)
				switch {
				case c.has(1):
					if cv := c.cst(1); cv != nil && len(cv.dims) == 0 {
						v, _ := cv.int(0)
						out[ax] = kd(v)
						if s[ax].Known && v > 0 && s[ax].Value%v != 0 {
							out[ax] = unknownDim
						}
					} else {
						out[ax] = unknownDim
					}
				case c.attrInt("keepdims", 1) != 0:
					out[ax] = kd(1)
				default:
					out = append(out[:ax], out[ax+1:]...)
				}
				e.shape = out
			}
		}
		c.outs[0] = seqOf(e)
	case "ConcatFromSequence":
		if elem == nil {
			return
		}
		t := &tval{dtype: elem.dtype}
		if s := elem.shape; s != nil {
			newAxis := c.attrInt("new_axis", 0) != 0
			r := len(s)
			if newAxis {
				r++
			}
			if ax, ok := normAxis(c.attrInt("axis", 0), r); ok {
				out := cloneShape(s)
				if newAxis {
					out = append(out[:ax], append(model.Shape{unknownDim}, out[ax:]...)...)
				} else {
					out[ax] = unknownDim
				}
				t.shape = out
			}
		}
		c.outs[0] = t
	}
}
