package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/modelviz/modelviz/view"
)

// DOT writes s as a Graphviz digraph for people who want Graphviz to lay
// it out: expanded groups become nested clusters, tinted deeper with each
// level as drawScene's translucent fills stack, boxes HTML-like tables
// with the header coloured by category, edges carry shapes. Positions
// are not written; Graphviz computes its own.
//
// Graphviz fills an HTML table inside the table's rounded corners but a
// cell's fill is square, so a coloured header cell would poke out past
// the border. A box is therefore one rounded table whose cells have no
// fill: a header-only box is filled with the header colour, a box with
// rows with a two-stop top-to-bottom gradient that switches from the
// header colour to the body colour where the header row ends (fixed row
// heights make that point exact). Graphviz's SVG and cairo outputs (PNG,
// PDF) draw such gradients; -Tps fills the whole box with the header
// colour.
func DOT(w io.Writer, s *view.Scene, opt Options) error {
	th, err := themeByName(opt.Theme)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("render: no scene")
	}
	m := sceneMetrics()
	bw := bufio.NewWriter(w)
	rankdir := "TB"
	if s.Direction == "LR" {
		rankdir = "LR"
	}
	fmt.Fprintf(bw, "digraph modelviz {\n")
	fmt.Fprintf(bw, "  graph [rankdir=%s, bgcolor=%q, fontname=\"Helvetica\", fontsize=%g, nodesep=0.3, ranksep=0.4", rankdir, th.bg.css(), m.LabelSize)
	if t := strings.TrimSpace(opt.Title); t != "" {
		fmt.Fprintf(bw, ", label=%s, labelloc=t", dotQuote(t))
	}
	bw.WriteString("];\n")
	fmt.Fprintf(bw, "  node [shape=plain, fontname=\"Helvetica\", fontsize=%g];\n", m.LabelSize)
	fmt.Fprintf(bw, "  edge [color=%q, penwidth=%g, fontname=\"Helvetica\", fontsize=%g, fontcolor=%q, arrowsize=0.6];\n", th.edge.css(), edgeWidth, m.EdgeLabelSize, th.edgeLabel.css())

	// Children per group, in scene order.
	groupIdx := make(map[string]int, len(s.Groups))
	for i := range s.Groups {
		groupIdx[s.Groups[i].ID] = i
	}
	subGroups := make([][]int, len(s.Groups)+1) // last slot: root
	members := make([][]int, len(s.Groups)+1)
	slot := func(id string) int {
		if i, ok := groupIdx[id]; ok {
			return i
		}
		return len(s.Groups)
	}
	for i := range s.Groups {
		p := slot(s.Groups[i].Parent)
		if p == i {
			p = len(s.Groups)
		}
		subGroups[p] = append(subGroups[p], i)
	}
	for i := range s.Nodes {
		k := slot(s.Nodes[i].Group)
		members[k] = append(members[k], i)
	}
	written := make([]bool, len(s.Groups))
	// under is the opaque colour a cluster is drawn on: the picture's
	// background, or its parent's fill.
	var writeGroup func(k int, indent string, under rgba)
	writeGroup = func(k int, indent string, under rgba) {
		for _, i := range members[k] {
			writeDotNode(bw, &s.Nodes[i], th, indent)
		}
		for _, c := range subGroups[k] {
			if written[c] {
				continue // a cycle in parents: each cluster once
			}
			written[c] = true
			g := &s.Groups[c]
			fill, line, text := th.groupFill, th.groupLine, th.groupText
			if isSubgraph(g.ID) {
				col := th.categories["control"]
				fill, line, text = col.alpha(float64(fill.A)/255), col.alpha(float64(line.A)/255), col
			}
			f := blend(under, fill)
			label := `""`
			if g.Label != "" {
				label = "<<b>" + htmlText(g.Label) + "</b>>"
			}
			fmt.Fprintf(bw, "%ssubgraph %s {\n", indent, dotQuote("cluster_"+g.ID))
			fmt.Fprintf(bw, "%s  label=%s; labeljust=l; style=\"rounded,filled\"; fillcolor=%q; color=%q; fontcolor=%q;\n",
				indent, label, f.css(), blend(f, line).css(), text.css())
			writeGroup(c, indent+"  ", f)
			fmt.Fprintf(bw, "%s}\n", indent)
		}
	}
	writeGroup(len(s.Groups), "  ", th.bg)
	for i := range s.Groups {
		if !written[i] { // unreachable from the root: parent cycle
			written[i] = true
			for _, n := range members[i] {
				writeDotNode(bw, &s.Nodes[n], th, "  ")
			}
		}
	}
	for i := range s.Edges {
		e := &s.Edges[i]
		fmt.Fprintf(bw, "  %s -> %s", dotQuote(e.From), dotQuote(e.To))
		var attrs []string
		if e.Label != "" {
			attrs = append(attrs, "label="+dotQuote(" "+e.Label+" "))
		}
		if e.Order {
			// Module order, not data flow: faint, dashed, headless.
			attrs = append(attrs, "style=dashed", "arrowhead=none", fmt.Sprintf("color=%q", blend(th.bg, th.edge.alpha(orderAlpha)).css()), fmt.Sprintf("penwidth=%g", orderWidth))
		}
		if len(attrs) > 0 {
			bw.WriteString(" [" + strings.Join(attrs, ", ") + "]")
		}
		bw.WriteString(";\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// blend composes a translucent colour over an opaque one (Graphviz
// handles alpha unevenly across its outputs).
func blend(bg, c rgba) rgba {
	a := float64(c.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-a) + float64(y)*a + 0.5) }
	return rgba{mix(bg.R, c.R), mix(bg.G, c.G), mix(bg.B, c.B), 255}
}

