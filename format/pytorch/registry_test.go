package pytorch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
)

func TestRegistry(t *testing.T) {
	// A Git LFS pointer saved as model.pt gets the registry's clear error.
	p := filepath.Join(t.TempDir(), "model.pt")
	os.WriteFile(p, []byte("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1935\n"), 0o644)
	_, err := registry.Open(p)
	if err == nil || !strings.Contains(err.Error(), "this is a Git LFS pointer, not the model") || !strings.HasPrefix(err.Error(), p+": ") {
		t.Errorf("LFS pointer: %v", err)
	}
	// Every kind opens through the registry as pytorch, and errors name the file.
	for _, f := range []string{"testdata/legacy.pt", "testdata/checkpoint.pt", "testdata/mobilenet_scripted.pt", "testdata/plain_numpy.pkl"} {
		m, err := registry.Open(f)
		if err != nil || m.Format != "pytorch" {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := registry.Open("testdata/evil_only.pt"); err == nil || !strings.HasPrefix(err.Error(), "testdata/evil_only.pt: unsafe pickle") {
		t.Errorf("evil_only: %v", err)
	}
	m, err := registry.Open(testutil.Corpus(t, "iris_state_dict.pth"))
	if err != nil || m.Kind != "state_dict" {
		t.Fatalf("corpus state_dict: %v", err)
	}
}

// TestIrisWeightsAgree loads hidden.weight (and the rest) from the four
// PyTorch corpus files and from iris.onnx, made from the same trained
// model: every copy must hold the same bytes.
func TestIrisWeightsAgree(t *testing.T) {
	ref, err := registry.Open(testutil.Corpus(t, "iris.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for _, v := range ref.Graphs[0].Initializers {
		b, err := v.Initializer.Load()
		if err != nil {
			t.Fatal(err)
		}
		want[v.Name] = b
	}
	for _, name := range []string{"iris_full.pt", "iris_state_dict.pth", "iris_scripted.pt", "iris_traced.pt"} {
		m, err := registry.Open(testutil.Corpus(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range m.Graphs[0].Initializers {
			b, err := v.Initializer.Load()
			if err != nil {
				t.Fatalf("%s %s: %v", name, v.Name, err)
			}
			if w, ok := want[v.Name]; !ok || string(w) != string(b) {
				t.Errorf("%s: %s differs from iris.onnx", name, v.Name)
			}
		}
	}
}
