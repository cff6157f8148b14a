package render

import (
	"io"
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
