package layout

import (
	"math/rand/v2"
	"testing"
)

// Baseline for the machine: only the cheapest phases (cycle breaking and
// longest-path layering) on the flat gpt graph, measured in the same run.
func BenchmarkBaselineLayering(b *testing.B) {
	in := inputOf(readGraph(b, "gpt_decoder_48l"), sizesBench, false)
	from := make([]int32, len(in.Edges))
	to := make([]int32, len(in.Edges))
	for i, e := range in.Edges {
		from[i], to[i] = e.From, e.To
	}
	kind := make([]itemKind, len(in.Nodes))
	skip := func(e int32) bool { return from[e] == to[e] }
	n := int32(len(in.Nodes))
	for b.Loop() {
		rev := breakCycles(n, from, to, skip)
		u, v := slicesOriented(from, to, rev)
		assignLayers(n, u, v, kind, skip)
	}
}

func slicesOriented(from, to []int32, rev []bool) ([]int32, []int32) {
	u := make([]int32, len(from))
	v := make([]int32, len(from))
	for e := range from {
		u[e], v[e] = from[e], to[e]
		if rev[e] {
			u[e], v[e] = v[e], u[e]
		}
	}
	return u, v
}

func benchLayout(b *testing.B, in *Input) {
	b.Helper()
	b.ReportAllocs()
	var out *Output
	for b.Loop() {
		out = Layout(in)
	}
	b.StopTimer()
	b.ReportMetric(float64(crossings(out)), "crossings")
}

// The flat gpt graph with the reference engines' box sizes (90x30 and
// 110x40, see ../shared/bench/onnx2graph.py): compare with baseline.sh.
func BenchmarkGPTFlat(b *testing.B) {
	benchLayout(b, inputOf(readGraph(b, "gpt_decoder_48l"), sizesBench, false))
}

// 48 torch nn.TransformerEncoderLayers (testdata/gen_mha.py), flat:
// another shape, compare with baseline.sh on mha48.onnx.
func BenchmarkMHA48Flat(b *testing.B) {
	benchLayout(b, inputOf(readGraph(b, "mha48"), sizesBench, false))
}

// The same with viewer-like sizes (90-180 x 28-60) and a label per edge.
func BenchmarkGPTFlatViewer(b *testing.B) {
	benchLayout(b, inputOf(readGraph(b, "gpt_decoder_48l"), sizesViewer, false))
}

// Grouped by module path (484 nested groups).
func BenchmarkGPTGrouped(b *testing.B) {
	benchLayout(b, inputOf(readGraph(b, "gpt_decoder_48l"), sizesViewer, true))
}

// A 100,000-node synthetic network, flat (target: <= 2 s, <= 500 MB).
func BenchmarkNetwork100k(b *testing.B) {
	in := network(100_000, 0)
	b.ReportAllocs()
	for b.Loop() {
		Layout(in)
	}
}

// Collapsing one group of a 10,000-node grouped model through a Cache
// (target: <= 20 ms per call). Each call collapses a different group of 32,
// so the root is laid out again every time (the cache keeps a drawing for
// 4 calls only).
func BenchmarkCacheCollapse10k(b *testing.B) {
	full := network(10_000, 2)
	var folded []*Input
	for g := 0; g < len(full.Groups) && len(folded) < 32; g += 3 * 5 {
		folded = append(folded, collapse(full, int32(g)))
	}
	c := NewCache()
	c.Layout(full)
	b.ReportAllocs()
	i := 0
	misses := c.misses
	for b.Loop() {
		c.Layout(folded[i%len(folded)])
		i++
	}
	b.ReportMetric(float64(c.misses-misses)/float64(i), "levels/op")
}

// Toggling one group back and forth: both drawings stay cached, so a
// call only assembles.
func BenchmarkCacheToggle10k(b *testing.B) {
	full := network(10_000, 2)
	folded := collapse(full, int32(len(full.Groups)/2/3*3))
	c := NewCache()
	c.Layout(full)
	c.Layout(folded)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			c.Layout(full)
		} else {
			c.Layout(folded)
		}
		i++
	}
}

// The same model laid out from scratch, for comparison.
func BenchmarkNoCache10k(b *testing.B) {
	full := network(10_000, 2)
	b.ReportAllocs()
	for b.Loop() {
		Layout(full)
	}
}

// A hostile shape: a 20,000-node chain plus 60,000 random forward edges
// (long edges everywhere); shows the work bounds (dummies, sweeps,
// sifting) keep time and memory in check.
func BenchmarkHostileLongEdges(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	in := randomGraph(r, 20000, 60000, 0, false, false)
	for i := int32(1); i < 20000; i++ {
		in.Edges = append(in.Edges, Edge{From: i - 1, To: i})
	}
	b.ReportAllocs()
	for b.Loop() {
		Layout(in)
	}
}
