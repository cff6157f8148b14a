package pt2_test

import (
	"testing"

	"github.com/modelviz/modelviz/format/registry"
)

// Both layouts are zips like torch.save files: the registry must still
// hand them to this reader, not to the PyTorch one.
func TestRegistryDispatch(t *testing.T) {
	for _, p := range []string{"testdata/convnet.pt2", "testdata/convnet_legacy.pt2", "testdata/mlp.pt2", "testdata/mlp_legacy.pt2"} {
		m, err := registry.Open(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m.Format != "pt2" {
			t.Errorf("%s: format %q", p, m.Format)
		}
	}
}
