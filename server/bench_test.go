package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/modelviz/modelviz/internal/testutil"
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
    // A figure-eight pan with a zoom in and out across 1x..12x the fit scale.
    const t = i / n;
    const z = k0 * Math.pow(12, Math.sin(Math.PI * t));
    const cx = s.scene.width * (0.5 + 0.4 * Math.sin(2 * Math.PI * t));
    const cy = s.scene.height * (0.5 + 0.45 * Math.sin(4 * Math.PI * t));
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

func benchFrames(b *testing.B, expandAll bool) {
	_, url := startServer(b, testutil.Corpus(b, bigModel))
	br := newBrowser(b)
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
		r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(frameScript, 120), chromedp.EvalAwaitPromise))
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
