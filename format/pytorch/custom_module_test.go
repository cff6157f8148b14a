package pytorch

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/model"
)

// custom_module.pt (gen_custom.py) pickles a whole module with custom
// classes, a ModuleList and a Sequential of numbered children, params and
// buffers registered after children, a non-persistent buffer and plain
// attributes holding tensors and a module. Tensors come in torch's
// state_dict() order, then those outside state_dict.
func TestCustomModuleOrder(t *testing.T) {
	var want struct {
		Keys    []string `json:"state_dict_keys"`
		Modules []struct {
			Path string `json:"path"`
			Type string `json:"type"`
		} `json:"modules"`
	}
	b, err := os.ReadFile("testdata/custom_module.pt.keys.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	m, err := Open("testdata/custom_module.pt")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range m.Graphs[0].Initializers {
		got = append(got, v.Name)
	}
	if len(got) < len(want.Keys) || strings.Join(got[:len(want.Keys)], " ") != strings.Join(want.Keys, " ") {
		t.Errorf("tensors:\n got %v\nwant %v first", got, want.Keys)
	}
	extra := strings.Join(got[min(len(got), len(want.Keys)):], " ")
	if extra != "extra.ema extra.hist.0 extra.hist.1 heads.0.weight heads.0.bias" {
		t.Errorf("tensors outside state_dict = %q", extra)
	}
	for _, k := range got {
		if strings.HasSuffix(k, ".tmp") {
			t.Errorf("non-persistent buffer %q listed", k)
		}
	}

	byPath := map[string]*model.Module{}
	stack := []*model.Module{m.Modules}
	for len(stack) > 0 {
		mod := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		byPath[mod.Path] = mod
		stack = append(stack, mod.Children...)
	}
	for _, w := range want.Modules {
		mod := byPath[w.Path]
		if mod == nil {
			t.Errorf("module %q missing", w.Path)
			continue
		}
		if typ := mod.Type[strings.LastIndexByte(mod.Type, '.')+1:]; typ != w.Type {
			t.Errorf("module %q: type %q, want %q", w.Path, mod.Type, w.Type)
		}
	}
	if h := byPath["heads.0"]; h == nil || !strings.HasSuffix(h.Type, ".Linear") {
		t.Errorf("a module in a plain list attribute: %+v", h)
	}
}
