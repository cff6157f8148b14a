package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/onnx/onnxtest"
	"github.com/modelviz/modelviz/internal/testutil"
)

// When an input records no shape, MACs of ops that need it are unknown:
// summary shows "?" rather than 0 and says how to fix it.
func TestSummaryUnknownMACs(t *testing.T) {
	// x: float32 with no shape field at all (unknown rank).
	noShape := onnxtest.Msg{}.Str(1, "x").Bytes(2, onnxtest.Msg{}.Bytes(1, onnxtest.Msg{}.Varint(1, 1)))
	data := onnxtest.Model(onnxtest.Graph("g", onnxtest.Input(noShape),
		onnxtest.Output(onnxtest.Msg{}.Str(1, "y")), // y: no type
		onnxtest.Initializer(onnxtest.Tensor("w", 1, []int64{4, 8}, onnxtest.Raw(make([]byte, 128)))),
		onnxtest.Node("MatMul", "fc/MatMul", []string{"x", "w"}, []string{"h"}),
		onnxtest.Node("Relu", "act/Relu", []string{"h"}, []string{"y"})))
	path := filepath.Join(t.TempDir(), "noshape.onnx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("summary", path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Total MACs: ?;",
		"MACs unknown for 1 op (? above, left out of the totals): input shapes are not recorded in this file; set them with --input x=SHAPE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && strings.Contains(line, "MatMul") && f[len(f)-1] != "?" {
			t.Errorf("MatMul row's MACs should be ?: %q", line)
		}
	}

	_, out, _ = run("summary", "--json", path)
	var j jSummary
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	if j.Totals.MACsUnknownOps != 1 || len(j.Rows) == 0 || !j.Rows[0].MACsUnknown {
		t.Errorf("json: macs_unknown_ops %d, rows %+v", j.Totals.MACsUnknownOps, j.Rows)
	}

	// Given the shape, the MACs are counted and nothing is unknown.
	_, out, _ = run("summary", "--input", "x=2x4", path)
	if !strings.Contains(out, "Total MACs: 64;") || strings.Contains(out, "unknown") {
		t.Errorf("with --input x=2x4:\n%s", out)
	}
}

// TorchScript values without a type print "?" like any unknown type, and
// linear's unknown MACs print "?", not 0.
func TestInspectScriptedUnknownTypes(t *testing.T) {
	p := testutil.Corpus(t, "iris_scripted.pt")
	code, out, errOut := run("inspect", p)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "undefined") || strings.Contains(out, "macs 0]") {
		t.Errorf("inspect shows undefined types or 0 MACs for unknown ones:\n%s", out)
	}
	if !strings.Contains(out, "-> result ?\n") || !strings.Contains(out, "-> linear ?  [params 40, macs ?]") {
		t.Errorf("unexpected node lines:\n%s", out)
	}
}
