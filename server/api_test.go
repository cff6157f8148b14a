package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/examples"
	"github.com/modelviz/modelviz/internal/testutil"
)

func apiServer(t *testing.T, files ...string) (*Server, *httptest.Server) {
	t.Helper()
	s := New(Options{Logf: t.Logf, MaxUpload: 1 << 20})
	if len(files) == 0 {
		p := filepath.Join(t.TempDir(), examples.IrisName)
		os.WriteFile(p, examples.Iris, 0o600)
		files = []string{p}
	}
	for _, f := range files {
		s.Open(f)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

func get(t *testing.T, url string, want int, into any) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, b, want)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, b)
		}
	}
	return b
}

func post(t *testing.T, url, body string, header bool) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if header {
		req.Header.Set("X-Modelviz", "1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestMetaNodeValueSearch(t *testing.T) {
	_, ts := apiServer(t)
	var meta metaJSON
	get(t, ts.URL+"/api/models/m1", 200, &meta)
	if meta.Format != "onnx" || meta.Producer != "pytorch" || meta.Nodes != 3 || meta.Totals.Params != 67 {
		t.Errorf("meta = %+v", meta)
	}
	if len(meta.Inputs) != 1 || meta.Inputs[0].Name != "features" || meta.Inputs[0].Shape != "45×4" {
		t.Errorf("inputs = %+v", meta.Inputs)
	}
	var n nodeJSON
	get(t, ts.URL+"/api/models/m1/node?graph=&node=0", 200, &n)
	if n.Op != "Gemm" || n.DocURL != "https://onnx.ai/onnx/operators/onnx__Gemm.html" || len(n.Inputs) != 3 {
		t.Fatalf("node = %+v", n)
	}
	if w := n.Inputs[1]; w.Name != "hidden.weight" || w.Weight == nil || w.Weight.Shape != "8×4" || w.Weight.Bytes != 128 || w.Slot != "B" {
		t.Errorf("weight input = %+v", w)
	}
	if n.Cost.Params != 40 {
		t.Errorf("cost = %+v", n.Cost)
	}
	var v valueJSON
	get(t, ts.URL+"/api/models/m1/value?name=/act/Relu_output_0", 200, &v)
	if v.Producer == nil || v.Producer.Op != "Relu" || len(v.Consumers) != 1 || v.Consumers[0].Op != "Gemm" {
		t.Errorf("value = %+v", v)
	}
	var sr searchJSON
	get(t, ts.URL+"/api/models/m1/search?q=/^gemm$/", 200, &sr)
	if len(sr.Hits) != 2 {
		t.Errorf("regex search: %+v", sr.Hits)
	}
	get(t, ts.URL+"/api/models/m1/search?q=logits", 200, &sr)
	if len(sr.Hits) != 1 || sr.Hits[0].Kind != "tensor" || sr.Hits[0].Node != 2 {
		t.Errorf("tensor search: %+v", sr.Hits)
	}
	get(t, ts.URL+"/api/models/m1/search?q=/(/", 400, nil)
	get(t, ts.URL+"/api/models/m1/node?node=99", 404, nil)
	get(t, ts.URL+"/api/models/m1/node?graph=7/body&node=0", 404, nil)
	get(t, ts.URL+"/api/models/m9", 404, nil)
}

func TestTensorStatsAndNpy(t *testing.T) {
	_, ts := apiServer(t)
	var d tensorJSON
	get(t, ts.URL+"/api/models/m1/tensor?name=hidden.weight&limit=4", 200, &d)
	if d.Total != 32 || len(d.Values) != 4 || d.Stats.Count != 32 {
		t.Fatalf("tensor = %+v", d)
	}
	var sum int64
	for _, c := range d.Stats.Hist {
		sum += c
	}
	if sum != 32 || d.Stats.Min > d.Stats.Mean || d.Stats.Mean > d.Stats.Max || d.Stats.Std <= 0 {
		t.Errorf("stats = %+v", d.Stats)
	}
	get(t, ts.URL+"/api/models/m1/tensor?name=hidden.weight&offset=-1", 400, nil)
	get(t, ts.URL+"/api/models/m1/tensor?name=nope", 404, nil)

	b := get(t, ts.URL+"/api/models/m1/tensor.npy?name=hidden.weight", 200, nil)
	if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("npy magic: %q", b[:10])
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	hdr := string(b[10 : 10+hl])
	if (10+hl)%64 != 0 || !strings.Contains(hdr, "'descr': '<f4'") || !strings.Contains(hdr, "'shape': (8, 4)") {
		t.Errorf("npy header %q", hdr)
	}
	data := b[10+hl:]
	if len(data) != 128 {
		t.Fatalf("npy data %d bytes", len(data))
	}
	first := math.Float32frombits(binary.LittleEndian.Uint32(data))
	if float64(first) != d.Values[0].(float64) {
		t.Errorf("npy first value %v, API says %v", first, d.Values[0])
	}
}

func TestF16(t *testing.T) {
	for h, want := range map[uint16]float64{0x3c00: 1, 0xc000: -2, 0x0001: math.Ldexp(1, -24), 0x7bff: 65504, 0: 0} {
		if got := f16(h); got != want {
			t.Errorf("f16(%#x) = %v, want %v", h, got, want)
		}
	}
	if !math.IsInf(f16(0x7c00), 1) || !math.IsNaN(f16(0x7e00)) {
		t.Error("f16 inf/nan")
	}
}

func TestViewAPI(t *testing.T) {
	_, ts := apiServer(t, testutil.Corpus(t, "squeezenet1_1.onnx"))
	var all, none, one sceneJSON
	get(t, ts.URL+"/api/models/m1/view?all=1", 200, &all)
	get(t, ts.URL+"/api/models/m1/view?expanded=", 200, &none)
	if len(all.Groups) == 0 || len(none.Groups) != 0 || len(none.Nodes) >= len(all.Nodes) {
		t.Fatalf("all: %d groups %d boxes; none: %d groups %d boxes", len(all.Groups), len(all.Nodes), len(none.Groups), len(none.Nodes))
	}
	// POST with one group expanded; unknown ids are ignored.
	id := all.Groups[0].ID
	resp := post(t, ts.URL+"/api/models/m1/view", `{"expanded":["`+id+`","no such group"]}`, true)
	if resp.StatusCode != 200 {
		t.Fatalf("POST view: %d", resp.StatusCode)
	}
	json.NewDecoder(resp.Body).Decode(&one)
	if len(one.Groups) != 1 || one.Groups[0].ID != id {
		t.Errorf("expanded %q: groups %+v", id, one.Groups)
	}
	// Reveal expands what hides a node deep in a module.
	var sr searchJSON
	get(t, ts.URL+"/api/models/m1/search?q=expand3x3/Conv", 200, &sr)
	if len(sr.Hits) == 0 {
		t.Fatal("no hit")
	}
	h := sr.Hits[len(sr.Hits)-1]
	body, _ := json.Marshal(viewRequest{Expanded: []string{}, Reveal: []nodeAt{{h.Graph, h.Node}}})
	resp = post(t, ts.URL+"/api/models/m1/view", string(body), true)
	var rv sceneJSON
	json.NewDecoder(resp.Body).Decode(&rv)
	found := false
	for _, b := range rv.Nodes {
		if b.Kind == "op" && b.Node == h.Node && b.Graph == h.Graph {
			found = true
		}
	}
	if !found {
		t.Errorf("reveal of %s did not draw it; groups %v", h.Name, rv.Groups)
	}
}

func TestSubgraphPaths(t *testing.T) {
	_, ts := apiServer(t, testutil.Corpus(t, "control_flow.onnx"))
	var all sceneJSON
	get(t, ts.URL+"/api/models/m1/view?all=1", 200, &all)
	n := 0
	for _, b := range all.Nodes {
		if b.Kind != "op" || b.Graph == "" {
			continue
		}
		n++
		var nj nodeJSON
		get(t, ts.URL+"/api/models/m1/node?graph="+urlq(b.Graph)+"&node="+itoa(b.Node), 200, &nj)
		if nj.Op != b.Label {
			t.Errorf("box %s (%s) resolves to %s", b.ID, b.Label, nj.Op)
		}
	}
	if n == 0 {
		t.Fatal("no subgraph boxes drawn with everything expanded")
	}
	var sr searchJSON
	get(t, ts.URL+"/api/models/m1/search?q=/./", 200, &sr)
	inSub := 0
	for _, h := range sr.Hits {
		if h.Graph != "" {
			inSub++
		}
	}
	if inSub == 0 {
		t.Error("search does not reach subgraphs")
	}
}

func TestGuards(t *testing.T) {
	_, ts := apiServer(t)
	// Writes need the X-Modelviz header (a cross-site form cannot send it).
	if r := post(t, ts.URL+"/api/models/m1/view", `{}`, false); r.StatusCode != 403 {
		t.Errorf("POST without header: %d", r.StatusCode)
	}
	// Request bodies are bounded.
	big := `{"expanded":["` + strings.Repeat("x", maxRequestBody) + `"]}`
	if r := post(t, ts.URL+"/api/models/m1/view", big, true); r.StatusCode != 400 {
		t.Errorf("oversized view request: %d", r.StatusCode)
	}
	// Only embedded assets are served; no path reaches the disk.
	for _, p := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2fgo.mod", "/web.go", "/fonts/../server.go", "/static/../../go.mod"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && (bytes.Contains(b, []byte("root:")) || bytes.Contains(b, []byte("module github.com"))) {
			t.Errorf("%s leaked a file", p)
		}
	}
	get(t, ts.URL+"/app.js", 200, nil)
	b := get(t, ts.URL+"/", 200, nil)
	if !bytes.Contains(b, []byte(`data-state="loading"`)) {
		t.Error("index.html not served")
	}
}

