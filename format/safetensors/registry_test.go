package safetensors_test

import (
	"testing"

	"github.com/modelviz/modelviz/format/registry"
)

// The registry must hand both the single file and the index to this reader.
func TestRegistryDispatch(t *testing.T) {
	for _, p := range []string{"testdata/mlp.safetensors", "testdata/dtypes.safetensors", "testdata/nlpodyssey.safetensors", "testdata/sharded/model.safetensors.index.json"} {
		m, err := registry.Open(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m.Format != "safetensors" || m.Path != p {
			t.Errorf("%s: format %q path %q", p, m.Format, m.Path)
		}
	}
}
