package opmeta

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
)

// Every operator python onnx knows (the generated table) has a category.
func TestEverySchemaOpHasCategory(t *testing.T) {
	if len(inputNames) < 190 {
		t.Fatalf("generated table has only %d ops", len(inputNames))
	}
	for key := range inputNames {
		dom, op := "", key
		if i := strings.LastIndex(key, "::"); i >= 0 {
			dom, op = key[:i], key[i+2:]
		}
		if c := Category(dom, op); c == Unknown || c == Custom {
			t.Errorf("%s: category %s", key, c)
		}
		if DocURL(dom, op) == "" {
			t.Errorf("%s: no doc URL", key)
		}
	}
}

// No name is listed under two categories: init fills maps from a map, so a
// duplicate would make the category depend on iteration order.
func TestNoDuplicateNames(t *testing.T) {
	check := func(table map[string]string, lower bool) {
		seen := map[string]string{}
		for cat, names := range table {
			for _, n := range strings.Fields(names) {
				if lower {
					n = strings.ToLower(n)
				}
				if prev, ok := seen[n]; ok {
					t.Errorf("%s in both %s and %s", n, prev, cat)
				}
				seen[n] = cat
			}
		}
	}
	check(onnxOps, true)
	check(torchOps, false)
	for cat, names := range torchOps {
		for _, n := range strings.Fields(names) {
			if n != strings.ToLower(n) {
				t.Errorf("torch name %q (%s) must be lower case", n, cat)
			}
		}
	}
}

func TestCorpusOpsHaveCategory(t *testing.T) {
	dir := testutil.CorpusDir(t)
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".oracle.json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var o struct {
			Hist map[string]int `json:"op_type_histogram_total"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		for key := range o.Hist {
			n++
			dom, op := "", key
			if i := strings.LastIndex(key, "::"); i >= 0 {
				dom, op = key[:i], key[i+2:]
			}
			if c := Category(dom, op); c == Unknown || c == "" {
				t.Errorf("%s: op %s has no category", filepath.Base(p), key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no op types found in the corpus oracles")
	}
}

func TestLookups(t *testing.T) {
	cases := []struct{ dom, op, want string }{
		{"", "Conv", Layer},
		{"ai.onnx", "Relu", Activation},
		{"", "Attention", Layer},
		{"", "RMSNormalization", Norm},
		{"ai.onnx.ml", "TreeEnsembleClassifier", ML},
		{"ai.onnx.preview.training", "Gradient", Training},
		{"com.microsoft", "FusedConv", Custom},
		{"", "aten::conv2d", Layer},
		{"", "aten.relu.default", Activation},
		{"aten", "add.Tensor", Elementwise},
		{"", "torch.nn.modules.linear.Linear", Layer},
		{"", "Linear", Layer},
		{"", "BatchNorm2d", Norm},
		{"", "ReLU", Activation},
		{"", "torch.nn.functional.gelu", Activation},
		{"", "aten::max_pool2d", Pool},
		{"", "aten::relu_", Activation},
		{"", "NoSuchOp", Unknown},
		{"aten", "mean.dim", Reduce},
		{"", "Mean", Elementwise},
		{"", "__main__.IrisModel", Unknown},
		{"", "mypkg.layers.Linear", Layer},
		{"ai.onnx.ml", "Conv", Unknown},
	}
	for _, c := range cases {
		if got := Category(c.dom, c.op); got != c.want {
			t.Errorf("Category(%q, %q) = %q, want %q", c.dom, c.op, got, c.want)
		}
	}
	if got := DocURL("", "Conv"); got != "https://onnx.ai/onnx/operators/onnx__Conv.html" {
		t.Errorf("DocURL Conv = %q", got)
	}
	if got := DocURL("ai.onnx.ml", "ZipMap"); got != "https://onnx.ai/onnx/operators/onnx_aionnxml_ZipMap.html" {
		t.Errorf("DocURL ZipMap = %q", got)
	}
	if got := DocURL("", "torch.nn.modules.conv.Conv2d"); got != "https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html" {
		t.Errorf("DocURL Conv2d = %q", got)
	}
	if got := DocURL("", "Nope"); got != "" {
		t.Errorf("DocURL Nope = %q", got)
	}
	for _, c := range []struct {
		op   string
		i    int
		want string
	}{{"Conv", 1, "W"}, {"BatchNormalization", 1, "scale"}, {"Concat", 5, "inputs"}, {"Relu", 1, ""}, {"Nope", 0, ""}} {
		if got := InputName("", c.op, c.i); got != c.want {
			t.Errorf("InputName(%s, %d) = %q, want %q", c.op, c.i, got, c.want)
		}
	}
}
