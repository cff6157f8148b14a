package analysis

import (
	"encoding/binary"
	"math"

	"github.com/modelviz/modelviz/model"
)

// cval is the content of a small tensor known at analysis time (a folded
// shape computation). Integer and bool tensors keep one model.Dim per
// element, so a dim read by Shape stays symbolic ("batch") through Gather,
// Concat and Reshape. Float tensors are fully known or not folded at all.
type cval struct {
	dims  []int64
	float bool
	ints  []model.Dim // when !float
	flts  []float64   // when float
}

func (c *cval) size() int {
	if c.float {
		return len(c.flts)
	}
	return len(c.ints)
}

// shape of the constant as a model.Shape.
func (c *cval) shape() model.Shape { return model.Fixed(c.dims...) }

// int returns element i as a known int64.
func (c *cval) int(i int) (int64, bool) {
	if c == nil || i < 0 || i >= c.size() {
		return 0, false
	}
	if c.float {
		f := c.flts[i]
		if math.IsNaN(f) || f > 9.2e18 || f < -9.2e18 {
			return 0, false
		}
		return int64(f), true
	}
	d := c.ints[i]
	return d.Value, d.Known
}

// allInts returns every element as a known int64.
func (c *cval) allInts() ([]int64, bool) {
	if c == nil || c.float {
		return nil, false
	}
	out := make([]int64, len(c.ints))
	for i, d := range c.ints {
		if !d.Known {
			return nil, false
		}
		out[i] = d.Value
	}
	return out, true
}

// floats returns every element as float64.
func (c *cval) floats() ([]float64, bool) {
	if c == nil {
		return nil, false
	}
	if c.float {
		return c.flts, true
	}
	out := make([]float64, len(c.ints))
	for i, d := range c.ints {
		if !d.Known {
			return nil, false
		}
		out[i] = float64(d.Value)
	}
	return out, true
}

// asDims reads a 0-D or 1-D integer tensor as a list of dims.
func (c *cval) asDims() ([]model.Dim, bool) {
	if c == nil || c.float || len(c.dims) > 1 {
		return nil, false
	}
	return c.ints, true
}

func isFloatType(d model.DType) bool {
	switch d {
	case model.Float32, model.Float64, model.Float16, model.BFloat16:
		return true
	}
	return false
}

func isIntType(d model.DType) bool {
	switch d {
	case model.Int64, model.Int32, model.Int16, model.Int8, model.Uint8,
		model.Uint16, model.Uint32, model.Uint64, model.Bool:
		return true
	}
	return false
}

