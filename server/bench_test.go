package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// The viewer benchmarks drive headless Chromium (software rendering,
// --disable-gpu) against gpt_decoder_48l.onnx (5,831 operators). Targets:
// navigation to body[data-state=ready] <= 1 s; pan/zoom frame <= 16 ms.

const bigModel = "gpt_decoder_48l.onnx"

// BenchmarkLayoutAPI is the same-run baseline: one request for the first
// view, which is what the page waits for before it can draw.
func BenchmarkLayoutAPI(b *testing.B) {
	s, url := startServer(b, testutil.Corpus(b, bigModel))
	_ = s
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.Get(url + "/api/models/m1/view?initial=1")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkViewerReady loads the page from scratch each iteration and
// stops the clock at data-state=ready (after the first frame is drawn).
// ms-to-ready is the page's own clock from navigation start.
func BenchmarkViewerReady(b *testing.B) {
	_, url := startServer(b, testutil.Corpus(b, bigModel))
	br := newBrowser(b)
	var total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		br.run(b, 10*time.Second, chromedp.Navigate("about:blank"))
		b.StartTimer()
		br.open(b, fmt.Sprintf("%s/?n=%d", url, i))
		b.StopTimer()
		total += eval[float64](b, br, `__modelviz.readyAt`)
		b.StartTimer()
	}
	b.ReportMetric(total/float64(b.N), "ms-to-ready")
}

// frameScript pans and zooms for n frames on requestAnimationFrame. It
// times each draw call (main-thread work) and the interval between frames
// (what the user sees, including rasterisation; 16.7 ms at 60 Hz is the
// floor). It resolves to [draw mean, draw p95, draw max, frame mean,
// frame p95] in ms.
const frameScript = `new Promise((resolve) => {
  const s = __modelviz, n = %d, times = [], stamps = [];
  s.api.fit();
  const k0 = s.k;
  let i = 0;
  function step(ts) {
    stamps.push(ts);
    // First half: a figure-eight pan while zooming 1x..12x the fit scale.
    // Second half: panning down the graph at a readable 0.5x..1x zoom.
    const t = i / n;
    let z, cx, cy;
    if (t < 0.5) {
      const u = 2 * t;
      z = k0 * Math.pow(12, Math.sin(Math.PI * u));
      cx = s.scene.width * (0.5 + 0.4 * Math.sin(2 * Math.PI * u));
      cy = s.scene.height * (0.5 + 0.45 * Math.sin(4 * Math.PI * u));
    } else {
      const u = 2 * t - 1;
      z = Math.max(k0, 0.75 + 0.25 * Math.sin(2 * Math.PI * u));
      cx = s.scene.width * (0.5 + 0.3 * Math.sin(2 * Math.PI * u));
      cy = s.scene.height * (0.05 + 0.1 * u);
    }
    s.k = z; s.tx = s.w / 2 - cx * z; s.ty = s.h / 2 - cy * z;
    const t0 = performance.now();
    s.api.draw();
    times.push(performance.now() - t0);
    if (++i < n) { requestAnimationFrame(step); return; }
    const sorted = times.slice().sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const iv = [];
    for (let j = 1; j < stamps.length; j++) iv.push(stamps[j] - stamps[j - 1]);
    const ivs = iv.slice().sort((a, b) => a - b);
    resolve([mean, sorted[Math.floor(0.95 * (sorted.length - 1))], sorted[sorted.length - 1],
      iv.reduce((a, b) => a + b, 0) / iv.length, ivs[Math.floor(0.95 * (ivs.length - 1))]]);
  }
  requestAnimationFrame(step);
})`

// uncapped lifts Chromium's 60 Hz frame pacing, so the frame interval is
// what a frame costs rather than the vsync period.
var uncapped = []chromedp.ExecAllocatorOption{
	chromedp.Flag("disable-gpu-vsync", true), chromedp.Flag("disable-frame-rate-limit", true)}

