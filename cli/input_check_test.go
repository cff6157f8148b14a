package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
)

// Every command taking --input rejects overrides that do not fit the model
// with a one-line usage error, before doing any work.
func TestInputOverrideChecked(t *testing.T) {
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	out := filepath.Join(t.TempDir(), "out")
	cmds := map[string][]string{
		"inspect": {"inspect", "--json"},
		"summary": {"summary"},
		"layout":  {"layout", "-o", out + ".json"},
		"render":  {"render", "-o", out + ".svg"},
	}
	cases := []struct {
		input string
		msgs  []string
	}{
		{"nosuch=1x2", []string{`no input named "nosuch"`, "its inputs are: features"}},
		{"features=1x2x3", []string{"rank 3", "45×4 (rank 2)"}},
		{"bad", []string{`"bad"`, "NAME=SHAPE"}},
	}
	for name, pre := range cmds {
		for _, c := range cases {
			args := append(append([]string{}, pre...), "--input", c.input, iris)
			code, _, errOut := run(args...)
			if code != ExitUsage {
				t.Errorf("%s --input %s: exit %d, want %d (%q)", name, c.input, code, ExitUsage, errOut)
				continue
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("%s --input %s: not one line: %q", name, c.input, errOut)
			}
			for _, m := range c.msgs {
				if !strings.Contains(errOut, m) {
					t.Errorf("%s --input %s: stderr %q lacks %q", name, c.input, errOut, m)
				}
			}
		}
		// Fitting overrides still work: by name, and a bare shape for the
		// first input with a symbolic dim.
		for _, in := range []string{"features=90x4", "batchx4"} {
			args := append(append([]string{}, pre...), "--input", in, iris)
			if code, _, errOut := run(args...); code != ExitOK {
				t.Errorf("%s --input %s: exit %d (%s)", name, in, code, errOut)
			}
		}
	}
}
