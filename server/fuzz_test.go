package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/examples"
)

// FuzzAPI sends arbitrary parameters to every read endpoint: answers may
// be 4xx, never 5xx or a panic.
func FuzzAPI(f *testing.F) {
	p := filepath.Join(f.TempDir(), examples.IrisName)
	os.WriteFile(p, examples.Iris, 0o600)
	s := New(Options{Logf: func(string, ...any) {}})
	if _, err := s.Open(p); err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Add(uint8(0), "", "hidden.weight", 0, 10, "")
	f.Add(uint8(1), "0/body|3/x/2", "/act/Relu_output_0", -1, 1<<30, "/(a|b)*/")
	f.Add(uint8(2), "fn:0", "", 5, 5, "expanded=g:a&all=1")
	f.Add(uint8(3), "\x00|/", "\xff", 1<<40, -5, "direction=LR&reveal=1")
	eps := []string{"node", "value", "tensor", "tensor.npy", "search", "view", "export", ""}
	f.Fuzz(func(t *testing.T, ep uint8, graph, name string, offset, limit int, extra string) {
		q := url.Values{}
		q.Set("graph", graph)
		q.Set("name", name)
		q.Set("node", strconv.Itoa(offset))
		q.Set("offset", strconv.Itoa(offset))
		q.Set("limit", strconv.Itoa(limit))
		q.Set("q", name)
		u := "/api/models/m1/" + eps[int(ep)%len(eps)]
		if eps[int(ep)%len(eps)] == "export" {
			q.Set("format", "svg")
		}
		req := httptest.NewRequest("GET", strings.TrimSuffix(u, "/")+"?"+q.Encode()+"&"+url.PathEscape(extra), nil)
		req.Host = "127.0.0.1"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s: %d %s", req.URL, w.Code, w.Body.String())
		}
	})
}