func TestUpload(t *testing.T) {
	s, ts := apiServer(t)
	r := post(t, ts.URL+"/api/upload?name=../../my%20iris.onnx", string(examples.Iris), true)
	var u uploadJSON
	json.NewDecoder(r.Body).Decode(&u)
	if r.StatusCode != 200 || u.Error != "" || u.ID != "m2" {
		t.Fatalf("upload: %d %+v", r.StatusCode, u)
	}
	var meta metaJSON
	get(t, ts.URL+"/api/models/m2", 200, &meta)
	if meta.Nodes != 3 || meta.Name != "my iris.onnx" {
		t.Errorf("uploaded model: %+v", meta)
	}
	// The file landed inside the server's own temp folder.
	if e := s.model("m2"); e == nil || !strings.HasPrefix(e.m.Path, s.tmpDir) {
		t.Errorf("upload stored outside %s", s.tmpDir)
	}
	// A bad file gives a readable error naming it, not the temp path.
	r = post(t, ts.URL+"/api/upload?name=bad.onnx", "\x08\x07\x12\xffgarbage", true)
	json.NewDecoder(r.Body).Decode(&u)
	if !strings.HasPrefix(u.Error, "bad.onnx: ") {
		t.Errorf("bad upload error %q", u.Error)
	}
	get(t, ts.URL+"/api/models/"+u.ID+"/view", 422, nil)
	// Over the limit (1 MiB in this server).
	r = post(t, ts.URL+"/api/upload?name=big.onnx", strings.Repeat("x", 2<<20), true)
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d", r.StatusCode)
	}
	// Uploads are removed on Close.
	dir := s.tmpDir
	s.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s not removed", dir)
	}
}

