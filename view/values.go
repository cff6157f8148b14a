package view

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

const (
	// maxShown is the element count up to which a folded tensor shows its
	// values rather than its dims, as Netron does for scalars.
	maxShown = 4
	// maxLoads bounds the tensor reads of one Build: a hostile file may
	// hold millions of scalars.
	maxLoads = 1 << 14
)

// tensorText is the text of a tensor in a row: the value of a scalar,
// the values of a 1-D tensor of at most maxShown elements ("[0, 2]",
// unless dimsOnly: a layer's weights read better as a shape), else the
// dims. A scalar whose data cannot be read is "scalar".
func (b *builder) tensorText(t *model.Tensor, dimsOnly bool) string {
	if len(t.Dims) == 0 {
		if s, ok := b.values(t); ok {
			return s
		}
		return "scalar"
	}
	if len(t.Dims) == 1 && !dimsOnly && t.Dims[0] >= 0 && t.Dims[0] <= maxShown {
		if s, ok := b.values(t); ok {
			return "[" + s + "]"
		}
	}
	return DimsLabel(t.Dims)
}

// values reads a tensor of at most maxShown elements and formats its
// elements joined by ", ". It never loads more bytes than the dims say,
// and skips external files (a read each, on an unchecked path count).
func (b *builder) values(t *model.Tensor) (string, bool) {
	if t == nil || t.Sparse || t.Warning != "" || t.Quant != "" || t.Location == "external" || b.loads >= maxLoads {
		return "", false
	}
	n := t.NumElements()
	size := t.DType.Bits() / 8
	if n < 0 || n > maxShown || size == 0 || t.DType.Bits()%8 != 0 || !plainType(t.DType) {
		return "", false
	}
	want := n * int64(size)
	if t.Length != want {
		return "", false
	}
	b.loads++
	raw, err := t.Load()
	if err != nil || int64(len(raw)) != want {
		return "", false
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = element(t.DType, raw[i*size:(i+1)*size])
	}
	return strings.Join(parts, ", "), true
}

func plainType(d model.DType) bool {
	switch d {
	case model.Float32, model.Float64, model.Float16, model.BFloat16, model.Bool,
		model.Int8, model.Int16, model.Int32, model.Int64,
		model.Uint8, model.Uint16, model.Uint32, model.Uint64:
		return true
	}
	return false
}

// element formats one little-endian element of type d (len(p) is its size).
func element(d model.DType, p []byte) string {
	le := binary.LittleEndian
	switch d {
	case model.Float32:
		return formatFloat(math.Float32frombits(le.Uint32(p)))
	case model.Float64:
		return strconv.FormatFloat(math.Float64frombits(le.Uint64(p)), 'g', 6, 64)
	case model.Float16:
		return formatFloat(halfFloat(le.Uint16(p)))
	case model.BFloat16:
		return formatFloat(math.Float32frombits(uint32(le.Uint16(p)) << 16))
	case model.Bool:
		return strconv.FormatBool(p[0] != 0)
	case model.Int8:
		return strconv.FormatInt(int64(int8(p[0])), 10)
	case model.Int16:
		return strconv.FormatInt(int64(int16(le.Uint16(p))), 10)
	case model.Int32:
		return strconv.FormatInt(int64(int32(le.Uint32(p))), 10)
	case model.Int64:
		return strconv.FormatInt(int64(le.Uint64(p)), 10)
	case model.Uint8:
		return strconv.FormatUint(uint64(p[0]), 10)
	case model.Uint16:
		return strconv.FormatUint(uint64(le.Uint16(p)), 10)
	case model.Uint32:
		return strconv.FormatUint(uint64(le.Uint32(p)), 10)
	case model.Uint64:
		return strconv.FormatUint(le.Uint64(p), 10)
	}
	return "?"
}

// halfFloat converts IEEE half precision bits to float32.
func halfFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac × 2^-24
		f := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp-15+127)<<23 | frac<<13)
}

// constantText is the value of a Constant node's scalar or list forms
// (value_float, value_ints...), or "const" when it has none of them.
func constantText(n *model.Node) string {
	for i := range n.Attrs {
		a := &n.Attrs[i]
		switch a.Kind {
		case model.AttrFloat, model.AttrInt, model.AttrString:
			return attrValue(a)
		case model.AttrFloats, model.AttrInts:
			k := len(a.Floats) + len(a.Ints)
			if k <= maxShown {
				return "[" + attrValue(a) + "]"
			}
			return strconv.Itoa(k)
		}
	}
	return "const"
}

// ShapeLabel is a shape as edges show it: dims joined by "×", "scalar"
// for rank 0, "?" unknown. A symbolic product inside one dim is written
// with "·" and a sum in parentheses, so neither reads as two dims.
// Details panels use it too, so a shape reads the same everywhere.
func ShapeLabel(s model.Shape) string {
	if s == nil {
		return "?"
	}
	if len(s) == 0 {
		return "scalar"
	}
	var sb strings.Builder
	for i, d := range s {
		if i > 0 {
			sb.WriteString("×")
		}
		sb.WriteString(dimLabel(d, len(s) > 1))
	}
	return sb.String()
}

func dimLabel(d model.Dim, several bool) string {
	if d.Known || d.Param == "" {
		return d.String()
	}
	p := strings.ReplaceAll(d.Param, "*", "·")
	if several && (strings.Contains(p, " + ") || strings.Contains(p, " - ")) {
		p = "(" + p + ")"
	}
	return p
}
