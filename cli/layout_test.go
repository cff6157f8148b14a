package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/view"
)

func TestLayoutIris(t *testing.T) {
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	out := filepath.Join(t.TempDir(), "iris.json")
	code, _, errOut := run("layout", iris, "--flat", "-o", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var sc view.Scene
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	if len(sc.Nodes) != 5 || len(sc.Edges) != 4 || sc.Direction != "TB" {
		t.Errorf("iris: %d boxes, %d edges, %s", len(sc.Nodes), len(sc.Edges), sc.Direction)
	}
	// Stdout, LR, flags after the file.
	code, stdout, errOut := run("layout", iris, "--direction", "LR", "--names")
	if code != ExitOK || !strings.Contains(stdout, `"direction":"LR"`) || !strings.Contains(stdout, `"key":"name"`) {
		t.Errorf("stdout layout: exit %d %s", code, errOut)
	}
	// The shared crossings counter reads the file.
	if py := "/usr/bin/python3"; fileExists(py) {
		script := filepath.Join(testutil.RepoRoot(), "..", "shared", "bench", "crossings.py")
		if fileExists(script) {
			res, err := exec.Command(py, script, out).CombinedOutput()
			if err != nil || !strings.Contains(string(res), `"nodes": 5`) {
				t.Errorf("crossings.py: %v %s", err, res)
			}
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	bad := filepath.Join(t.TempDir(), "bad.onnx")
	if err := os.WriteFile(bad, []byte("\xff\xff\xff\xff not protobuf"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"layout"}, ExitUsage},
		{[]string{"layout", iris, iris}, ExitUsage},
		{[]string{"layout", iris, "--direction", "XY"}, ExitUsage},
		{[]string{"layout", iris, "--flat", "--depth", "2"}, ExitUsage},
		{[]string{"layout", iris, "--depth", "-1"}, ExitUsage},
		{[]string{"layout", iris, "--input", "=1x2"}, ExitUsage},
		{[]string{"layout", iris, "--bogus"}, ExitUsage},
		{[]string{"layout", "/nonexistent/model.onnx"}, ExitBad},
		{[]string{"layout", bad}, ExitBad},
		{[]string{"layout", iris, "--group", "nope"}, ExitUsage},
		{[]string{"layout", "--help"}, ExitOK},
	} {
		code, _, errOut := run(c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errOut)
		}
		if code == ExitBad && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: error is not one line: %q", c.args, errOut)
		}
	}
}
