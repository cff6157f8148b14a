package registry

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
)

// TestCorpusFormats: every corpus model opens as the format its extension
// names, chosen by content (the files are also tried under a neutral name).
func TestCorpusFormats(t *testing.T) {
	dir := testutil.CorpusDir(t)
	want := map[string]string{".onnx": "onnx", ".pt": "pytorch", ".pth": "pytorch"}
	tmp := t.TempDir()
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".json") {
			return nil
		}
		format, ok := want[filepath.Ext(p)]
		if !ok {
			return nil
		}
		n++
		m, err := Open(p)
		if err != nil {
			t.Errorf("%v", err)
			return nil
		}
		if m.Format != format || m.Path != p {
			t.Errorf("%s: format %q path %q", p, m.Format, m.Path)
		}
		// Content decides, not the name (external data stays beside its model).
		if filepath.Base(filepath.Dir(p)) != "external_data" {
			b, _ := os.ReadFile(p)
			q := filepath.Join(tmp, "model.bin")
			os.WriteFile(q, b, 0o600)
			if m, err := Open(q); err != nil || m.Format != format {
				t.Errorf("%s renamed: %v", p, err)
			}
		}
		return nil
	})
	if n < 160 {
		t.Errorf("only %d corpus models", n)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]string{
		write("empty.onnx", ""): "file is empty",
		write("lfs.onnx", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n"): "Git LFS pointer",
		write("page.onnx", "  <!DOCTYPE html><html></html>"):                                       "HTML page",
		write("notes.txt", "just some text\n"):                                                     "not a model file",
		filepath.Join(dir, "missing.onnx"):                                                         "no such file",
		dir:                                                                                        "is a directory",
	}

	for path, want := range cases {
		_, err := Open(path)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v is not a *registry.Error", path, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, path+": ") || strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, want) {
			t.Errorf("%s: %q", path, msg)
		}
	}
}

func TestFormatsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Name == "" || f.Open == nil || seen[f.Name] {
			t.Errorf("bad entry %+v", f)
		}
		seen[f.Name] = true
	}
	if !seen["onnx"] {
		t.Error("onnx is not registered")
	}
}
