package layout

import (
	"testing"
	"time"
)

func TestGPTFlat(t *testing.T) {
	g := readGraph(t, "gpt_decoder_48l")
	for _, sizes := range []int{sizesBench, sizesViewer} {
		in := inputOf(g, sizes, false)
		t0 := time.Now()
		out := Layout(in)
		ms := time.Since(t0).Seconds() * 1000
		check(t, in, out)
		t.Logf("sizes %d: %d nodes %d edges: %.1f ms, %d crossings, %.0fx%.0f", sizes, len(in.Nodes), len(in.Edges), ms, crossings(out), out.Width, out.Height)
		if sizes == sizesBench {
			if err := writeLayoutJSON("/tmp/layoutB/gpt.mv.json", out, ms); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestGPTGrouped(t *testing.T) {
	g := readGraph(t, "gpt_decoder_48l")
	in := inputOf(g, sizesViewer, true)
	t0 := time.Now()
	out := Layout(in)
	ms := time.Since(t0).Seconds() * 1000
	check(t, in, out)
	t.Logf("%d nodes %d edges %d groups: %.1f ms, %d crossings, %.0fx%.0f", len(in.Nodes), len(in.Edges), len(in.Groups), ms, crossings(out), out.Width, out.Height)
}
