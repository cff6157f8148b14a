package analysis

import (
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// Limits that keep analysis bounded on hostile files.
const (
	maxRank    = 64      // a shape with more dims is treated as unknown
	maxFold    = 1 << 16 // elements of a folded constant tensor
	maxDimSize = 1 << 50 // a dim larger than this is treated as unknown
)

var unknownDim = model.Dim{}

func kd(v int64) model.Dim { return model.Dim{Value: v, Known: true} }

func isKnown(d model.Dim, v int64) bool { return d.Known && d.Value == v }

// sameDim reports whether a and b certainly denote the same size.
func sameDim(a, b model.Dim) bool {
	if a.Known || b.Known {
		return a.Known && b.Known && a.Value == b.Value
	}
	return a.Param != "" && a.Param == b.Param
}

// mulOK multiplies non-negative sizes with an overflow check.
func mulOK(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

func addOK(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// dimAdd adds two dims: known+known, x+0, 0+x.
func dimAdd(a, b model.Dim) model.Dim {
	switch {
	case a.Known && b.Known:
		if s, ok := addOK(a.Value, b.Value); ok {
			return kd(s)
		}
		return unknownDim
	case isKnown(a, 0):
		return b
	case isKnown(b, 0):
		return a
	}
	return linearAddSub(a, b, 1)
}

func dimSub(a, b model.Dim) model.Dim {
	switch {
	case a.Known && b.Known:
		if s, ok := addOK(a.Value, -b.Value); ok && b.Value != math.MinInt64 {
			return kd(s)
		}
		return unknownDim
	case isKnown(b, 0):
		return a
	case sameDim(a, b):
		return kd(0)
	}
	return linearAddSub(a, b, -1)
}

func dimMul(a, b model.Dim) model.Dim {
	switch {
	case a.Known && b.Known:
		if a.Value < 0 || b.Value < 0 {
			if p, ok := mulOK(abs64(a.Value), abs64(b.Value)); ok {
				if (a.Value < 0) != (b.Value < 0) {
					return kd(-p)
				}
				return kd(p)
			}
			return unknownDim
		}
		if p, ok := mulOK(a.Value, b.Value); ok {
			return kd(p)
		}
		return unknownDim
	case isKnown(a, 1):
		return b
	case isKnown(b, 1):
		return a
	case isKnown(a, 0) || isKnown(b, 0):
		return kd(0)
	case (a.Known && a.Value < 0) || (b.Known && b.Value < 0):
		return unknownDim
	}
	return product(model.Shape{a, b}).dim()
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// dimDiv is integer division rounding toward -inf (floor) or +inf (ceil).
func dimDiv(a, b model.Dim, ceil bool) model.Dim {
	switch {
	case a.Known && b.Known && b.Value != 0:
		if a.Value == math.MinInt64 && b.Value == -1 {
			return unknownDim
		}
		q := a.Value / b.Value
		r := a.Value % b.Value
		if r != 0 {
			if ceil && (r > 0) == (b.Value > 0) {
				q++
			} else if !ceil && (r > 0) != (b.Value > 0) {
				q--
			}
		}
		return kd(q)
	case isKnown(b, 1):
		return a
	case sameDim(a, b) && !a.Known && a.Param != "":
		return kd(1)
	case (a.Known && a.Value < 0) || (b.Known && b.Value <= 0):
		return unknownDim
	}
	if q, ok := product(model.Shape{a}).div(product(model.Shape{b})); ok {
		return q.dim()
	}
	return unknownDim
}

// mono is a product of dims: coef × the named symbols (sorted, with
// repeats). ok is false when some factor is unknown or it overflowed.
type mono struct {
	coef int64
	syms []string
	ok   bool
}

func product(s model.Shape) mono {
	m := mono{coef: 1, ok: true}
	for _, d := range s {
		m = m.times(d)
	}
	return m
}

func (m mono) times(d model.Dim) mono {
	if !m.ok {
		return m
	}
	switch {
	case d.Known:
		c, ok := mulOK(m.coef, d.Value)
		if !ok {
			return mono{}
		}
		m.coef = c
	case isSum(d.Param):
		return mono{} // a sum is not a monomial
	case d.Param != "":
		coef, syms := splitParam(d.Param)
		c, ok := mulOK(m.coef, coef)
		if !ok {
			return mono{}
		}
		m.coef = c
		all := make([]string, len(m.syms), len(m.syms)+len(syms))
		copy(all, m.syms)
		m.syms = append(all, syms...)
		sort.Strings(m.syms)
	default:
		return mono{}
	}
	return m
}

// div divides m by n exactly; ok false when not exactly divisible.
func (m mono) div(n mono) (mono, bool) {
	if !m.ok || !n.ok || n.coef == 0 || m.coef%n.coef != 0 {
		return mono{}, false
	}
	rest := append([]string(nil), m.syms...)
	for _, s := range n.syms {
		i := sort.SearchStrings(rest, s)
		if i >= len(rest) || rest[i] != s {
			return mono{}, false
		}
		rest = append(rest[:i], rest[i+1:]...)
	}
	return mono{coef: m.coef / n.coef, syms: rest, ok: true}, true
}

// dim turns a monomial back into a dim: a constant, a single symbol, or
// a product of symbols written "a*b" (kept symbolic so it still cancels).
func (m mono) dim() model.Dim {
	if !m.ok {
		return unknownDim
	}
	if len(m.syms) == 0 {
		return kd(m.coef)
	}
	if m.coef == 0 {
		return kd(0)
	}
	if m.coef < 0 || len(m.syms) > 8 {
		return unknownDim
	}
	p := strings.Join(m.syms, "*")
	if m.coef != 1 {
		p = strconv.FormatInt(m.coef, 10) + "*" + p
	}
	if len(p) > 200 {
		return unknownDim
	}
	return model.Dim{Param: p}
}

// splitParam reads a symbolic dim that may be a product written by dim():
// "4*batch*seq" is 4 × batch × seq. A plain name is itself.
func splitParam(p string) (int64, []string) {
	if !strings.Contains(p, "*") {
		return 1, []string{p}
	}
	coef := int64(1)
	var syms []string
	for _, f := range strings.Split(p, "*") {
		if v, err := strconv.ParseInt(f, 10, 64); err == nil && v >= 0 {
			if c, ok := mulOK(coef, v); ok {
				coef = c
				continue
			}
			return 1, []string{p}
		}
		syms = append(syms, f)
	}
	return coef, syms
}

// dimsProduct multiplies dims, propagating a single symbol.
func dimsProduct(s model.Shape) model.Dim { return product(s).dim() }

// broadcast applies numpy broadcasting to shapes; nil (unknown rank) in,
// nil out.
func broadcast(shapes ...model.Shape) model.Shape {
	r := 0
	for _, s := range shapes {
		if s == nil {
			return nil
		}
		if len(s) > r {
			r = len(s)
		}
	}
	out := make(model.Shape, r)
	for i := 0; i < r; i++ {
		var res model.Dim
		first := true
		for _, s := range shapes {
			j := i - (r - len(s))
			if j < 0 {
				continue
			}
			d := s[j]
			if first {
				res, first = d, false
				continue
			}
			res = bcastDim(res, d)
		}
		out[i] = res
	}
	return out
}

func bcastDim(a, b model.Dim) model.Dim {
	switch {
	case isKnown(a, 1):
		return b
	case isKnown(b, 1):
		return a
	case a.Known:
		return a // b must equal a (or be 1, handled above)
	case b.Known:
		return b
	case a.Param != "" && a.Param == b.Param:
		return a
	}
	return unknownDim
}

// normAxis maps a possibly negative axis into [0, rank); ok false if out of
// range.
func normAxis(a int64, rank int) (int, bool) {
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank) {
		return 0, false
	}
	return int(a), true
}

func cloneShape(s model.Shape) model.Shape {
	if s == nil {
		return nil
	}
	out := make(model.Shape, len(s))
	copy(out, s)
	return out
}

func unknownShape(rank int) model.Shape {
	if rank < 0 || rank > maxRank {
		return nil
	}
	return make(model.Shape, rank)
}

// sanitizeShape drops shapes that are absurd (too many dims, negative or
// huge dims) so later arithmetic never sees them.
func sanitizeShape(s model.Shape) model.Shape {
	if s == nil {
		return nil
	}
	if len(s) > maxRank {
		return nil
	}
	copied := false
	for i, d := range s {
		if d.Known && (d.Value < 0 || d.Value > maxDimSize) {
			if !copied {
				s, copied = cloneShape(s), true
			}
			s[i] = unknownDim
		}
	}
	return s
}

// fullyKnown reports whether every dim is a known size.
func fullyKnown(s model.Shape) bool {
	if s == nil {
		return false
	}
	for _, d := range s {
		if !d.Known {
			return false
		}
	}
	return true
}

// elems is the element count with symbolic and unknown dims taken as 1;
// ok is false when the rank is unknown or the product overflows. assumed
// collects the symbols that were taken as 1.
func elems(s model.Shape, assumed func(model.Dim)) (int64, bool) {
	if s == nil {
		return 0, false
	}
	n := int64(1)
	for _, d := range s {
		v := d.Value
		if !d.Known {
			v = 1
			if d.Param == "" {
				if assumed != nil {
					assumed(d)
				}
			} else if l, ok := sumOf(d); ok {
				// A sum: each symbol counts as 1 (and the sum as at least 1).
				v = l.k
				for sym, c := range l.terms {
					v += c
					if assumed != nil {
						assumed(model.Dim{Param: sym})
					}
				}
				v = max(v, 1)
			} else {
				coef, syms := splitParam(d.Param)
				v = coef
				if assumed != nil {
					for _, sym := range syms {
						assumed(model.Dim{Param: sym})
					}
				}
			}
		}
		var ok bool
		if n, ok = mulOK(n, v); !ok {
			return 0, false
		}
	}
	return n, true
}

func joinPath(p []string) string { return strings.Join(p, "\x00") }

// sumOf reads a symbolic sum ("past + seq"); false for anything else,
// without allocating.
func sumOf(d model.Dim) (linear, bool) {
	if !isSum(d.Param) {
		return linear{}, false
	}
	return toLinear(d)
}
