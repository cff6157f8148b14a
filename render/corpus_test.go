package render

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/view"
)

// Golden pictures are drawn from scenes stored in testdata, so they test
// the renderer alone and do not change when the layout engine improves;
// -update lays the models out again and rewrites scene and picture.
var goldenModels = []string{"iris.onnx", "small_cnn_opset17.onnx", "two_inputs_two_outputs.onnx", "control_flow.onnx"}

func TestCorpusGolden(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			sp := filepath.Join("testdata", name+".scene.json")
			var s *view.Scene
			if *update {
				s = corpusScene(t, name, false)
				js, err := json.MarshalIndent(s, "", " ")
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(sp, js, 0o644)
			} else {
				js, err := os.ReadFile(sp)
				if err != nil {
					t.Fatal(err)
				}
				s = new(view.Scene)
				if err := json.Unmarshal(js, s); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := SVG(&buf, s, Options{}); err != nil {
				t.Fatal(err)
			}
			wellFormedXML(t, buf.Bytes())
			golden(t, name+".svg", buf.Bytes())
		})
	}
}

// The live pipeline on iris: what the issue asks the picture to show.
func TestIrisSVG(t *testing.T) {
	s := corpusScene(t, "iris.onnx", false)
	var buf bytes.Buffer
	if err := SVG(&buf, s, Options{}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if n := strings.Count(svg, ">Gemm</text>"); n != 2 {
		t.Errorf("Gemm drawn %d times, want 2", n)
	}
	for _, want := range []string{">Relu</text>", ">features</text>", ">logits</text>", ">8×4</text>", ">45×4</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("iris SVG lacks %s", want)
		}
	}
}

// corpusModels lists every model file in the shared corpus.
func corpusModels(t *testing.T) []string {
	dir := testutil.CorpusDir(t)
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".md", ".bin", ".txt", ".data":
			return nil
		}
		out = append(out, p)
		return nil
	})
	return out
}

// Every corpus model that opens renders, flat and at default depth, in
// every format.
func TestCorpusRenders(t *testing.T) {
	models := corpusModels(t)
	if len(models) < 100 {
		t.Fatalf("only %d corpus models found", len(models))
	}
	rendered := 0
	for _, p := range models {
		rel := strings.TrimPrefix(p, testutil.CorpusDir(t)+string(filepath.Separator))
		m, err := registry.Open(p)
		if err != nil {
			t.Logf("%s: skipped, does not open: %v", rel, err)
			continue
		}
		info := analysis.Analyze(m, analysis.Options{})
		g := view.Build(m, info)
		for _, flat := range []bool{false, true} {
			opt := view.DefaultOptions(g)
			if flat {
				opt.Depth = -1
			}
			s, err := g.Layout(opt)
			if err != nil {
				t.Errorf("%s flat=%v: layout: %v", rel, flat, err)
				continue
			}
			formats := []Format{FormatSVG}
			if !flat {
				// The other formats once per model keep the test short.
				formats = append(formats, FormatPNG, FormatPDF, FormatDOT, FormatHTML)
			}
			for _, f := range formats {
				var buf bytes.Buffer
				opt := Options{Scale: 1, Details: ModelDetails(m, info)}
				if err := Write(&buf, s, f, opt); err != nil {
					t.Errorf("%s flat=%v %v: %v", rel, flat, f, err)
					continue
				}
				switch f {
				case FormatSVG:
					if len(s.Nodes) < 400 {
						wellFormedXML(t, buf.Bytes())
					}
				case FormatPNG:
					if _, err := png.DecodeConfig(&buf); err != nil {
						t.Errorf("%s: PNG does not decode: %v", rel, err)
					}
				case FormatPDF:
					if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || len(pageRE.FindAll(buf.Bytes(), -1)) < 1 {
						t.Errorf("%s: bad PDF", rel)
					}
				case FormatDOT:
					if d := buf.String(); strings.Count(d, "{") != strings.Count(d, "}") || strings.Count(d, "[label=<") != len(s.Nodes) {
						t.Errorf("%s: DOT has unbalanced braces or wrong node count", rel)
					}
				case FormatHTML:
					checkSelfContained(t, buf.String())
				}
			}
		}
		rendered++
	}
	t.Logf("rendered %d of %d corpus files", rendered, len(models))
	if rendered < 100 {
		t.Errorf("only %d corpus models rendered", rendered)
	}
}
