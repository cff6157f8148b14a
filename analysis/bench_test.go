package analysis

import (
	"testing"

	"github.com/modelviz/modelviz/format/onnx"
	"github.com/modelviz/modelviz/internal/testutil"
)

// BenchmarkOpenGPT is the same-run baseline for BenchmarkAnalyzeGPT:
// reading the structure of gpt_decoder_48l.onnx (5,831 nodes).
func BenchmarkOpenGPT(b *testing.B) {
	path := testutil.Corpus(b, "gpt_decoder_48l.onnx")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := onnx.Open(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeGPT: shapes (with folding of every Shape→Gather→Concat
// →Reshape chain), costs, group sums and peak memory of gpt_decoder_48l.
func BenchmarkAnalyzeGPT(b *testing.B) {
	m, err := onnx.Open(testutil.Corpus(b, "gpt_decoder_48l.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Analyze(m, Options{})
	}
}

// BenchmarkAnalyzeSqueezeNet: a CNN with fixed shapes (83 nodes).
func BenchmarkAnalyzeSqueezeNet(b *testing.B) {
	m, err := onnx.Open(testutil.Corpus(b, "squeezenet1_1.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Analyze(m, Options{})
	}
}
