package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/modelviz/modelviz/view"
)

// DOT writes s as a Graphviz digraph for people who want Graphviz to lay
// it out: expanded groups become nested clusters, boxes HTML-like tables
// with the header coloured by category, edges carry shapes. Positions
// are not written; Graphviz computes its own.
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
	fmt.Fprintf(bw, "  edge [color=%q, fontname=\"Helvetica\", fontsize=%g, fontcolor=%q, arrowsize=0.6];\n", th.edge.css(), m.EdgeLabelSize, th.edgeLabel.css())

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
	var writeGroup func(k int, indent string)
	writeGroup = func(k int, indent string) {
		for _, i := range members[k] {
			writeDotNode(bw, &s.Nodes[i], th, indent)
		}
		for _, c := range subGroups[k] {
			if written[c] {
				continue // a cycle in parents: each cluster once
			}
			written[c] = true
			g := &s.Groups[c]
			fmt.Fprintf(bw, "%ssubgraph %s {\n", indent, dotQuote("cluster_"+g.ID))
			fmt.Fprintf(bw, "%s  label=%s; labeljust=l; style=\"rounded,filled\"; fillcolor=%q; color=%q; fontcolor=%q;\n",
				indent, dotQuote(g.Label), blend(th.bg, th.groupFill).css(), blend(th.bg, th.groupLine).css(), th.groupText.css())
			writeGroup(c, indent+"  ")
			fmt.Fprintf(bw, "%s}\n", indent)
		}
	}
	writeGroup(len(s.Groups), "  ")
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
			attrs = append(attrs, "style=dashed", "arrowhead=none", fmt.Sprintf("color=%q", blend(th.bg, th.edge.alpha(orderAlpha)).css()))
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

func writeDotNode(w *bufio.Writer, b *view.Box, th *theme, indent string) {
	fmt.Fprintf(w, "%s%s [label=<", indent, dotQuote(b.ID))
	switch b.Kind {
	case "input", "output":
		fmt.Fprintf(w, `<table border="1" cellborder="0" cellspacing="0" cellpadding="4" style="rounded" bgcolor="%s" color="%s"><tr><td><font color="%s"><b>%s</b></font></td></tr>`,
			th.ioFill.css(), th.ioStroke.css(), th.ioText.css(), htmlText(b.Label))
	default:
		head, border := th.headerColor(b.Category), th.nodeStroke
		if b.Kind == "group" {
			head, border = th.collHead, th.collStroke
		}
		fmt.Fprintf(w, `<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" bgcolor="%s" color="%s"><tr><td bgcolor="%s"><font color="%s"><b>%s</b></font></td></tr>`,
			th.nodeFill.css(), border.css(), head.css(), th.headerText.css(), htmlText(b.Label))
	}
	for _, r := range b.Rows {
		w.WriteString(`<tr><td align="left">`)
		if r.Key != "" {
			fmt.Fprintf(w, `<font color="%s"><b>%s</b></font> `, th.rowKey.css(), htmlText(r.Key))
		}
		fmt.Fprintf(w, `<font color="%s">%s</font></td></tr>`, th.rowText.css(), htmlText(r.Value))
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
