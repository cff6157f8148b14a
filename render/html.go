package render

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"io"
	"strings"

	"github.com/modelviz/modelviz/view"
)

//go:embed assets/viewer.js
var viewerJS string

//go:embed assets/viewer.css
var viewerCSS string

// htmlBox is one box in the page's embedded JSON: geometry for
// highlighting and centring, text for search and the side panel.
type htmlBox struct {
	ID       string       `json:"id"`
	Label    string       `json:"label"`
	Kind     string       `json:"kind"`
	Category string       `json:"category,omitempty"`
	Name     string       `json:"name,omitempty"`
	X        float64      `json:"x"`
	Y        float64      `json:"y"`
	W        float64      `json:"w"`
	H        float64      `json:"h"`
	Rows     []Field      `json:"rows,omitempty"`
	Params   int64        `json:"params,omitempty"`
	MACs     int64        `json:"macs,omitempty"`
	In       []htmlEdge   `json:"in,omitempty"`
	Out      []htmlEdge   `json:"out,omitempty"`
	Details  *NodeDetails `json:"details,omitempty"`
}

type htmlEdge struct {
	Other string `json:"other"` // box ID at the other end
	Value string `json:"value,omitempty"`
	Shape string `json:"shape,omitempty"`
}

type htmlGroup struct {
	ID     string  `json:"id"`
	Label  string  `json:"label"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	W      float64 `json:"w"`
	H      float64 `json:"h"`
	Ops    int     `json:"ops"`
	Params int64   `json:"params,omitempty"`
}

// HTML writes one self-contained page: the SVG inline, the node facts as
// JSON and a small script for pan, zoom, search and details. It loads
// nothing from the network.
func HTML(w io.Writer, s *view.Scene, opt Options) error {
	// The page shows the title in its toolbar, not in the drawing.
	inner := opt
	inner.Title = ""
	var svg bytes.Buffer
	if err := svgDocument(&svg, s, inner, true); err != nil {
		return err
	}
	th, _ := themeByName(opt.Theme)
	data := struct {
		Nodes  []htmlBox   `json:"nodes"`
		Groups []htmlGroup `json:"groups"`
	}{Nodes: make([]htmlBox, len(s.Nodes)), Groups: make([]htmlGroup, 0, len(s.Groups))}
	index := make(map[string]int, len(s.Nodes))
	for i := range s.Nodes {
		b := &s.Nodes[i]
		hb := htmlBox{ID: b.ID, Label: clip(b.Label), Kind: b.Kind, Category: b.Category, Name: clip(b.Name),
			X: round2(b.X), Y: round2(b.Y), W: round2(b.W), H: round2(b.H), Params: b.Params, MACs: b.MACs}
		for _, r := range b.Rows {
			hb.Rows = append(hb.Rows, Field{Name: clip(r.Key), Value: clip(r.Value)})
		}
		if opt.Details != nil {
			hb.Details = opt.Details(b)
		}
		data.Nodes[i] = hb
		index[b.ID] = i
	}
	for i := range s.Edges {
		e := &s.Edges[i]
		if j, ok := index[e.To]; ok && len(data.Nodes[j].In) < maxFields {
			data.Nodes[j].In = append(data.Nodes[j].In, htmlEdge{e.From, clip(e.Value), clip(e.Label)})
		}
		if j, ok := index[e.From]; ok && len(data.Nodes[j].Out) < maxFields {
			data.Nodes[j].Out = append(data.Nodes[j].Out, htmlEdge{e.To, clip(e.Value), clip(e.Label)})
		}
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		data.Groups = append(data.Groups, htmlGroup{g.ID, clip(g.Label), round2(g.X), round2(g.Y), round2(g.W), round2(g.H), g.Ops, g.Params})
	}
	js, err := json.Marshal(data) // escapes <, > and &: safe inside <script>
	if err != nil {
		return err
	}
	title := strings.TrimSpace(opt.Title)
	if title == "" {
		title = "modelviz"
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\" data-theme=\"")
	b.WriteString(th.name)
	b.WriteString("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	xmlEscape(&b, title)
	b.WriteString("</title>\n<style>\n:root{--bg:")
	b.WriteString(th.bg.css())
	b.WriteString(";--fg:")
	b.WriteString(th.rowKey.css())
	b.WriteString(";--muted:")
	b.WriteString(th.rowText.css())
	b.WriteString(";--panel:")
	b.WriteString(th.ioFill.css())
	b.WriteString(";--line:")
	b.WriteString(th.ioStroke.css())
	b.WriteString("}\n")
	b.WriteString(viewerCSS)
	b.WriteString("</style>\n</head>\n<body>\n")
	b.WriteString(`<header id="mv-bar"><span id="mv-title">`)
	xmlEscape(&b, title)
	b.WriteString(`</span><input type="search" id="mv-search" placeholder="Search ops, tensors (Ctrl+F)" title="Search ops, names, tensors and shapes; /regex/ too (Ctrl+F)" aria-label="Search" autocomplete="off">` +
		`<span id="mv-count"></span>` +
		`<button id="mv-out" title="Zoom out (−)" aria-label="Zoom out">−</button>` +
		`<button id="mv-in" title="Zoom in (+)" aria-label="Zoom in">+</button>` +
		`<button id="mv-fit" title="Fit (0)" aria-label="Fit">Fit</button></header>` + "\n")
	b.WriteString("<main id=\"mv-view\">\n")
	b.Write(svg.Bytes())
	b.WriteString("</main>\n<aside id=\"mv-panel\" hidden></aside>\n")
	b.WriteString("<script type=\"application/json\" id=\"mv-data\">")
	b.Write(js)
	b.WriteString("</script>\n<script>\n")
	b.WriteString(viewerJS)
	b.WriteString("</script>\n</body>\n</html>\n")
	_, err = w.Write(b.Bytes())
	return err
}

func round2(v float64) float64 {
	if !finite(v) {
		return 0
	}
	return float64(int64(v*100+0.5*sign(v))) / 100
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
