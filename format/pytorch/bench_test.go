package pytorch

import (
	"archive/zip"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// writeBigStateDict writes a torch.save-style zip (STORED entries, as
// torch writes them) holding n float32 tensors of rows×cols, all zeros.
func writeBigStateDict(b *testing.B, path string, n int, rows, cols int64) int64 {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var ts []fakeTensor
	for i := 0; i < n; i++ {
		ts = append(ts, fakeTensor{fmt.Sprintf("layers.%d.weight", i), "FloatStorage", fmt.Sprint(i), []int64{rows, cols}, nil})
	}
	zw := zip.NewWriter(f)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "big/data.pkl", Method: zip.Store})
	w.Write(stateDictPickle(ts))
	zeros := make([]byte, rows*cols*4)
	for i := 0; i < n; i++ {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("big/data/%d", i), Method: zip.Store})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(zeros); err != nil {
			b.Fatal(err)
		}
	}
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "big/version", Method: zip.Store})
	w.Write([]byte("3\n"))
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	return st.Size()
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024 // kB on Linux
}

// BenchmarkStateDict1GB lists a 1 GiB state_dict (256 tensors of
// 1024×1024 float32). The baseline reads the same file once (CRC32), the
// least any reader touching the weights would pay.
func BenchmarkStateDict1GB(b *testing.B) {
	p := filepath.Join(b.TempDir(), "big.pt")
	size := writeBigStateDict(b, p, 256, 1024, 1024)
	b.Run("open", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			m, err := Open(p)
			if err != nil {
				b.Fatal(err)
			}
			if len(m.Graphs[0].Initializers) != 256 {
				b.Fatal("wrong tensor count")
			}
		}
		b.ReportMetric(maxRSSMB(), "maxRSS-MB")
	})
	b.Run("baseline-read-all", func(b *testing.B) {
		b.SetBytes(size)
		buf := make([]byte, 1<<20)
		for i := 0; i < b.N; i++ {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			h := crc32.NewIEEE()
			if _, err := io.CopyBuffer(h, f, buf); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

// BenchmarkOpenTorchScript opens the scripted and traced MobileNetV3
// fixtures: zip listing, data.pkl, parsing every code file and building
// the inlined forward graph.
func BenchmarkOpenTorchScript(b *testing.B) {
	for _, name := range []string{"mobilenet_scripted.pt", "mobilenet_full.pt", "stripped/vit_b_16_traced.pt"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Open(filepath.Join("testdata", name)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStateDict20kTensors lists a state_dict of 20,000 small tensors
// (16×16 float32, 20 MB): per-tensor costs (pickle records, one local
// header read each) dominate.
func BenchmarkStateDict20kTensors(b *testing.B) {
	p := filepath.Join(b.TempDir(), "many.pt")
	writeBigStateDict(b, p, 20000, 16, 16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, err := Open(p)
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Graphs[0].Initializers) != 20000 {
			b.Fatal("wrong tensor count")
		}
	}
}