func benchFrames(b *testing.B, expandAll bool, opts ...chromedp.ExecAllocatorOption) {
	_, url := startServer(b, testutil.Corpus(b, bigModel))
	br := newBrowser(b, opts...)
	br.open(b, url+"/")
	if expandAll {
		br.run(b, 60*time.Second, chromedp.Click(`#btn-expand`))
		br.waitFor(b, `!__modelviz.scene.nodes.some(n => n.kind === 'group')`)
	}
	boxes := eval[int](b, br, `__modelviz.scene.nodes.length`)
	br.screenshot(b, fmt.Sprintf("gpt-expanded-%v", expandAll))
	var mean, p95, worst, interval, ip95 float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(br.ctx, 120*time.Second)
		r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(frameScript, 240), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		mean += r[0]
		p95 += r[1]
		worst = max(worst, r[2])
		interval += r[3]
		ip95 += r[4]
	}
	n := float64(b.N)
	b.ReportMetric(mean/n, "ms-draw-mean")
	b.ReportMetric(p95/n, "ms-draw-p95")
	b.ReportMetric(worst, "ms-draw-max")
	b.ReportMetric(interval/n, "ms-frame-mean")
	b.ReportMetric(ip95/n, "ms-frame-p95")
	b.ReportMetric(float64(boxes), "boxes")
}

// BenchmarkPanZoomDefault pans and zooms the first view (collapsed layers).
func BenchmarkPanZoomDefault(b *testing.B) { benchFrames(b, false) }

// BenchmarkPanZoomExpanded does the same with every group expanded.
func BenchmarkPanZoomExpanded(b *testing.B) { benchFrames(b, true) }

// BenchmarkPanZoomExpandedUncapped is PanZoomExpanded without vsync: the
// frame interval is then the real cost of a frame.
func BenchmarkPanZoomExpandedUncapped(b *testing.B) { benchFrames(b, true, uncapped...) }

// BenchmarkPanZoomDefaultUncapped is PanZoomDefault without vsync.
func BenchmarkPanZoomDefaultUncapped(b *testing.B) { benchFrames(b, false, uncapped...) }

// synthModel is a transformer-shaped graph of blocks*14 operators, each
// block a module with an attention submodule, for benchmarks beyond the
// corpus (the viewer must stay fluid on 10,000+ nodes).
func synthModel(blocks int) *model.Model {
	g := &model.Graph{Name: "synthetic"}
	val := func() *model.Value {
		v := &model.Value{ID: int32(len(g.Values)), Name: fmt.Sprintf("t%d", len(g.Values)),
			Type: &model.Type{Kind: model.TensorType, DType: model.Float32, Shape: model.Fixed(1, 128, 64)}}
		g.Values = append(g.Values, v)
		return v
	}
	op := func(op string, group []string, ins ...*model.Value) *model.Value {
		out := val()
		n := &model.Node{ID: int32(len(g.Nodes)), Op: op, Inputs: ins, Outputs: []*model.Value{out},
			Group: group, Name: fmt.Sprintf("/%s/%s_%d", strings.Join(group, "/"), op, len(g.Nodes))}
		for _, in := range ins {
			in.Consumers = append(in.Consumers, n)
		}
		out.Producer = n
		g.Nodes = append(g.Nodes, n)
		return out
	}
	x := val()
	x.Name = "input"
	g.Inputs = []*model.Value{x}
	for b := 0; b < blocks; b++ {
		blk := []string{fmt.Sprintf("layers.%d", b)}
		attn := append(append([]string(nil), blk...), fmt.Sprintf("layers.%d.attn", b))
		mlp := append(append([]string(nil), blk...), fmt.Sprintf("layers.%d.mlp", b))
		a := op("LayerNormalization", blk, x)
		q, k, v := op("MatMul", attn, a), op("MatMul", attn, a), op("MatMul", attn, a)
		s := op("Softmax", attn, op("MatMul", attn, q, k))
		p := op("MatMul", attn, op("MatMul", attn, s, v))
		r := op("Add", blk, x, p)
		h := op("MatMul", mlp, op("Gelu", mlp, op("MatMul", mlp, op("LayerNormalization", blk, r))))
		x = op("Add", blk, r, h)
	}
	g.Outputs = []*model.Value{x}
	return &model.Model{Format: "onnx", Producer: "benchmark", Graphs: []*model.Graph{g}, Opsets: []model.Opset{{Version: 17}}}
}

