package view

import (
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// maxListItems bounds how many items of a list attribute a row shows.
const maxListItems = 8

// attrRows shows n's attributes as rows, in file order. Subgraphs are
// drawn as groups, so graph attributes only name themselves here.
func (b *builder) attrRows(n *model.Node) []Row {
	if len(n.Attrs) == 0 {
		return nil
	}
	rows := make([]Row, 0, min(len(n.Attrs), maxRows))
	for i := range n.Attrs {
		if len(rows) == maxRows {
			break
		}
		a := &n.Attrs[i]
		v := ""
		if a.Kind == model.AttrTensor && a.Tensor != nil && a.RefAttrName == "" {
			v = a.Tensor.DType.String() + " " + b.tensorText(a.Tensor, false)
		} else {
			v = attrValue(a)
		}
		rows = append(rows, Row{Key: clip(a.Name), Value: clip(v)})
	}
	return rows
}

func attrValue(a *model.Attr) string {
	if a.RefAttrName != "" {
		return "@" + a.RefAttrName
	}
	switch a.Kind {
	case model.AttrFloat:
		return formatFloat(a.Float)
	case model.AttrInt:
		return strconv.FormatInt(a.Int, 10)
	case model.AttrString:
		return strconv.Quote(clip(a.String))
	case model.AttrTensor:
		if a.Tensor != nil {
			return a.Tensor.DType.String() + " " + DimsLabel(a.Tensor.Dims)
		}
	case model.AttrGraph:
		return "graph"
	case model.AttrFloats:
		return list(len(a.Floats), func(i int) string { return formatFloat(a.Floats[i]) })
	case model.AttrInts:
		return list(len(a.Ints), func(i int) string { return strconv.FormatInt(a.Ints[i], 10) })
	case model.AttrStrings:
		return list(len(a.Strings), func(i int) string { return strconv.Quote(clip(a.Strings[i])) })
	case model.AttrTensors:
		return strconv.Itoa(len(a.Tensors)) + " tensors"
	case model.AttrGraphs:
		return strconv.Itoa(len(a.Graphs)) + " graphs"
	case model.AttrType, model.AttrTypes:
		return strings.ToLower(a.Kind.String())
	}
	return ""
}

func formatFloat(f float32) string {
	return strconv.FormatFloat(float64(f), 'g', 6, 32)
}

// list renders up to maxListItems items as "1, 2, 3, …".
func list(n int, item func(int) string) string {
	var sb strings.Builder
	for i := 0; i < n && i < maxListItems; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(item(i))
	}
	if n > maxListItems {
		sb.WriteString(", …")
	}
	return sb.String()
}