func TestListenBusyPort(t *testing.T) {
	a := New(Options{Addr: "127.0.0.1:0"})
	la, err := a.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer la.Close()
	b := New(Options{Addr: la.Addr().String()})
	lb, err := b.Listen()
	if err != nil {
		t.Fatalf("busy port did not fall back: %v", err)
	}
	defer lb.Close()
	if lb.Addr().String() == la.Addr().String() || !strings.HasPrefix(b.URL(), "http://127.0.0.1:") {
		t.Errorf("fallback %s, url %s", lb.Addr(), b.URL())
	}
}

func urlq(s string) string { return url.QueryEscape(s) }
func itoa(i int32) string  { return strconv.Itoa(int(i)) }

func TestExport(t *testing.T) {
	_, ts := apiServer(t)
	b := get(t, ts.URL+"/api/models/m1/export?format=svg", 200, nil)
	if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("Relu")) {
		t.Errorf("svg export: %.200s", b)
	}
	r := post(t, ts.URL+"/api/models/m1/export", `{"format":"png","theme":"dark"}`, true)
	pb, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || !bytes.HasPrefix(pb, []byte("\x89PNG")) {
		t.Errorf("png export: %d %.100q", r.StatusCode, pb)
	}
	get(t, ts.URL+"/api/models/m1/export?format=exe", 400, nil)
}

