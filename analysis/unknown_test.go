package analysis

import (
	"testing"

	"github.com/modelviz/modelviz/model"
)

// MACs that cannot be counted because shapes are unknown are told apart
// from MACs that are truly 0.
func TestUnknownMACs(t *testing.T) {
	b := newGB()
	x := b.val("x") // a graph input without a recorded type (TorchScript)
	b.g.Inputs = append(b.g.Inputs, x)
	b.weight("w", 4, 8)
	b.weight("w2", 8, 3)
	mm := b.node("MatMul", []string{"x", "w"}, []string{"h"})
	relu := b.node("Relu", []string{"h"}, []string{"r"})
	mm2 := b.node("MatMul", []string{"r", "w2"}, []string{"y"})
	mm.Group, relu.Group, mm2.Group = []string{"a"}, []string{"a"}, []string{"b"}
	b.output("y")
	m := b.model(17)

	in := analyze(t, m, Options{})
	if !in.UnknownMACs(mm) || !in.UnknownMACs(mm2) || in.UnknownMACs(relu) {
		t.Errorf("unknown: mm %v relu %v mm2 %v, want true false true", in.UnknownMACs(mm), in.UnknownMACs(relu), in.UnknownMACs(mm2))
	}
	if in.UnknownMACsOps() != 2 || in.GroupUnknownMACs([]string{"a"}) != 1 || in.GroupUnknownMACs(nil) != 2 {
		t.Errorf("counts: total %d, group a %d, all %d", in.UnknownMACsOps(), in.GroupUnknownMACs([]string{"a"}), in.GroupUnknownMACs(nil))
	}

	// With the input shape given, everything is counted.
	in = analyze(t, m, Options{Inputs: map[string]model.Shape{"x": model.Fixed(2, 4)}})
	if in.UnknownMACsOps() != 0 || in.Total().MACs != 2*4*8+2*8*3 {
		t.Errorf("with --input: unknown %d, MACs %d", in.UnknownMACsOps(), in.Total().MACs)
	}
	// A zero-sized batch is a known 0, not unknown.
	in = analyze(t, m, Options{Inputs: map[string]model.Shape{"x": model.Fixed(0, 4)}})
	if in.UnknownMACsOps() != 0 || in.Total().MACs != 0 {
		t.Errorf("zero batch: unknown %d, MACs %d", in.UnknownMACsOps(), in.Total().MACs)
	}
}
