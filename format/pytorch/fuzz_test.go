package pytorch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/internal/testutil"
)

func seedFiles() [][]byte {
	var out [][]byte
	names, _ := filepath.Glob("testdata/*.pt")
	corpus := filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus")
	for _, n := range []string{"iris_full.pt", "iris_state_dict.pth", "iris_scripted.pt", "iris_traced.pt"} {
		names = append(names, filepath.Join(corpus, n))
	}
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil && len(b) < 16<<10 {
			out = append(out, b)
		}
	}
	return out
}

// FuzzOpen feeds whole files (zip, legacy, mutated) to the reader, then
// loads every tensor it lists.
func FuzzOpen(f *testing.F) {
	for _, b := range seedFiles() {
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f.pt")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Skip()
		}
		m, err := Open(p)
		if err != nil {
			return
		}
		for _, v := range m.Graphs[0].Initializers {
			if v.Initializer.Length < 1<<20 {
				v.Initializer.Load()
			}
		}
	})
}

// FuzzCode feeds serialized TorchScript code to the parser.
func FuzzCode(f *testing.F) {
	for _, b := range seedFiles() {
		p := filepath.Join(f.TempDir(), "s.pt")
		os.WriteFile(p, b, 0o644)
		a, err := zipx.Open(p)
		if err != nil {
			continue
		}
		for _, e := range a.Entries {
			if strings.HasSuffix(e.Name, ".py") {
				if src, err := a.ReadAll(e, 1<<20); err == nil {
					f.Add(string(src))
				}
			}
		}
		a.Close()
	}
	f.Fuzz(func(t *testing.T, src string) {
		parseSource(src)
	})
}
