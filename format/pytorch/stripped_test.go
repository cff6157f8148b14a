package pytorch

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/model"
)

// TestStrippedTorchScript opens TorchScript archives of many models whose
// storages were emptied by gen_stripped.py: the code and module structure
// are real, so tensors, modules and the ATen op counts of the inlined
// forward graph must match torch's.
func TestStrippedTorchScript(t *testing.T) {
	files, _ := filepath.Glob("testdata/stripped/*.pt")
	if len(files) == 0 {
		t.Fatal("no stripped fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			o := readOracle(t, f)
			m, err := Open(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range m.Warnings {
				t.Errorf("warning: %s", w)
			}
			inits := m.Graphs[0].Initializers
			byName := map[string]*model.Value{}
			for _, v := range inits {
				byName[v.Name] = v
			}
			if len(inits) != len(o.Tensors) {
				t.Errorf("%d tensors, want %d", len(inits), len(o.Tensors))
			}
			for _, ot := range o.Tensors {
				v := byName[ot.Key]
				if v == nil {
					t.Errorf("tensor %s missing", ot.Key)
					continue
				}
				if v.Initializer.DType.String() != ot.DType || fmt.Sprint(v.Initializer.Dims) != fmt.Sprint(ot.Shape) {
					t.Errorf("%s: %s %v, want %s %v", ot.Key, v.Initializer.DType, v.Initializer.Dims, ot.DType, ot.Shape)
				}
			}
			mods := map[string]*model.Module{}
			modulesByPath(m.Modules, mods)
			for _, h := range o.Hierarchy {
				mod := mods[h.Path]
				if mod == nil || !strings.HasSuffix(mod.Type, "."+h.OriginalName) {
					t.Errorf("module %q: %v, want class %s", h.Path, mod, h.OriginalName)
				}
			}
			got := map[string]int{}
			countOps(m.Graphs[0], got)
			want := o.AtenOps
			if strings.Contains(f, "_scripted") {
				// torch's inlined_graph is the code after its optimizer
				// (dead-code removal, constant propagation across calls);
				// we keep every branch the code can take unless a literal
				// or an identity (key is value) decides it. The layers
				// must match; shape checks, None checks, their messages
				// and the reshapes of the branches either side folds
				// may differ.
				got, want = only(got, layerOps), only(want, layerOps)
			}
			for op, n := range strippedDrops[filepath.Base(f)] {
				got[op] -= n
				if got[op] == 0 {
					delete(got, op)
				}
			}
			if fmt.Sprint(sortedOps(got)) != fmt.Sprint(sortedOps(want)) {
				t.Errorf("aten ops\n got %v\nwant %v", sortedOps(got), sortedOps(want))
			}
		})
	}
}

var layerOps = strings.Fields(`conv2d _convolution linear batch_norm layer_norm max_pool2d avg_pool2d
	adaptive_avg_pool2d cat lstm gelu softmax bmm chunk relu relu_ hardtanh_ silu_ sigmoid
	hardswish_ hardsigmoid dropout dropout_ flatten _native_multi_head_attention
	_transformer_encoder_layer_fwd mean`)

func only(m map[string]int, keep []string) map[string]int {
	out := map[string]int{}
	for _, k := range keep {
		if m[k] != 0 {
			out[k] = m[k]
		}
	}
	return out
}

// torch keeps int(NumToTensor(n)) when n has no other use; we always
// simplify it to n.
var strippedDrops = map[string]map[string]int{
	"vit_b_16_traced.pt": {"Int": -2},
}
