// Package testutil finds the repository and the shared corpus for tests.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot is the directory holding go.mod.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// CorpusDir returns ../shared/corpus relative to the repository, or skips
// the test with a clear message when it is absent.
func CorpusDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(RepoRoot(), "..", "shared", "corpus")
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Skipf("shared corpus not found at %s: skipping (clone the repo beside shared/ to run this)", d)
	}
	return d
}

// Corpus returns the path of one corpus file, skipping when absent.
func Corpus(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(CorpusDir(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus file %s not found: skipping", p)
	}
	return p
}