// decodeTensor loads a small int, bool or float tensor. Nil when too big,
// missing or malformed. limit bounds the element count.
func decodeTensor(t *model.Tensor, limit int, read func(*model.Tensor, int64) ([]byte, error)) *cval {
	if t == nil || t.Sparse || t.Warning != "" || t.Quant != "" || len(t.Dims) > maxRank {
		return nil
	}
	n := t.NumElements()
	if n < 0 || n > int64(limit) {
		return nil
	}
	bitsPer := t.DType.Bits()
	if !(isIntType(t.DType) || isFloatType(t.DType)) || bitsPer%8 != 0 {
		return nil
	}
	want := n * int64(bitsPer/8)
	if (t.Location == "embedded" || t.Location == "external") && t.Length != want {
		return nil // never load more than the dims say
	}
	var b []byte
	var err error
	if read != nil {
		b, err = read(t, want)
	} else {
		b, err = t.Load()
	}
	if err != nil || int64(len(b)) != want {
		return nil
	}
	c := &cval{dims: append([]int64(nil), t.Dims...)}
	if isFloatType(t.DType) {
		c.float = true
		c.flts = make([]float64, n)
		for i := range c.flts {
			switch t.DType {
			case model.Float32:
				c.flts[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
			case model.Float64:
				c.flts[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			case model.Float16:
				c.flts[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
			case model.BFloat16:
				c.flts[i] = float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16))
			}
		}
		return c
	}
	c.ints = make([]model.Dim, n)
	for i := range c.ints {
		var v int64
		switch t.DType {
		case model.Int64:
			v = int64(binary.LittleEndian.Uint64(b[8*i:]))
		case model.Uint64:
			u := binary.LittleEndian.Uint64(b[8*i:])
			if u > math.MaxInt64 {
				return nil
			}
			v = int64(u)
		case model.Int32:
			v = int64(int32(binary.LittleEndian.Uint32(b[4*i:])))
		case model.Uint32:
			v = int64(binary.LittleEndian.Uint32(b[4*i:]))
		case model.Int16:
			v = int64(int16(binary.LittleEndian.Uint16(b[2*i:])))
		case model.Uint16:
			v = int64(binary.LittleEndian.Uint16(b[2*i:]))
		case model.Int8:
			v = int64(int8(b[i]))
		case model.Uint8:
			v = int64(b[i])
		case model.Bool:
			if b[i] != 0 {
				v = 1
			}
		}
		c.ints[i] = kd(v)
	}
	return c
}

func halfToFloat(h uint16) float64 {
	sign := uint32(h>>15) & 1
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	var f uint32
	switch {
	case exp == 0 && frac == 0:
		f = sign << 31
	case exp == 0:
		e := uint32(127 - 15 + 1)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		frac &= 0x3ff
		f = sign<<31 | e<<23 | frac<<13
	case exp == 0x1f:
		f = sign<<31 | 0xff<<23 | frac<<13
	default:
		f = sign<<31 | (exp-15+127)<<23 | frac<<13
	}
	return float64(math.Float32frombits(f))
}

func intsConst(dims []int64, vals []model.Dim) *cval {
	return &cval{dims: dims, ints: vals}
}

func vecConst(vals []model.Dim) *cval {
	return &cval{dims: []int64{int64(len(vals))}, ints: vals}
}

func scalarInt(v int64) *cval { return &cval{dims: []int64{}, ints: []model.Dim{kd(v)}} }

// castConst converts a constant to dtype to.
func castConst(c *cval, to model.DType) *cval {
	if c == nil {
		return nil
	}
	switch {
	case isFloatType(to):
		f, ok := c.floats()
		if !ok {
			return nil
		}
		out := &cval{dims: c.dims, float: true, flts: make([]float64, len(f))}
		for i, v := range f {
			if to == model.Float32 || to == model.Float16 || to == model.BFloat16 {
				v = float64(float32(v))
			}
			out.flts[i] = v
		}
		return out
	case to == model.Bool:
		out := &cval{dims: c.dims, ints: make([]model.Dim, c.size())}
		for i := range out.ints {
			if c.float {
				out.ints[i] = kd(b2i(c.flts[i] != 0))
				continue
			}
			d := c.ints[i]
			switch {
			case d.Known:
				out.ints[i] = kd(b2i(d.Value != 0))
			default:
				out.ints[i] = unknownDim
			}
		}
		return out
	case isIntType(to):
		if !c.float {
			return &cval{dims: c.dims, ints: c.ints}
		}
		out := &cval{dims: c.dims, ints: make([]model.Dim, len(c.flts))}
		for i, f := range c.flts {
			if math.IsNaN(f) || math.IsInf(f, 0) || f > 9.2e18 || f < -9.2e18 {
				return nil
			}
			out.ints[i] = kd(int64(f)) // truncation toward zero
		}
		return out
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// foldBinary evaluates an element-wise binary op on two constants with
// broadcasting. Nil when not foldable.
func foldBinary(op string, a, b *cval) *cval {
	if a == nil || b == nil {
		return nil
	}
	sh := broadcast(a.shape(), b.shape())
	dims, ok := sh.Ints()
	if !ok {
		return nil
	}
	n, ok := elems(sh, nil)
	if !ok || n > maxFold {
		return nil
	}
	ia := bcastIndex(a.dims, dims)
	ib := bcastIndex(b.dims, dims)
	if ia == nil || ib == nil {
		return nil
	}
	if a.float || b.float {
		fa, ok1 := a.floats()
		fb, ok2 := b.floats()
		if !ok1 || !ok2 {
			return nil
		}
		cmp := isCompare(op)
		out := &cval{dims: dims}
		if cmp {
			out.ints = make([]model.Dim, n)
		} else {
			out.float = true
			out.flts = make([]float64, n)
		}
		for i := 0; i < int(n); i++ {
			x, y := fa[ia(i)], fb[ib(i)]
			if cmp {
				r, ok := cmpFloat(op, x, y)
				if !ok {
					return nil
				}
				out.ints[i] = kd(b2i(r))
				continue
			}
			r, ok := arithFloat(op, x, y)
			if !ok {
				return nil
			}
			out.flts[i] = r
		}
		return out
	}
	out := &cval{dims: dims, ints: make([]model.Dim, n)}
	for i := 0; i < int(n); i++ {
		x, y := a.ints[ia(i)], b.ints[ib(i)]
		r, ok := arithDim(op, x, y)
		if !ok {
			return nil
		}
		out.ints[i] = r
	}
	return out
}

func isCompare(op string) bool {
	switch op {
	case "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor":
		return true
	}
	return false
}

func cmpFloat(op string, x, y float64) (bool, bool) {
	switch op {
	case "Equal":
		return x == y, true
	case "Less":
		return x < y, true
	case "Greater":
		return x > y, true
	case "LessOrEqual":
		return x <= y, true
	case "GreaterOrEqual":
		return x >= y, true
	}
	return false, false
}

func arithFloat(op string, x, y float64) (float64, bool) {
	switch op {
	case "Add":
		return x + y, true
	case "Sub":
		return x - y, true
	case "Mul":
		return x * y, true
	case "Div":
		return x / y, true
	case "Pow":
		return math.Pow(x, y), true
	case "Max":
		return math.Max(x, y), true
	case "Min":
		return math.Min(x, y), true
	case "Mod":
		if y == 0 {
			return 0, false
		}
		return math.Mod(x, y), true
	}
	return 0, false
}

// arithDim evaluates one integer element; symbolic sizes survive where
// the result is certain (x*1, x+0, x==x, a size compared with a negative
// number, ...).
func arithDim(op string, x, y model.Dim) (model.Dim, bool) {
	switch op {
	case "Add":
		return dimAdd(x, y), true
	case "Sub":
		return dimSub(x, y), true
	case "Mul":
		return dimMul(x, y), true
	case "Div":
		if x.Known && y.Known {
			if y.Value == 0 || (x.Value == math.MinInt64 && y.Value == -1) {
				return unknownDim, false
			}
			return kd(x.Value / y.Value), true // truncation, as onnxruntime
		}
		return dimDiv(x, y, false), true
	case "Mod":
		if x.Known && y.Known && y.Value != 0 {
			m := x.Value % y.Value
			if m != 0 && (m < 0) != (y.Value < 0) {
				m += y.Value // fmod=0: sign of the divisor
			}
			return kd(m), true
		}
		return unknownDim, true
	case "Max", "Min":
		if x.Known && y.Known {
			if (op == "Max") == (x.Value > y.Value) {
				return x, true
			}
			return y, true
		}
		if sameDim(x, y) {
			return x, true
		}
		// A size is >= 0 (and usually >= 1): max(size, 1) or max(size, 0)
		// is the size when the size is symbolic.
		if op == "Max" && x.Param != "" && y.Known && y.Value <= 0 {
			return x, true
		}
		if op == "Max" && y.Param != "" && x.Known && x.Value <= 0 {
			return y, true
		}
		return unknownDim, true
	case "Equal":
		switch {
		case x.Known && y.Known:
			return kd(b2i(x.Value == y.Value)), true
		case sameDim(x, y):
			return kd(1), true
		case x.Param != "" && y.Known && y.Value < 0, y.Param != "" && x.Known && x.Value < 0:
			return kd(0), true // a size is never negative
		}
		return unknownDim, true
	case "Less", "Greater", "LessOrEqual", "GreaterOrEqual":
		if x.Known && y.Known {
			r, _ := cmpFloat(op, float64(x.Value), float64(y.Value))
			return kd(b2i(r)), true
		}
		return unknownDim, true
	case "And", "Or", "Xor":
		if x.Known && y.Known {
			a, b := x.Value != 0, y.Value != 0
			var r bool
			switch op {
			case "And":
				r = a && b
			case "Or":
				r = a || b
			default:
				r = a != b
			}
			return kd(b2i(r)), true
		}
		return unknownDim, true
	case "Pow":
		if x.Known && y.Known && y.Value >= 0 && y.Value < 64 {
			r := int64(1)
			for i := int64(0); i < y.Value; i++ {
				var ok bool
				if r, ok = mulOK(r, abs64(x.Value)); !ok {
					return unknownDim, false
				}
			}
			if x.Value < 0 && y.Value%2 == 1 {
				r = -r
			}
			return kd(r), true
		}
		return unknownDim, true
	}
	return unknownDim, false
}

// bcastIndex maps a flat index of the broadcast output to one of the
// input with dims in (right-aligned numpy broadcasting). Nil when in does
// not broadcast to out.
func bcastIndex(in, out []int64) func(int) int {
	if len(in) > len(out) {
		return nil
	}
	for j, d := range in {
		if o := out[len(out)-len(in)+j]; d != o && d != 1 {
			return nil
		}
	}
	if len(in) == len(out) {
		same := true
		for i := range in {
			if in[i] != out[i] {
				same = false
				break
			}
		}
		if same {
			return func(i int) int { return i }
		}
	}
	total := int64(1)
	for _, d := range in {
		total *= d
	}
	if total == 1 {
		return func(int) int { return 0 }
	}
	off := len(out) - len(in)
	return func(i int) int {
		idx, stride := 0, 1
		rem := i
		for k := len(out) - 1; k >= 0; k-- {
			od := int(out[k])
			pos := 0
			if od > 0 {
				pos = rem % od
				rem /= od
			}
			if j := k - off; j >= 0 {
				if in[j] != 1 {
					idx += pos * stride
				}
				stride *= int(in[j])
			}
		}
		return idx
	}
}
