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
	for _, f := range []string{"testdata/legacy.pt", "testdata/checkpoint.pt", "testdata/mobilenet_scripted.pt"} {
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
