package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sparse1GB writes a 1 GiB safetensors file of 256 F32 tensors (4 MiB each,
// named like a transformer's) whose data area is a hole: only the header
// is on disk.
func sparse1GB(b *testing.B) (path string, headerLen int) {
	b.Helper()
	hdr := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	const n, each = 256, 4 << 20
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("model.layers.%d.mlp.%s.weight", i/4, []string{"gate_proj", "up_proj", "down_proj", "o_proj"}[i%4])
		hdr[name] = map[string]any{"dtype": "F32", "shape": []int{1024, 1024}, "data_offsets": []int{i * each, (i + 1) * each}}
	}
	js, _ := json.Marshal(hdr)
	path = filepath.Join(b.TempDir(), "big.safetensors")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var lb [8]byte
	binary.LittleEndian.PutUint64(lb[:], uint64(len(js)))
	f.Write(lb[:])
	f.Write(js)
	if err := f.Truncate(int64(8 + len(js) + n*each)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path, len(js)
}

// peakRSS is the process's high-water resident set in MB (Linux).
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

func BenchmarkOpen1GB(b *testing.B) {
	path, _ := sparse1GB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := Open(path)
		if err != nil || len(m.Graphs[0].Initializers) != 256 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
}

// BenchmarkHeaderReadBaseline is the floor: open the file and read the
// header bytes, parsing nothing.
func BenchmarkHeaderReadBaseline(b *testing.B) {
	path, n := sparse1GB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 8+n)
		if _, err := f.ReadAt(buf, 0); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
