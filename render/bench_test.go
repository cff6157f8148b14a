package render

import (
	"fmt"
	"image/png"
	"io"
	"math"
	"testing"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/view"
)

// corpusScene lays out a corpus model as `modelviz render` does.
func corpusScene(tb testing.TB, name string, flat bool) *view.Scene {
	tb.Helper()
	m, err := registry.Open(testutil.Corpus(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	info := analysis.Analyze(m, analysis.Options{})
	g := view.Build(m, info)
	opt := view.DefaultOptions(g)
	if flat {
		opt.Depth = -1
	}
	s, err := g.Layout(opt)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func benchFormat(b *testing.B, name string, flat bool, f Format, scale float64) {
	s := corpusScene(b, name, flat)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Write(io.Discard, s, f, Options{Scale: scale}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGPTFlatSVG(b *testing.B)  { benchFormat(b, "gpt_decoder_48l.onnx", true, FormatSVG, 0) }
func BenchmarkGPTFlatPNG(b *testing.B)  { benchFormat(b, "gpt_decoder_48l.onnx", true, FormatPNG, 0) }
func BenchmarkGPTFlatPDF(b *testing.B)  { benchFormat(b, "gpt_decoder_48l.onnx", true, FormatPDF, 0) }
func BenchmarkGPTFlatHTML(b *testing.B) { benchFormat(b, "gpt_decoder_48l.onnx", true, FormatHTML, 0) }
func BenchmarkGPTSVG(b *testing.B)      { benchFormat(b, "gpt_decoder_48l.onnx", false, FormatSVG, 0) }
func BenchmarkGPTPNG(b *testing.B)      { benchFormat(b, "gpt_decoder_48l.onnx", false, FormatPNG, 0) }
func BenchmarkTinyTransformerPNG(b *testing.B) {
	benchFormat(b, "tiny_transformer.onnx", false, FormatPNG, 0)
}

// BenchmarkPNGEncode compares our encoder with image/png on the same
// picture (tiny_transformer's default view at scale 1).
func BenchmarkPNGEncode(b *testing.B) {
	s := corpusScene(b, "tiny_transformer.onnx", false)
	img, err := Raster(s, &Options{Scale: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			encodePNG(io.Discard, img)
		}
	})
	b.Run("image-png-BestSpeed", func(b *testing.B) {
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		for i := 0; i < b.N; i++ {
			enc.Encode(io.Discard, img)
		}
	})
}

// synthScene is a grid of n boxes, each fed by the one above it and its
// left neighbour, with shape labels: the layout engine's 100k-node case.
func synthScene(n int) *view.Scene {
	const cols = 100
	s := &view.Scene{Direction: "TB"}
	for i := 0; i < n; i++ {
		x, y := float64(i%cols)*160, float64(i/cols)*90
		s.Nodes = append(s.Nodes, view.Box{ID: fmt.Sprint("n", i), Label: "Conv", Kind: "op", Category: "layer",
			X: x, Y: y, W: 110, H: 58, Rows: []view.Row{{Key: "W", Value: "64×64×3×3"}, {Key: "B", Value: "64"}}})
		if i >= cols {
			s.Edges = append(s.Edges, view.Edge{From: fmt.Sprint("n", i-cols), To: fmt.Sprint("n", i), Label: "1×64×56×56",
				Points: [][2]float64{{x + 55, y - 32}, {x + 55, y}}, LabelX: x + 100, LabelY: y - 16})
		}
		s.Width, s.Height = math.Max(s.Width, x+110), math.Max(s.Height, y+58)
	}
	return s
}

func BenchmarkSynth100kSVG(b *testing.B) {
	s := synthScene(100000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		SVG(io.Discard, s, Options{})
	}
}

func BenchmarkSynth100kPNG(b *testing.B) {
	s := synthScene(100000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		PNG(io.Discard, s, Options{})
	}
}
