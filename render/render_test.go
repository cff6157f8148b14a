package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/view"
)

func wellFormedXML(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

func TestSVGHandScene(t *testing.T) {
	var a, b bytes.Buffer
	if err := SVG(&a, handScene(), Options{Title: "hand <made>"}); err != nil {
		t.Fatal(err)
	}
	if err := SVG(&b, handScene(), Options{Title: "hand <made>"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("SVG differs between two runs")
	}
	wellFormedXML(t, a.Bytes())
	s := a.String()
	for _, want := range []string{"MatMul", "Softmax", "LayerNormalization", "decoder", "‹16›", "1×16", "batch×16",
		"@font-face", "font-weight:700", "hand &lt;made&gt;", `data-id="g:decoder"`, "Ünïcödé ??"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	for _, bad := range []string{"⟨", "⟩", "中", "NaN", "Inf"} {
		if strings.Contains(s, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	golden(t, "hand.svg", a.Bytes())

	var d bytes.Buffer
	if err := SVG(&d, handScene(), Options{Theme: "dark"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.String(), darkTheme.bg.css()) || bytes.Equal(d.Bytes(), a.Bytes()) {
		t.Error("dark theme not applied")
	}
	if err := SVG(io.Discard, handScene(), Options{Theme: "purple"}); err == nil {
		t.Error("unknown theme accepted")
	}
}

// Every character drawn must exist in both fonts: no tofu anywhere.
func TestSafeTextNoTofu(t *testing.T) {
	cases := map[string]string{
		"W ⟨8×4⟩":      "W ‹8×4›",
		"naïve→résumé": "naïve→résumé",
		"中文":           "??",
		"a\tb\x00c":    "a b c",
		"bad\xffutf8":  "bad?utf8",
		"1…2 – 3 — 4":  "1…2 – 3 — 4",
		"⟪x⟫":          "?x?",
	}
	for in, want := range cases {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bold := range []bool{false, true} {
		f := fontFace(bold)
		for r := rune(0); r < 0x3000; r++ {
			for _, c := range SafeText(string(r)) {
				if c != ' ' && f.glyph(c) == 0 {
					t.Fatalf("SafeText(%U) yields %U which the font lacks", r, c)
				}
			}
		}
	}
}

func TestTextWidthMatchesView(t *testing.T) {
	for _, s := range []string{"Gemm", "LayerNormalization", "W 8×4", "naïve"} {
		for _, bold := range []bool{false, true} {
			a, b := textWidth(s, 12, bold), view.TextWidth(s, 12, bold)
			if math.Abs(a-b) > 0.05 {
				t.Errorf("textWidth(%q, bold=%v) = %g, view says %g", s, bold, a, b)
			}
		}
	}
	if got := fitText("LayerNormalization", 12, true, 60); !strings.HasSuffix(got, "…") || textWidth(got, 12, true) > 60.5 {
		t.Errorf("fitText gave %q (%g wide)", got, textWidth(got, 12, true))
	}
}

func TestSubsetFont(t *testing.T) {
	f := fontFace(false)
	keep := map[uint16]bool{}
	for _, r := range "Gemm×é" {
		keep[uint16(f.glyph(r))] = true
	}
	sub, err := subsetTTF(f.ttf, keep)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) > len(f.ttf)/3 {
		t.Errorf("subset is %d bytes of %d", len(sub), len(f.ttf))
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	var b1, b2 sfnt.Buffer
	ppem := fixed.I(100)
	for _, r := range "Gemm×é" {
		g := f.glyph(r)
		want, err1 := f.font.LoadGlyph(&b1, g, ppem, nil)
		got, err2 := sf.LoadGlyph(&b2, g, ppem, nil)
		if err1 != nil || err2 != nil || len(want) != len(got) || len(got) == 0 {
			t.Errorf("glyph %q: %d segments, subset has %d (%v %v)", r, len(want), len(got), err1, err2)
		}
	}
	// A glyph not kept is empty.
	if segs, err := sf.LoadGlyph(&b2, f.glyph('Q'), ppem, nil); err == nil && len(segs) != 0 {
		t.Errorf("dropped glyph still has %d segments", len(segs))
	}
	if checksum(sub) != 0xB1B0AFBA {
		t.Errorf("font checksum %#x", checksum(sub))
	}
	if _, err := subsetTTF([]byte("short"), keep); err == nil {
		t.Error("garbage accepted")
	}
}

func TestPNGSize(t *testing.T) {
	for _, scale := range []float64{0, 1, 1.5} {
		var buf bytes.Buffer
		if err := PNG(&buf, handScene(), Options{Scale: scale}); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		k := scale
		if k == 0 {
			k = 2
		}
		// out:y reaches 420, its stacked shadow 3.5 more.
		w, h := int(math.Ceil((420+2*margin)*k)), int(math.Ceil((420+stackOffset+2*margin)*k))
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("scale %g: image %v, want %dx%d", scale, b, w, h)
		}
		// The Gemm-blue layer header is there: some pixel has its colour.
		if scale == 1 {
			found := false
			want := lightCats["layer"]
			for y := 0; y < h && !found; y++ {
				for x := 0; x < w; x++ {
					r, g, b, _ := img.At(x, y).RGBA()
					if uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(b>>8) == want.B {
						found = true
						break
					}
				}
			}
			if !found {
				t.Error("no layer-coloured pixel in the PNG")
			}
		}
	}
	if err := PNG(io.Discard, handScene(), Options{Scale: -1}); err == nil {
		t.Error("negative scale accepted")
	}
}

// hugeScene is a chain of n boxes far apart: a bitmap at full size would
// need tens of gigabytes.
func hugeScene(n int) *view.Scene {
	s := &view.Scene{Direction: "TB", Width: 2000, Height: float64(n) * 100}
	for i := 0; i < n; i++ {
		x := float64(i%7) * 250
		s.Nodes = append(s.Nodes, view.Box{ID: "n" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Label: "Relu", Kind: "op",
			Category: "activation", X: x, Y: float64(i) * 100, W: 60, H: 24})
		if i > 0 {
			p := s.Nodes[i-1]
			s.Edges = append(s.Edges, view.Edge{From: p.ID, To: s.Nodes[i].ID, Label: "1×8",
				Points: [][2]float64{{p.X + 30, p.Y + 24}, {x + 30, float64(i) * 100}}})
		}
	}
	s.Groups = []view.GroupBox{{ID: "g", Label: "everything", X: 0, Y: 0, W: 2000, H: s.Height}}
	return s
}

func TestPNGHugeIsScaled(t *testing.T) {
	var warned []string
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	img, err := Raster(hugeScene(2000), &Options{Scale: 2, Warn: func(m string) { warned = append(warned, m) }})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms1)
	b := img.Bounds()
	if b.Dx() > maxSide || b.Dy() > maxSide || b.Dx()*b.Dy() > maxPixels {
		t.Errorf("bitmap %v exceeds the limits", b)
	}
	if b.Dy() < maxSide/2 {
		t.Errorf("bitmap %v scaled more than needed", b)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "too big") {
		t.Errorf("warnings %q", warned)
	}
	if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 3*maxPixels*4 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
}

// A shape rasterized in bands must look the same as in one piece.
func TestRasterBands(t *testing.T) {
	var p path
	p.roundRect(3.3, 2.7, 180, 140, 30, 30, 30, 30)
	draw := func(band int) []byte {
		old := rasterBand
		rasterBand = band
		defer func() { rasterBand = old }()
		img, err := Raster(&view.Scene{Width: 200, Height: 160}, &Options{Scale: 1})
		if err != nil {
			t.Fatal(err)
		}
		rp := &rasterPainter{img: img, scale: 1, ox: -margin, oy: -margin}
		rp.fill(&p, hex("#336699"))
		rp.stroke(&p, hex("#000000"), 2)
		return img.Pix
	}
	a, b := draw(1<<20), draw(97)
	fastFills = false
	c := draw(1 << 20)
	fastFills = true
	for i := range a {
		if d := int(a[i]) - int(c[i]); d > 2 || d < -2 {
			t.Fatalf("fast round-rect fill differs at byte %d: %d vs %d", i, a[i], c[i])
		}
	}
	diff, worst := 0, 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d != 0 {
			diff++
			worst = max(worst, d, -d)
		}
	}
	// The rasterizer switches between fixed and floating point math by
	// buffer size: rounding may differ by one level, no more.
	if worst > 2 {
		t.Errorf("banded rasterization differs in %d bytes, by up to %d", diff, worst)
	}
	if bytes.Count(a, []byte{255}) > len(a)*9/10 {
		t.Error("shape not drawn")
	}
}

var pageRE = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

func TestPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := PDF(&buf, handScene(), Options{Title: "hand"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("no %PDF- header")
	}
	if n := len(pageRE.FindAll(buf.Bytes(), -1)); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
	var again bytes.Buffer
	PDF(&again, handScene(), Options{Title: "hand"})
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("PDF differs between two runs")
	}
	// A tall drawing is split into pages.
	var warned []string
	buf.Reset()
	if err := PDF(&buf, hugeScene(300), Options{Warn: func(m string) { warned = append(warned, m) }}); err != nil {
		t.Fatal(err)
	}
	want := int(math.Ceil((300*100 + 2*margin) * pdfK / maxPage))
	if n := len(pageRE.FindAll(buf.Bytes(), -1)); n != want {
		t.Errorf("%d pages, want %d", n, want)
	}
	if len(warned) != 1 {
		t.Errorf("warnings %q", warned)
	}
}

func TestDOT(t *testing.T) {
	var buf bytes.Buffer
	if err := DOT(&buf, handScene(), Options{}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if strings.Count(s, "{") != strings.Count(s, "}") {
		t.Error("unbalanced braces")
	}
	if n := strings.Count(s, "[label=<"); n != len(handScene().Nodes) {
		t.Errorf("%d nodes, want %d", n, len(handScene().Nodes))
	}
	if n := strings.Count(s, " -> "); n != len(handScene().Edges) {
		t.Errorf("%d edges, want %d", n, len(handScene().Edges))
	}
	if strings.Count(s, "subgraph \"cluster_") != 2 {
		t.Error("want 2 clusters")
	}
	golden(t, "hand.dot", buf.Bytes())
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz not installed: skipping the dot run")
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = &buf
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Errorf("dot rejects our output: %v %s", err, errb.String())
	}
}

// allowedURL matches the only URLs an HTML page may hold: the SVG
// namespace and operator documentation.
var urlRE = regexp.MustCompile(`https?://[^\s"'<>)\\]*`)

func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, u := range urlRE.FindAllString(page, -1) {
		if u == "http://www.w3.org/2000/svg" || strings.HasPrefix(u, "https://onnx.ai/onnx/operators/") ||
			strings.HasPrefix(u, "https://pytorch.org/docs/") {
			continue
		}
		t.Errorf("HTML references %q", u)
	}
	for _, bad := range []string{"<link", " src=\"", "@import", "url(http", "fetch(", "XMLHttpRequest"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
}

func TestHTML(t *testing.T) {
	var buf bytes.Buffer
	opt := Options{Title: "hand", Details: func(b *view.Box) *NodeDetails {
		if b.ID == "n0" {
			return &NodeDetails{Op: "MatMul", DocURL: "https://onnx.ai/onnx/operators/onnx__MatMul.html", Attrs: []Field{{Name: "a", Value: "</script><b>"}}}
		}
		return nil
	}}
	if err := HTML(&buf, handScene(), opt); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSelfContained(t, page)
	for _, want := range []string{"<!DOCTYPE html>", "<svg", `id="mv-search"`, `id="mv-panel"`, "addEventListener(\"wheel\"", "<title>hand</title>"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Count(page, "</script>") != 2 {
		t.Error("a </script> leaked from the data")
	}
	i := strings.Index(page, `id="mv-data">`)
	j := strings.Index(page[i:], "</script>")
	var data struct {
		Nodes []struct {
			ID      string
			In, Out []struct{ Other string }
			Details *NodeDetails
		}
	}
	if err := json.Unmarshal([]byte(page[i+len(`id="mv-data">`):i+j]), &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Nodes) != len(handScene().Nodes) || data.Nodes[1].Details == nil || data.Nodes[1].Details.Attrs[0].Value != "</script><b>" {
		t.Errorf("embedded data wrong: %+v", data.Nodes)
	}
	if len(data.Nodes[1].In) != 1 || data.Nodes[1].In[0].Other != "in:x" {
		t.Errorf("edges not attached: %+v", data.Nodes[1])
	}
}

func TestFormats(t *testing.T) {
	for _, name := range []string{"svg", "png", "pdf", "dot", "html"} {
		f, err := ParseFormat(name)
		if err != nil || f.String() != name {
			t.Errorf("ParseFormat(%q) = %v, %v", name, f, err)
		}
		g, ok := FormatFromPath("/x/model." + strings.ToUpper(name))
		if !ok || g != f {
			t.Errorf("FormatFromPath .%s = %v %v", name, g, ok)
		}
		var buf bytes.Buffer
		if err := Write(&buf, handScene(), f, Options{}); err != nil || buf.Len() == 0 {
			t.Errorf("Write %s: %v", name, err)
		}
	}
	if _, err := ParseFormat("jpeg"); err == nil {
		t.Error("jpeg accepted")
	}
	if _, ok := FormatFromPath("model"); ok {
		t.Error("no extension accepted")
	}
}

// Broken scenes give errors or pictures, never panics or huge work.
func TestHostileScenes(t *testing.T) {
	nan := math.NaN()
	scenes := []*view.Scene{
		nil,
		{},
		{Width: 1e12, Height: 10},
		{Width: nan, Height: 10},
		{Nodes: []view.Box{{ID: "a", X: nan, Y: 0, W: 10, H: 10}}},
		{Nodes: []view.Box{{ID: "a", X: 0, Y: 0, W: -10, H: -10, Rows: []view.Row{{Key: "k", Value: "v"}}}}},
		{Nodes: []view.Box{{ID: "a", X: 0, Y: 0, W: 0, H: 0, Kind: "group", Label: strings.Repeat("x", 10000)}}},
		{Edges: []view.Edge{{From: "a", To: "b", Points: [][2]float64{{1, 1}}}, {Points: [][2]float64{{1, 1}, {1, 1}, {1, 1}}}, {Points: [][2]float64{{nan, 1}, {2, 2}}}}},
		{Groups: []view.GroupBox{{ID: "a", Parent: "b", W: 10, H: 10}, {ID: "b", Parent: "a", W: 10, H: 10}}},
		{Width: 10, Height: 10, Nodes: []view.Box{{ID: "a\x00\"<>&\xff", Label: "a\x00\"<>&\xff", Group: "a"}}},
	}
	for i, s := range scenes {
		for _, f := range []Format{FormatSVG, FormatPNG, FormatPDF, FormatDOT, FormatHTML} {
			var buf bytes.Buffer
			err := Write(&buf, s, f, Options{Scale: 1})
			if err == nil && f == FormatSVG {
				wellFormedXML(t, buf.Bytes())
			}
			_ = i
		}
	}
}

// The web server renders from many goroutines; output must not depend on
// what runs alongside, and PNG bytes must repeat too.
func TestConcurrentDeterministic(t *testing.T) {
	want := map[Format][]byte{}
	for _, f := range []Format{FormatSVG, FormatPNG, FormatPDF, FormatDOT, FormatHTML} {
		var buf bytes.Buffer
		if err := Write(&buf, handScene(), f, Options{Scale: 1}); err != nil {
			t.Fatal(err)
		}
		want[f] = buf.Bytes()
	}
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func(i int) {
			f := Format(i % 5)
			var buf bytes.Buffer
			err := Write(&buf, handScene(), f, Options{Scale: 1})
			if err == nil && !bytes.Equal(buf.Bytes(), want[f]) {
				err = errors.New(f.String() + " output differs between runs")
			}
			done <- err
		}(i)
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestSVGTextPaths(t *testing.T) {
	var a, b bytes.Buffer
	if err := SVG(&a, handScene(), Options{TextPaths: true, Title: "paths"}); err != nil {
		t.Fatal(err)
	}
	SVG(&b, handScene(), Options{TextPaths: true, Title: "paths"})
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("differs between runs")
	}
	wellFormedXML(t, a.Bytes())
	s := a.String()
	for _, bad := range []string{"<text", "<style", "@font-face", "<path class="} {
		if strings.Contains(s, bad) {
			t.Errorf("text-path SVG contains %q", bad)
		}
	}
	// Every text became a filled outline: far more path commands than
	// the shapes alone need.
	var plain bytes.Buffer
	SVG(&plain, handScene(), Options{})
	if n, m := strings.Count(s, "<path"), strings.Count(plain.String(), "<path"); n <= m {
		t.Errorf("%d paths with outlines, %d without", n, m)
	}
	if !strings.Contains(s, `stroke="none"`) || !strings.Contains(s, `fill="#335588"`) {
		t.Error("presentation attributes missing")
	}
}

// A drawing too big for maxPages pages shrinks to fit them, with a
// warning, instead of failing.
func TestPDFPageLimit(t *testing.T) {
	s := &view.Scene{Width: 3000, Height: 5e7}
	for i := 0; i < 50; i++ {
		s.Nodes = append(s.Nodes, view.Box{ID: fmt.Sprint(i), Label: "Relu", Kind: "op", Category: "activation", X: 10, Y: float64(i) * 1e6, W: 60, H: 24})
	}
	var warned []string
	var buf bytes.Buffer
	if err := PDF(&buf, s, Options{Warn: func(m string) { warned = append(warned, m) }}); err != nil {
		t.Fatal(err)
	}
	n := len(pageRE.FindAll(buf.Bytes(), -1))
	if n > maxPages || n < maxPages/2 {
		t.Errorf("%d pages", n)
	}
	if len(warned) != 2 || !strings.Contains(warned[0], "scaled") {
		t.Errorf("warnings %q", warned)
	}
}

// Details of nodes and inputs inside subgraphs come from their own graph.
func TestModelDetailsSubgraph(t *testing.T) {
	m, err := registry.Open(testutil.Corpus(t, "control_flow.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	info := analysis.Analyze(m, analysis.Options{})
	g := view.Build(m, info)
	s, err := g.Layout(view.Options{Depth: -1, Weights: true})
	if err != nil {
		t.Fatal(err)
	}
	d := ModelDetails(m, info)
	sub, subIO := 0, 0
	for i := range s.Nodes {
		b := &s.Nodes[i]
		nd := d(b)
		if b.Graph == "" || b.Kind == "group" {
			continue
		}
		if nd == nil {
			t.Errorf("no details for %s %q in %s", b.Kind, b.Label, b.Graph)
			continue
		}
		if b.Kind == "op" {
			sub++
			if nd.Op != b.Label && !strings.HasSuffix(b.Label, nd.Op) {
				t.Errorf("box %q resolved to op %q", b.Label, nd.Op)
			}
		} else {
			subIO++
		}
	}
	if sub == 0 || subIO == 0 {
		t.Errorf("%d subgraph ops, %d subgraph inputs/outputs checked", sub, subIO)
	}
}
