package gguf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/registry"
)

func TestRegistryDispatch(t *testing.T) {
	for _, p := range []string{"testdata/tiny_llama.gguf", "testdata/all_types_v2.gguf", "testdata/big_endian.gguf"} {
		m, err := registry.Open(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m.Format != "gguf" {
			t.Errorf("%s: format %q", p, m.Format)
		}
	}
	_, err := registry.Open("testdata/v1.gguf")
	var e *registry.Error
	if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "testdata/v1.gguf: GGUF version 1") {
		t.Errorf("v1: %v", err)
	}
}
