package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
)

// A whole pickled module with custom classes (format/pytorch/testdata/
// gen_custom.py): numbered children of ModuleList and Sequential are rows
// named 0, 1 with their class and params, in _modules order, and
// attributes outside state_dict come after the registered children.
func TestSummaryCustomModule(t *testing.T) {
	p := filepath.Join(testutil.RepoRoot(), "format", "pytorch", "testdata", "custom_module.pt")
	code, out, errOut := run("summary", "--json", "--depth", "9", p)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var j jSummary
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range j.Rows[1:] {
		rows = append(rows, fmt.Sprintf("%s %s %s %d", strings.Join(r.Path, "."), r.Name, r.Op, r.Params))
	}
	want := []string{
		"fc fc Linear 10",
		"blocks blocks ModuleList 16",
		"blocks.0 0 Gate 10",
		"blocks.0.proj proj Linear 6",
		"blocks.1 1 Sequential 6",
		"blocks.1.0 0 Linear 6",
		"blocks.1.1 1 ReLU 0",
		"gate gate Gate 10",
		"gate.proj proj Linear 6",
		"extra extra  6",
		"extra.hist hist 2 tensors 3",
		"heads heads  3",
		"heads.0 0 Linear 3",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}
