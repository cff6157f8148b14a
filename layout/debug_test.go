package layout

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// Development aids, skipped unless their environment variable is set.

// writeSVG draws out for eyeballing while developing (MODELVIZ_LAYOUT_SVG=path).
func writeSVG(path string, out *Output) {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g">`, out.Width, out.Height, out.Width, out.Height)
	for _, r := range out.Groups {
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="#eef" stroke="#99c"/>`, r.X, r.Y, r.W, r.H)
	}
	for i, r := range out.Nodes {
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="#fd8" stroke="#000"/><text x="%g" y="%g" font-size="10">%d</text>`, r.X, r.Y, r.W, r.H, r.X+2, r.Y+12, i)
	}
	for _, e := range out.Edges {
		b.WriteString(`<polyline fill="none" stroke="#555" points="`)
		for _, p := range e.Points {
			fmt.Fprintf(&b, "%g,%g ", p.X, p.Y)
		}
		b.WriteString(`"/>`)
		if e.Label != (Point{}) {
			fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="3" fill="red"/>`, e.Label.X, e.Label.Y)
		}
	}
	b.WriteString(`</svg>`)
	os.WriteFile(path, []byte(b.String()), 0o644)
}

func TestDebugSVG(t *testing.T) {
	p := os.Getenv("MODELVIZ_LAYOUT_SVG")
	if p == "" {
		t.Skip("set MODELVIZ_LAYOUT_SVG")
	}
	name := os.Getenv("MODELVIZ_LAYOUT_GRAPH")
	g := readGraph(t, name)
	sz := sizesViewer
	if os.Getenv("BENCHSIZES") != "" {
		sz = sizesBench
	}
	in := inputOf(g, sz, os.Getenv("MODELVIZ_LAYOUT_GROUPED") != "")
	out := Layout(in)
	writeSVG(p, out)
}

func cpuMs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

// CPU time per layout (immune to other jobs on the machine).
func TestDebugCPU(t *testing.T) {
	name := os.Getenv("CPUGRAPH")
	if name == "" {
		t.Skip()
	}
	var in *Input
	if name == "net100k" {
		in = network(100_000, 0)
	} else {
		in = inputOf(readGraph(t, name), sizesBench, os.Getenv("MODELVIZ_LAYOUT_GROUPED") != "")
	}
	Layout(in)
	c0 := cpuMs()
	const n = 5
	for i := 0; i < n; i++ {
		Layout(in)
	}
	t.Logf("%s: %.1f ms CPU per layout", name, (cpuMs()-c0)/n)
}

func TestDebugCPUToggle(t *testing.T) {
	if os.Getenv("CPUTOGGLE") == "" {
		t.Skip()
	}
	full := network(10_000, 2)
	folded := collapse(full, int32(len(full.Groups)/2/3*3))
	c := NewCache()
	c.Layout(full)
	c.Layout(folded)
	c0 := cpuMs()
	const n = 40
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			c.Layout(full)
		} else {
			c.Layout(folded)
		}
	}
	t.Logf("toggle: %.2f ms CPU per call", (cpuMs()-c0)/n)
	var fs []*Input
	for g := 0; g < len(full.Groups) && len(fs) < 32; g += 15 {
		fs = append(fs, collapse(full, int32(g)))
	}
	c0 = cpuMs()
	for i := 0; i < n; i++ {
		c.Layout(fs[i%len(fs)])
	}
	t.Logf("collapse (root re-laid): %.2f ms CPU per call", (cpuMs()-c0)/n)
	c0 = cpuMs()
	for i := 0; i < 5; i++ {
		Layout(full)
	}
	t.Logf("no cache: %.2f ms CPU per call", (cpuMs()-c0)/5)
}