// TestSceneJSONMatchesEncodingJSON keeps the hand-written Scene encoder in
// step with the Scene type: both encodings must decode to the same value.
func TestSceneJSONMatchesEncodingJSON(t *testing.T) {
	s, _ := apiServer(t, testutil.Corpus(t, "tiny_transformer.onnx"), testutil.Corpus(t, "control_flow.onnx"))
	for _, id := range []string{"m1", "m2"} {
		e := s.model(id)
		for _, vr := range []viewRequest{{Initial: true}, {All: true}, {Expanded: []string{}}} {
			sc, err := e.scene(vr)
			if err != nil {
				t.Fatal(err)
			}
			// Hostile strings must survive too.
			if len(sc.Nodes) > 0 {
				sc.Nodes[0].Label = "a\"b\\c\n\x01\u2028<&>\xff日本"
			}
			fast := appendScene(nil, sc, id)
			slow, err := json.Marshal(sceneJSON{Scene: sc, Model: id})
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			if err := json.Unmarshal(fast, &a); err != nil {
				t.Fatalf("fast encoding is not JSON: %v", err)
			}
			json.Unmarshal(slow, &b)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s %+v: encodings differ\nfast %.300s\nslow %.300s", id, vr, fast, slow)
			}
		}
	}
	for _, f := range []float64{0, -0.5, 1.25, 1e-7, 3e21, 123456789.125, -42} {
		got := string(appendNum(nil, f))
		want, _ := json.Marshal(f)
		if got != string(want) && !(f == 0 && got == "0") {
			t.Errorf("appendNum(%v) = %s, encoding/json %s", f, got, want)
		}
	}
}

// TestFirstViewFromMemo: the page's first request (initial, with an empty
// expanded list) is answered from what Open prepared.
func TestFirstViewFromMemo(t *testing.T) {
	s, ts := apiServer(t)
	e := s.model("m1")
	if len(e.memo) != 1 {
		t.Fatalf("memo after open: %d entries", len(e.memo))
	}
	r := post(t, ts.URL+"/api/models/m1/view", `{"initial":true,"expanded":[],"direction":"TB"}`, true)
	io.Copy(io.Discard, r.Body)
	if len(e.memo) != 1 {
		t.Errorf("first view was laid out again: memo has %d entries", len(e.memo))
	}
	if a, b := (viewRequest{Expanded: []string{"b", "a"}, Dir: "TB"}).key(), (viewRequest{Expanded: []string{"a", "b"}, Dir: "TB"}).key(); a != b {
		t.Error("key depends on the order of expanded groups")
	}
	if a, b := (viewRequest{Expanded: []string{}, Dir: "TB"}).key(), (viewRequest{Expanded: []string{}, Dir: "LR"}).key(); a == b {
		t.Error("key ignores the direction")
	}
}

// TestCorpusSmoke opens every corpus model through the API: metadata, the
// first view, everything expanded, every node's panel, a search, and the
// first weight's statistics. Nothing may fail with a 5xx or panic.
func TestCorpusSmoke(t *testing.T) {
	dir := testutil.CorpusDir(t)
	var files []string
	for _, pat := range []string{"*.onnx", "*.pt", "*.pth", "external_data/*.onnx", "onnx-backend/*.onnx"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	if testing.Short() && len(files) > 20 {
		files = files[:20]
	}
	s := New(Options{Logf: t.Logf})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	check := func(u string) *http.Response {
		resp, err := http.Get(ts.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 500 {
			b, _ := io.ReadAll(resp.Body)
			t.Errorf("GET %s: %d %s", u, resp.StatusCode, b)
		}
		return resp
	}
	for _, f := range files {
		id, err := s.Open(f)
		base := "/api/models/" + id
		check(base).Body.Close()
		if err != nil {
			continue
		}
		check(base + "/view?initial=1").Body.Close()
		resp := check(base + "/view?all=1")
		var sc sceneJSON
		json.NewDecoder(resp.Body).Decode(&sc)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: view all: %d", filepath.Base(f), resp.StatusCode)
			continue
		}
		n := 0
		for _, b := range sc.Nodes {
			if b.Kind != "op" || b.Node < 0 || n >= 200 {
				continue
			}
			n++
			r := check(base + "/node?graph=" + urlq(b.Graph) + "&node=" + itoa(b.Node))
			var nj nodeJSON
			json.NewDecoder(r.Body).Decode(&nj)
			r.Body.Close()
			if r.StatusCode != 200 {
				t.Errorf("%s: node %s: %d", filepath.Base(f), b.ID, r.StatusCode)
				continue
			}
			for _, in := range nj.Inputs {
				if in.Weight != nil && in.Weight.Numeric {
					check(base + "/tensor?graph=" + urlq(b.Graph) + "&name=" + urlq(in.Name) + "&limit=10").Body.Close()
					break
				}
			}
		}
		check(base + "/search?q=" + urlq("/conv|matmul|gemm/")).Body.Close()
	}
	t.Logf("%d files", len(files))
}
