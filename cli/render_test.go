package cli

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/examples"
)

func irisFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), examples.IrisName)
	if err := os.WriteFile(p, examples.Iris, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRenderEveryFormat(t *testing.T) {
	iris := irisFile(t)
	dir := t.TempDir()
	for _, ext := range []string{"svg", "png", "pdf", "dot", "html"} {
		out := filepath.Join(dir, "iris."+ext)
		code, stdout, stderr := run("render", iris, "-o", out)
		if code != ExitOK || stdout != "" || stderr != "" {
			t.Fatalf("render -o iris.%s: exit %d, %q %q", ext, code, stdout, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		switch ext {
		case "svg":
			if !bytes.Contains(b, []byte(">Gemm</text>")) || !bytes.Contains(b, []byte(">logits</text>")) {
				t.Error("SVG lacks Gemm or logits")
			}
		case "png":
			if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
				t.Error(err)
			}
		case "pdf":
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Error("no PDF header")
			}
		case "dot":
			if !bytes.HasPrefix(b, []byte("digraph")) {
				t.Error("not a digraph")
			}
		case "html":
			if !bytes.Contains(b, []byte("<!DOCTYPE html>")) {
				t.Error("not HTML")
			}
		}
	}
	// --format overrides the extension; -o - writes to stdout.
	code, stdout, _ := run("render", iris, "-o", "-", "--format", "dot", "--direction", "LR", "--names", "--attributes")
	if code != ExitOK || !strings.Contains(stdout, "rankdir=LR") || !strings.Contains(stdout, "transB") {
		t.Errorf("render -o - --format dot: exit %d\n%s", code, stdout)
	}
	// Same input, same bytes.
	a := filepath.Join(dir, "a.svg")
	run("render", iris, "-o", a, "--theme", "dark", "--flat")
	x, _ := os.ReadFile(a)
	run("render", iris, "-o", a, "--theme", "dark", "--flat")
	y, _ := os.ReadFile(a)
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Error("two renders of the same model differ")
	}
}

func TestRenderErrors(t *testing.T) {
	iris := irisFile(t)
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"render", iris}, ExitUsage},                                                       // no -o
		{[]string{"render", "-o", "x.svg"}, ExitUsage},                                              // no FILE
		{[]string{"render", iris, "-o", filepath.Join(dir, "x.jpg")}, ExitUsage},                    // unknown extension
		{[]string{"render", iris, "-o", "-"}, ExitUsage},                                            // stdout without --format
		{[]string{"render", iris, "-o", "x.svg", "--format", "gif"}, ExitUsage},                     // bad format
		{[]string{"render", iris, "-o", "x.svg", "--flat", "--depth", "2"}, ExitUsage},              // both
		{[]string{"render", iris, "-o", "x.svg", "--direction", "up"}, ExitUsage},                   // bad direction
		{[]string{"render", iris, "-o", "x.svg", "--theme", "pink"}, ExitUsage},                     // bad theme
		{[]string{"render", iris, "-o", "x.png", "--scale", "0"}, ExitUsage},                        // bad scale
		{[]string{"render", iris, "-o", "x.png", "--input", "=1x4"}, ExitUsage},                     // bad --input
		{[]string{"render", filepath.Join(dir, "missing.onnx"), "-o", "x.svg"}, ExitBad},            // no such file
		{[]string{"render", iris, "-o", filepath.Join(dir, "x.svg"), "--group", "nope"}, ExitUsage}, // no such group
		{[]string{"render", iris, "-o", filepath.Join(dir, "no", "such", "dir.svg")}, ExitBad},      // cannot write
	}
	for _, c := range cases {
		for i, a := range c.args {
			if a == "x.svg" || a == "x.png" { // never write into the package folder
				c.args[i] = filepath.Join(dir, a)
			}
		}
		code, _, stderr := run(c.args...)
		if code != c.code {
			t.Errorf("%q: exit %d, want %d (%s)", c.args[1:], code, c.code, stderr)
		}
		if c.code == ExitBad && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: error is not one line: %q", c.args[1:], stderr)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed renders left %d files", len(ents))
	}
}
