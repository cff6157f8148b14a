package analysis

import (
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// Symbolic sums: a concat of a cache of past positions with seq new ones
// has "past + seq" positions, and total - seq is "total - seq". A linear
// dim is a sum of symbols with integer coefficients plus a constant,
// written canonically with spaced operators ("past + seq", "total - seq",
// "2*seq + 1") so equal sums compare equal as strings and names that
// merely contain '-' or '+' ("batch-size") stay plain symbols.

type linear struct {
	terms map[string]int64 // symbol -> coefficient
	k     int64
}

// isSum reports whether a symbolic dim is a sum written by linear.dim.
func isSum(p string) bool { return strings.Contains(p, " + ") || strings.Contains(p, " - ") }

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
	if !isSum(p) {
		if strings.Contains(p, "*") {
			coef, syms := splitParam(p)
			if len(syms) != 1 {
				return l, false
			}
			l.terms[syms[0]] = coef
			return l, true
		}
		l.terms[p] = 1
		return l, true
	}
	f := strings.Fields(p)
	sign := int64(1)
	for i, tok := range f {
		if i%2 == 1 {
			switch tok {
			case "+":
				sign = 1
			case "-":
				sign = -1
			default:
				return l, false
			}
			continue
		}
		if v, err := strconv.ParseInt(tok, 10, 64); err == nil {
			if abs64(v) > 1<<50 {
				return l, false
			}
			l.k += sign * v
			continue
		}
		coef, sym := int64(1), tok
		if c, s, ok := strings.Cut(tok, "*"); ok {
			v, err := strconv.ParseInt(c, 10, 64)
			if err != nil || v < 0 || v > 1<<40 || strings.Contains(s, "*") {
				return l, false
			}
			coef, sym = v, s
		}
		l.terms[sym] += sign * coef
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

// dim writes l back: a size, a symbol, or a canonical sum (positive terms
// first, then negative ones, then the constant). A sum with no positive
// term is not a size: unknown.
func (l linear) dim() model.Dim {
	var pos, neg []string
	for s, c := range l.terms {
		switch {
		case c > 0:
			pos = append(pos, s)
		case c < 0:
			neg = append(neg, s)
		}
	}
	if len(pos) == 0 {
		if len(neg) > 0 || l.k < 0 {
			return unknownDim
		}
		return kd(l.k)
	}
	if len(pos) == 1 && len(neg) == 0 && l.k == 0 {
		if c := l.terms[pos[0]]; c != 1 {
			return model.Dim{Param: strconv.FormatInt(c, 10) + "*" + pos[0]}
		}
		return model.Dim{Param: pos[0]}
	}
	sort.Strings(pos)
	sort.Strings(neg)
	var b strings.Builder
	term := func(s string, c int64) {
		if c != 1 {
			b.WriteString(strconv.FormatInt(c, 10))
			b.WriteByte('*')
		}
		b.WriteString(s)
	}
	for i, s := range pos {
		if i > 0 {
			b.WriteString(" + ")
		}
		term(s, l.terms[s])
	}
	for _, s := range neg {
		b.WriteString(" - ")
		term(s, -l.terms[s])
	}
	switch {
	case l.k > 0:
		b.WriteString(" + " + strconv.FormatInt(l.k, 10))
	case l.k < 0:
		b.WriteString(" - " + strconv.FormatInt(-l.k, 10))
	}
	return model.Dim{Param: b.String()}
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
