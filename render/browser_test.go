package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/examples"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/view"
)

const chromium = "/usr/bin/chromium"

// The exported HTML page in a real browser, offline: it draws, searches,
// zooms, and shows details on click, without console errors.
func TestHTMLInBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: run scripts/install-test-deps.sh", chromium)
		}
		t.Skipf("%s not found: skipping browser test", chromium)
	}
	dir := t.TempDir()
	model := filepath.Join(dir, examples.IrisName)
	os.WriteFile(model, examples.Iris, 0o644)
	m, err := registry.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	info := analysis.Analyze(m, analysis.Options{})
	g := view.Build(m, info)
	s, err := g.Layout(view.DefaultOptions(g))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "iris.html")
	f, _ := os.Create(page)
	if err := HTML(f, s, Options{Title: "iris", Details: ModelDetails(m, info)}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tmp := filepath.Join(dir, "tmp")
	os.MkdirAll(tmp, 0o700)
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1000, 700),
		chromedp.Env("TMPDIR="+tmp))
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 45*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	var mu sync.Mutex
	var consoleErrs []string
	msgs := chromedp.Console(ctx)
	go func() {
		for msg, err := range msgs {
			if err != nil {
				return
			}
			if msg.Type == chromedp.ConsoleError || msg.IsException() {
				mu.Lock()
				consoleErrs = append(consoleErrs, msg.String())
				mu.Unlock()
			}
		}
	}()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	evalS := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %q: %v", js, err)
		}
		return v
	}
	poll := func(js string) {
		t.Helper()
		pctx, c := context.WithTimeout(ctx, 15*time.Second)
		defer c()
		for {
			_, err := chromedp.Run(pctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond)))
			if err == nil {
				return
			}
			// Right after a navigation the old page's context may be
			// gone: poll again in the new one.
			if !strings.Contains(err.Error(), "Cannot find context") || pctx.Err() != nil {
				t.Fatalf("waiting for %s: %v", js, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	do("open", chromedp.Navigate("file://"+page))
	poll(`document.body.dataset.state === "ready"`)
	if n := evalS(`String(document.querySelectorAll("g.node").length)`); n != "5" {
		t.Errorf("%s nodes drawn, want 5", n)
	}
	// Search: typing highlights, Enter selects and opens the panel.
	do("ctrl+f", chromedp.KeyEvent("f", chromedp.KeyModifiers(2))) // Ctrl+F focuses the search box
	if a := evalS(`document.activeElement.id`); a != "mv-search" {
		t.Errorf("Ctrl+F focused %q", a)
	}
	do("search", chromedp.KeyEvent("relu"))
	poll(`/match/.test(document.getElementById("mv-count").textContent)`)
	if c := evalS(`document.getElementById("mv-count").textContent + " " + document.querySelectorAll(".mv-hit").length`); c != "2 matches 2" {
		t.Errorf("search relu: %q, want 2 matches (the Relu and the Gemm reading its output)", c)
	}
	do("enter", chromedp.KeyEvent("\r"))
	poll(`!document.getElementById("mv-panel").hidden`)
	if p := evalS(`document.getElementById("mv-panel").textContent`); !strings.Contains(p, "Relu") || !strings.Contains(p, "float32") {
		t.Errorf("panel after search: %q", p)
	}
	// Clicking a Gemm box shows its weights with shapes and the doc link.
	box := evalS(`(function(){var g=[...document.querySelectorAll("g.node")].find(function(e){return e.textContent.indexOf("Gemm")>=0});var r=g.getBoundingClientRect();return (r.x+r.width/2)+","+(r.y+r.height/2)})()`)
	var x, y float64
	if _, err := fmt.Sscanf(box, "%g,%g", &x, &y); err != nil {
		t.Fatalf("box position %q", box)
	}
	do("click", chromedp.MouseClickXY(x, y))
	poll(`document.getElementById("mv-panel").textContent.indexOf("Gemm") >= 0`)
	p := evalS(`document.getElementById("mv-panel").innerHTML`)
	for _, want := range []string{"8×4", "transB", "https://onnx.ai/onnx/operators/onnx__Gemm.html"} {
		if !strings.Contains(p, want) {
			t.Errorf("Gemm panel lacks %q", want)
		}
	}
	// Clicking an edge shows its tensor and shape.
	mid := evalS(`(function(){var g=document.querySelector("g.edge .mv-hitline");var l=g.getTotalLength();var p=g.getPointAtLength(l/2).matrixTransform(g.getScreenCTM());return p.x+","+p.y})()`)
	if _, err := fmt.Sscanf(mid, "%g,%g", &x, &y); err != nil {
		t.Fatalf("edge position %q", mid)
	}
	do("click edge", chromedp.MouseClickXY(x+2, y))
	poll(`document.getElementById("mv-panel").textContent.indexOf("shape") >= 0`)
	if p := evalS(`document.getElementById("mv-panel").textContent`); !strings.Contains(p, "45×4") || !strings.Contains(p, "features") {
		t.Errorf("edge panel: %q", p)
	}
	// Zoom in with +, back to fit with 0.
	evalS(`document.activeElement.blur(), ""`)
	do("fit", chromedp.KeyEvent("0"))
	before := evalS(`document.querySelector("#mv-view svg").getAttribute("viewBox")`)
	do("zoom", chromedp.KeyEvent("+"))
	after := evalS(`document.querySelector("#mv-view svg").getAttribute("viewBox")`)
	if after == before {
		t.Errorf("+ did not zoom (viewBox %s)", after)
	}
	do("fit", chromedp.KeyEvent("0"))
	if fit := evalS(`document.querySelector("#mv-view svg").getAttribute("viewBox")`); fit != before {
		t.Errorf("0 gave viewBox %s, want %s", fit, before)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrs) > 0 {
		t.Errorf("console errors: %q", consoleErrs)
	}
}
