package analysis

import (
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// Symbolic sums: a concat of a cache of past_seq positions with seq new
// ones has past_seq+seq positions. A linear dim is a sum of symbols with
// integer coefficients plus a constant, written canonically ("past+seq",
// "seq-1", "2*seq+1") so equal sums compare equal as strings.

type linear struct {
	terms map[string]int64 // symbol -> coefficient
	k     int64
}

// toLinear reads a dim as a linear form; false for unknown dims and for
// products of symbols ("batch*seq").
func toLinear(d model.Dim) (linear, bool) {
	l := linear{terms: map[string]int64{}}
	if d.Known {
		l.k = d.Value
		return l, true
	}
	p := d.Param
	if p == "" || len(p) > 200 {
		return l, false
	}
	// Split at '+' and '-' keeping the sign with the term.
	start, sign := 0, int64(1)
	flush := func(term string, sg int64) bool {
		if term == "" {
			return false
		}
		coef, sym := int64(1), term
		if c, s, ok := strings.Cut(term, "*"); ok {
			v, err := strconv.ParseInt(c, 10, 64)
			if err != nil || strings.Contains(s, "*") || v > 1<<40 {
				return false
			}
			coef, sym = v, s
		} else if v, err := strconv.ParseInt(term, 10, 64); err == nil {
			if v > 1<<40 {
				return false
			}
			l.k += sg * v
			return true
		}
		l.terms[sym] += sg * coef
		return true
	}
	for i := 0; i <= len(p); i++ {
		if i == len(p) || ((p[i] == '+' || p[i] == '-') && i > 0) {
			if !flush(p[start:i], sign) {
				return l, false
			}
			if i < len(p) {
				sign = 1
				if p[i] == '-' {
					sign = -1
				}
			}
			start = i + 1
		}
	}
	return l, len(l.terms) <= 8
}

func (l linear) plus(o linear, sign int64) (linear, bool) {
	out := linear{terms: map[string]int64{}, k: l.k}
	for s, c := range l.terms {
		out.terms[s] = c
	}
	for s, c := range o.terms {
		out.terms[s] += sign * c
		if out.terms[s] == 0 {
			delete(out.terms, s)
		}
	}
	if abs64(o.k) > 1<<50 || abs64(l.k) > 1<<50 {
		return out, false
	}
	out.k += sign * o.k
	return out, true
}

// dim writes l back: a size, a symbol, or a canonical sum. A sum with a
// negative symbol coefficient is not a size one can rely on: unknown.
func (l linear) dim() model.Dim {
	syms := make([]string, 0, len(l.terms))
	for s, c := range l.terms {
		if c < 0 {
			return unknownDim
		}
		if c != 0 {
			syms = append(syms, s)
		}
	}
	if len(syms) == 0 {
		if l.k < 0 {
			return unknownDim
		}
		return kd(l.k)
	}
	sort.Strings(syms)
	var b strings.Builder
	for i, s := range syms {
		if i > 0 {
			b.WriteByte('+')
		}
		if c := l.terms[s]; c != 1 {
			b.WriteString(strconv.FormatInt(c, 10))
			b.WriteByte('*')
		}
		b.WriteString(s)
	}
	switch {
	case l.k > 0:
		b.WriteString("+" + strconv.FormatInt(l.k, 10))
	case l.k < 0:
		b.WriteString(strconv.FormatInt(l.k, 10))
	}
	return model.Dim{Param: b.String()}
}

// isSum reports whether a symbolic dim is a sum as dim() writes them
// (not a plain symbol, a product, or a name that merely contains '-' such
// as "batch-size").
func isSum(p string) bool {
	if !strings.ContainsAny(p, "+-") {
		return false
	}
	l, ok := toLinear(model.Dim{Param: p})
	if !ok || (len(l.terms) < 2 && l.k == 0) {
		return false
	}
	for _, c := range l.terms {
		if c <= 0 {
			return false
		}
	}
	return true
}

// linearAddSub adds or subtracts two symbolic dims as linear forms.
func linearAddSub(a, b model.Dim, sign int64) model.Dim {
	la, ok1 := toLinear(a)
	lb, ok2 := toLinear(b)
	if !ok1 || !ok2 {
		return unknownDim
	}
	s, ok := la.plus(lb, sign)
	if !ok {
		return unknownDim
	}
	return s.dim()
}