func startSynth(b *testing.B, blocks int) string {
	s := New(Options{Addr: "127.0.0.1:0", Logf: b.Logf})
	s.Add(synthModel(blocks), fmt.Sprintf("synthetic_%d.onnx", blocks))
	ln, err := s.Listen()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	go s.Serve(ctx, ln)
	return strings.TrimSuffix(s.URL(), "/")
}

// BenchmarkPanZoomSynthetic pans and zooms a 14,000-operator graph with
// every group expanded.
func BenchmarkPanZoomSynthetic(b *testing.B) { benchSynth(b) }

// BenchmarkPanZoomSyntheticUncapped is PanZoomSynthetic without vsync.
func BenchmarkPanZoomSyntheticUncapped(b *testing.B) { benchSynth(b, uncapped...) }

func benchSynth(b *testing.B, opts ...chromedp.ExecAllocatorOption) {
	url := startSynth(b, 1000)
	br := newBrowser(b, opts...)
	br.open(b, url+"/")
	t0 := time.Now()
	br.run(b, 120*time.Second, chromedp.Click(`#btn-expand`))
	br.waitFor(b, `!__modelviz.scene.nodes.some(n => n.kind === 'group')`)
	b.Logf("expand all: %v", time.Since(t0))
	boxes := eval[int](b, br, `__modelviz.scene.nodes.length`)
	br.screenshot(b, "synthetic-expanded")
	var r []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(br.ctx, 120*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(frameScript, 240), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		r = v
	}
	b.ReportMetric(r[0], "ms-draw-mean")
	b.ReportMetric(r[1], "ms-draw-p95")
	b.ReportMetric(r[3], "ms-frame-mean")
	b.ReportMetric(r[4], "ms-frame-p95")
	b.ReportMetric(float64(boxes), "boxes")
}

// BenchmarkExpandAll times "Expand all" on gpt_decoder_48l from the click
// to the first frame of the expanded graph (Model Explorer: 29 s).
func BenchmarkExpandAll(b *testing.B) {
	_, url := startServer(b, testutil.Corpus(b, bigModel))
	br := newBrowser(b)
	br.open(b, url+"/")
	var total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ms := eval[float64](b, br, `new Promise((resolve) => {
			const s = __modelviz, t0 = performance.now();
			s.api.relayout({ all: true }).then(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
		})`)
		total += ms
		b.StopTimer()
		eval[bool](b, br, `__modelviz.api.relayout({ expanded: [] })`)
		b.StartTimer()
	}
	b.ReportMetric(total/float64(b.N), "ms-to-frame")
}

// BenchmarkOpen is the server side of start-up, before the URL is
// printed: read, analyse, build the drawn graph and lay out the first view.
func BenchmarkOpen(b *testing.B) {
	path := testutil.Corpus(b, bigModel)
	for i := 0; i < b.N; i++ {
		s := New(Options{Logf: b.Logf})
		if _, err := s.Open(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkViewerReadyFlat70k opens a 70,000-operator graph with no
// modules (nothing to collapse: every box is in the first view).
func BenchmarkViewerReadyFlat70k(b *testing.B) {
	m := synthModel(5000)
	for _, n := range m.Graphs[0].Nodes {
		n.Group = nil
	}
	s := New(Options{Addr: "127.0.0.1:0", Logf: b.Logf})
	s.Add(m, "flat70k.onnx")
	ln, err := s.Listen()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	go s.Serve(ctx, ln)
	br := newBrowser(b)
	var total float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		br.run(b, 10*time.Second, chromedp.Navigate("about:blank"))
		b.StartTimer()
		br.open(b, fmt.Sprintf("%s?n=%d", s.URL(), i))
		b.StopTimer()
		total += eval[float64](b, br, `__modelviz.readyAt`)
		b.StartTimer()
	}
	b.ReportMetric(total/float64(b.N), "ms-to-ready")
}

// BenchmarkOpenFlat70k is that model's server-side start-up: analysis,
// drawn graph, layout and encoding of the first view.
func BenchmarkOpenFlat70k(b *testing.B) {
	m := synthModel(5000)
	for _, n := range m.Graphs[0].Nodes {
		n.Group = nil
	}
	for i := 0; i < b.N; i++ {
		New(Options{Logf: b.Logf}).Add(m, "flat70k.onnx")
	}
}
