package analysis

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/onnx"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

func openCorpus(t testing.TB, name string) *model.Model {
	t.Helper()
	m, err := onnx.Open(testutil.Corpus(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func findNode(t *testing.T, m *model.Model, name string) *model.Node {
	t.Helper()
	for _, n := range m.Graphs[0].Nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("node %q not found", name)
	return nil
}

// TestTorchvisionMACs: the MAC totals equal an independent count made with
// PyTorch forward hooks (testdata/torch_macs.json, gen_macs.py) and come
// within 3% of torchvision's GFLOPS figures (a MAC count): the 3-decimal
// "_ops" metadata of torchvision >= 0.15, and the 2-decimal table that
// rounds it (so within 0.005 of that).
func TestTorchvisionMACs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_macs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Models map[string]struct {
			MACs      int64   `json:"macs"`
			Published float64 `json:"published_gmacs"`
			Ops       float64 `json:"torchvision_ops_gmacs"`
		} `json:"models"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Models) != 3 {
		t.Fatalf("want 3 reference models, got %d", len(ref.Models))
	}
	names := make([]string, 0, len(ref.Models))
	for k := range ref.Models {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		r := ref.Models[name]
		m := openCorpus(t, name)
		got := Analyze(m, Options{}).Total().MACs
		if got != r.MACs {
			t.Errorf("%s: %d MACs, PyTorch hooks count %d", name, got, r.MACs)
		}
		g := float64(got) / 1e9
		dev := math.Abs(g-r.Ops) / r.Ops
		if dev > 0.03 || r.Ops == 0 {
			t.Errorf("%s: %.4f GMACs is %.1f%% off torchvision's _ops %.3f", name, g, 100*dev, r.Ops)
		}
		if math.Abs(g-r.Published) > 0.005 {
			t.Errorf("%s: %.4f GMACs does not round to the published %.2f", name, g, r.Published)
		}
		t.Logf("%s: %.4f GMACs, %.1f%% off torchvision _ops %.3f (table %.2f); PyTorch hooks %.4f",
			name, g, 100*dev, r.Ops, r.Published, float64(r.MACs)/1e9)
	}
}

// TestParamsMatchOracle: total params equal the oracle's total_params
// (elements of all top-level initializers) on every corpus ONNX file.
func TestParamsMatchOracle(t *testing.T) {
	dir := testutil.CorpusDir(t)
	var files []string
	for _, pat := range []string{"*.onnx", "onnx-backend/*.onnx", "external_data/*.onnx"} {
		f, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, f...)
	}
	if len(files) < 100 {
		t.Fatalf("only %d corpus files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f + ".oracle.json")
		if err != nil {
			continue
		}
		var o struct {
			Params int64 `json:"total_params"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		m, err := onnx.Open(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		info := Analyze(m, Options{})
		if got := info.Total().Params; got != o.Params {
			t.Errorf("%s: %d params, oracle %d", filepath.Base(f), got, o.Params)
		}
		// Node params add up to the total when every weight is read.
		var sum int64
		for _, n := range m.Graphs[0].Nodes {
			sum += info.Cost(n).Params
		}
		if sum > o.Params {
			t.Errorf("%s: node params sum to %d > total %d (a weight counted twice)", filepath.Base(f), sum, o.Params)
		}
		if g := info.GroupCost(nil); g.Params != sum || g.MACs != info.Total().MACs {
			t.Errorf("%s: GroupCost(nil) = %+v, node sums params %d macs %d", filepath.Base(f), g, sum, info.Total().MACs)
		}
	}
}

// TestAttentionMACs: the attention matmuls of tiny_transformer (d_model 32,
// 4 heads of 8) are counted. With tokens 2×5 (batch 2, seq 5) the exporter
// reshapes Q and K to [batch·heads, seq, 8] = [8, 5, 8]:
//
//	Q·Kᵀ (MatMul_1): [8,5,8] × [8,8,5] → 8·5·5 outputs × 8 = 1600 MACs
//	A·V  (MatMul_2): [8,5,5] × [8,5,8] → 8·5·8 outputs × 5 = 1600 MACs
//
// and the in-projection (MatMul, [5,2,32] × [32,96]) is 10·96·32 = 30720.
func TestAttentionMACs(t *testing.T) {
	m := openCorpus(t, "tiny_transformer.onnx")
	info := Analyze(m, Options{Inputs: map[string]model.Shape{"tokens": model.Fixed(2, 5)}})
	for _, c := range []struct {
		node string
		macs int64
	}{
		{"/encoder/layers.0/self_attn/MatMul_1", 8 * 5 * 5 * 8},
		{"/encoder/layers.0/self_attn/MatMul_2", 8 * 5 * 8 * 5},
		{"/encoder/layers.0/self_attn/MatMul", 5 * 2 * 96 * 32},
	} {
		n := findNode(t, m, c.node)
		if got := info.Cost(n).MACs; got != c.macs {
			t.Errorf("%s: %d MACs, hand count %d (shapes %s × %s)", c.node, got, c.macs,
				info.Type(n.Inputs[0]).Shape, info.Type(n.Inputs[1]).Shape)
		}
	}
	// Symbolic: the attention scores keep batch and seq.
	info = Analyze(m, Options{})
	n := findNode(t, m, "/encoder/layers.0/self_attn/MatMul_1")
	if got := info.Type(n.Outputs[0]).Shape.String(); got != "4*batch×seq×seq" {
		t.Errorf("scores shape %s, want 4*batch×seq×seq", got)
	}
	if a := strings.Join(info.Assumed(), ","); a != "batch,seq" {
		t.Errorf("Assumed() = %q, want batch,seq", a)
	}
}

// TestCorpusShapesKnown: every value produced by a node in the corpus
// models has a shape whose dims are all sizes or symbols, from inference
// alone; with the symbolic inputs fixed, all are sizes.
func TestCorpusShapesKnown(t *testing.T) {
	dir := testutil.CorpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.onnx"))
	fx := loadOnnxShapes(t)
	for _, f := range files {
		base := filepath.Base(f)
		m, err := onnx.Open(f)
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		for _, fixed := range []bool{false, true} {
			opt := Options{IgnoreRecorded: true}
			if fixed {
				ins := fx.Fixed[base+"@fixed"]
				if ins == nil {
					continue
				}
				opt.Inputs = map[string]model.Shape{}
				for k, v := range ins {
					opt.Inputs[k] = model.Fixed(v...)
				}
			}
			info := Analyze(m, opt)
			var bad []string
			var walk func(g *model.Graph)
			walk = func(g *model.Graph) {
				for _, n := range g.Nodes {
					for _, v := range n.Outputs {
						if v == nil {
							continue
						}
						ty := info.Type(v)
						ok := ty != nil && (ty.Kind != model.TensorType || ty.Shape != nil)
						if ok && ty.Kind == model.TensorType {
							for _, d := range ty.Shape {
								if !d.Known && (fixed || d.Param == "") {
									ok = false
								}
							}
						}
						if !ok && !(fixed && n.Op == "Loop") {
							s := "nil"
							if ty != nil {
								s = ty.Shape.String()
							}
							bad = append(bad, n.Op+" "+v.Name+" "+s)
						}
					}
					for _, s := range n.Subgraphs() {
						walk(s.Graph)
					}
				}
			}
			walk(m.Graphs[0])
			if len(bad) > 0 {
				if len(bad) > 5 {
					bad = bad[:5]
				}
				t.Errorf("%s (fixed inputs %v): values without a full shape: %s", base, fixed, strings.Join(bad, "; "))
			}
		}
	}
}

// TestPublishedMACsExtra checks torchvision models outside the corpus,
// exported by testdata/export_torchvision.py into $MODELVIZ_TORCHVISION_DIR,
// against torchvision's _ops metadata (GMACs, 3 decimals; the model cards'
// GFLOPS column rounds them to 2): within 3%.
func TestPublishedMACsExtra(t *testing.T) {
	dir := os.Getenv("MODELVIZ_TORCHVISION_DIR")
	if dir == "" {
		t.Skip("MODELVIZ_TORCHVISION_DIR not set (see testdata/export_torchvision.py)")
	}
	ops := map[string]float64{ // torchvision/models/*.py, "_ops"
		"resnet50": 4.089, "efficientnet_b0": 0.386, "mnasnet0_5": 0.104, "vit_b_16": 17.564,
		"convnext_tiny": 4.456, "swin_t": 4.491, "mobilenet_v2": 0.301, "mobilenet_v3_large": 0.217,
		"densenet121": 2.834, "googlenet": 1.498, "alexnet": 0.714, "regnet_y_400mf": 0.402,
		"resnext50_32x4d": 4.23, "inception_v3": 5.713, "efficientnet_v2_s": 8.366, "maxvit_t": 5.558,
	}
	for name, want := range ops {
		path := filepath.Join(dir, name+".onnx")
		if _, err := os.Stat(path); err != nil {
			t.Logf("%s: not exported, skipped", name)
			continue
		}
		m, err := onnx.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		g := float64(Analyze(m, Options{}).Total().MACs) / 1e9
		dev := math.Abs(g-want) / want
		if dev > 0.03 {
			t.Errorf("%s: %.4f GMACs, torchvision %.3f (%.1f%% off)", name, g, want, 100*dev)
		}
		t.Logf("%s: %.4f GMACs, torchvision %.3f (%.2f%% off)", name, g, want, 100*dev)
	}
}

// TestKVCache: a decoder with a key/value cache (testdata/kv_cache.onnx,
// gen_kv_cache.py): every value gets a shape from inference alone, the
// cache grows to past + seq, and the causal mask slice [total-seq, total)
// has seq rows. With batch 2, seq 3, past 5: Q·Kᵀ is [2,4,3,8] × 4 MACs.
func TestKVCache(t *testing.T) {
	m, err := onnx.Open(filepath.Join("testdata", "kv_cache.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	info := Analyze(m, Options{IgnoreRecorded: true})
	for _, n := range m.Graphs[0].Nodes {
		for _, v := range n.Outputs {
			ty := info.Type(v)
			if ty == nil || ty.Shape == nil {
				t.Errorf("%s (%s): no shape", v.Name, n.Op)
				continue
			}
			for _, d := range ty.Shape {
				if !d.Known && d.Param == "" {
					t.Errorf("%s (%s): %s", v.Name, n.Op, ty.Shape)
				}
			}
		}
	}
	byName := map[string]*model.Value{}
	for _, v := range m.Graphs[0].Values {
		byName[v.Name] = v
	}
	for name, want := range map[string]string{
		"present_k":             "batch×4×past + seq×4",
		"/a/Slice_1_output_0":   "1×1×seq×past + seq",
		"/a/Softmax_output_0":   "batch×4×seq×past + seq",
		"/a/Reshape_3_output_0": "batch×seq×16",
	} {
		if got := info.Type(byName[name]).Shape.String(); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
	info = Analyze(m, Options{Inputs: map[string]model.Shape{
		"ids": model.Fixed(2, 3), "past_k": model.Fixed(2, 4, 5, 4), "past_v": model.Fixed(2, 4, 5, 4)}})
	if got := info.Cost(findNode(t, m, "/a/MatMul")).MACs; got != 2*4*3*8*4 {
		t.Errorf("Q·Kᵀ MACs %d, want %d", got, 2*4*3*8*4)
	}
	if len(info.Assumed()) != 0 {
		t.Errorf("assumed %v with every input fixed", info.Assumed())
	}
}
