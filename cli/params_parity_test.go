package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
)

// The params and MACs a drawn group shows are the ones summary prints for
// that module, expanded (--flat) or collapsed (--depth 1, 2).
func TestGroupCostsMatchSummary(t *testing.T) {
	for _, name := range []string{"gpt_decoder_48l.onnx", "mobilenet_v3_small.onnx", "tiny_transformer.onnx"} {
		file := testutil.Corpus(t, name)
		code, stdout, stderr := run("summary", "--json", "--depth", "99", file)
		if code != ExitOK {
			t.Fatalf("summary %s: exit %d: %s", name, code, stderr)
		}
		var sum struct {
			Rows []struct {
				Path   []string `json:"path"`
				Op     string   `json:"op"`
				Node   string   `json:"node"`
				Params int64    `json:"params"`
				MACs   *int64   `json:"macs"`
			} `json:"rows"`
		}
		if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
			t.Fatal(err)
		}
		type cost struct{ params, macs int64 }
		mods := map[string]cost{}
		for _, r := range sum.Rows {
			if r.Node == "" && len(r.Path) > 0 && r.MACs != nil {
				mods["g:"+strings.Join(r.Path, "/")] = cost{r.Params, *r.MACs}
			}
		}
		checked := 0
		check := func(id string, got cost) {
			want, ok := mods[id]
			if !ok {
				t.Errorf("%s: group %s is not a module of summary", name, id)
				return
			}
			if got != want {
				t.Errorf("%s: group %s has params %d, MACs %d; summary says %d, %d", name, id, got.params, got.macs, want.params, want.macs)
			}
			checked++
		}
		for _, args := range [][]string{{"--flat"}, {"--depth", "1"}, {"--depth", "2"}} {
			sc := layoutScene(t, append([]string{file}, args...)...)
			for _, g := range sc.Groups {
				check(g.ID, cost{g.Params, g.MACs})
			}
			for _, b := range sc.Nodes {
				if b.Kind == "group" {
					check(b.ID, cost{b.Params, b.MACs})
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no groups checked", name)
		}
	}
}