// Heights of a DOT box's rows, in points: the header line as view sizes
// it, and a row line a little taller than view's, as Graphviz pads every
// side of a cell. Each holds its text and padding with room to spare even
// in fonts with tall lines (Noto Sans: 1.36 × size), so Graphviz keeps
// them exactly and the gradient's switch falls on the header's edge.
const (
	dotHeadH  = view.HeaderHeight
	dotRowH   = 18.0
	dotBorder = 1.0
)

func writeDotNode(w *bufio.Writer, b *view.Box, th *theme, indent string) {
	m := sceneMetrics()
	fmt.Fprintf(w, "%s%s [label=<", indent, dotQuote(b.ID))
	var fill string // the table's bgcolor and, for a gradient, its angle
	border, keyC, valC, align := -1.0, th.rowKey, th.rowText, "left"
	var headC, lineC rgba
	switch b.Kind {
	case "input", "output":
		fill, lineC, headC, border = `bgcolor="`+th.ioFill.css()+`"`, th.ioStroke, th.ioText, dotBorder
		keyC, valC, align = th.ioRow, th.ioRow, "center"
	default:
		head, body, line := th.headerColor(b.Category), th.nodeFill, th.nodeStroke
		if b.Kind == "group" {
			head, body, line = th.collHead, th.collFill, th.collStroke
			if isSubgraph(b.ID) {
				head, line = th.categories["control"], th.categories["control"]
			}
			border = dotBorder // drawCollapsed strokes a header-only box too
		}
		headC, lineC = th.headerText, line
		if len(b.Rows) == 0 {
			fill = `bgcolor="` + head.css() + `"`
		} else {
			border = dotBorder
			f := (dotBorder + dotHeadH) / (2*dotBorder + dotHeadH + float64(len(b.Rows))*dotRowH)
			fill = fmt.Sprintf(`bgcolor="%s;%.3f:%s" gradientangle="270"`, head.css(), f, body.css())
		}
	}
	if border < 0 {
		fmt.Fprintf(w, `<table border="0" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" %s>`, fill)
	} else {
		fmt.Fprintf(w, `<table border="%g" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" %s color="%s">`, border, fill, lineC.css())
	}
	fmt.Fprintf(w, `<tr><td height="%g"><font color="%s"><b>%s</b></font></td></tr>`, dotHeadH, headC.css(), htmlText(b.Label))
	for _, r := range b.Rows {
		fmt.Fprintf(w, `<tr><td align="%s" height="%g" cellpadding="2"><font point-size="%g">`, align, dotRowH, m.RowSize)
		if r.Key != "" {
			fmt.Fprintf(w, `<font color="%s"><b>%s</b></font> `, keyC.css(), htmlText(r.Key))
		}
		fmt.Fprintf(w, `<font color="%s">%s</font></font></td></tr>`, valC.css(), htmlText(r.Value))
	}
	w.WriteString("</table>>];\n")
}

// dotQuote makes a DOT double-quoted ID.
func dotQuote(s string) string {
	s = strings.ToValidUTF8(s, "?")
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(" ")
		case r < 0x20:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// htmlText escapes s for a Graphviz HTML-like label.
func htmlText(s string) string {
	s = strings.ToValidUTF8(s, "?")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			if r < 0x20 {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
