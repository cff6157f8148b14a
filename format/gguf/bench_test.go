package gguf

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sparseModel writes a GGUF v3 file shaped like a real LLM: llama metadata,
// a 32000-token vocabulary (tokens, scores, types) and 1000 Q4_K tensors of
// 1024×1024, whose data area (590 MB) is a hole on disk.
func sparseModel(b *testing.B) (path string, headerLen int) {
	b.Helper()
	h := head(3, 1000, 6)
	h.str("general.architecture").u32(tString).str("llama")
	h.str("general.name").u32(tString).str("bench")
	h.str("llama.block_count").u32(tUint32).u32(100)
	h.str("tokenizer.ggml.tokens").u32(tArray).u32(tString).u64(32000)
	for i := 0; i < 32000; i++ {
		h.str("tok" + strconv.Itoa(i))
	}
	h.str("tokenizer.ggml.scores").u32(tArray).u32(tFloat32).u64(32000)
	h.Write(make([]byte, 4*32000))
	h.str("tokenizer.ggml.token_type").u32(tArray).u32(tInt32).u64(32000)
	h.Write(make([]byte, 4*32000))
	const size = 1024 * 1024 / 256 * 144
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("blk.%d.%s.weight", i/10, []string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "ffn_norm", "attn_norm", "extra"}[i%10])
		h.tensor(name, 12, uint64(i*size), 1024, 1024)
	}
	hdr := h.padded(0)
	path = filepath.Join(b.TempDir(), "big.gguf")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	f.Write(hdr)
	if err := f.Truncate(int64(len(hdr) + 1000*size)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path, len(hdr)
}

func peakRSS() float64 {
	s, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(s), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

func BenchmarkOpen1000Tensors(b *testing.B) {
	path, _ := sparseModel(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := Open(path)
		if err != nil || len(m.Graphs[0].Initializers) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
}

// BenchmarkHeaderReadBaseline reads the same header bytes without parsing:
// the I/O floor.
func BenchmarkHeaderReadBaseline(b *testing.B) {
	path, n := sparseModel(b)
	b.SetBytes(int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, 0); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
