package onnx

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/modelviz/modelviz/format/onnx/onnxtest"
	"github.com/modelviz/modelviz/internal/testutil"
)

// BenchmarkOpen opens corpus models from disk (mmap + walk + link).
// MB/s is file bytes per second.
func BenchmarkOpen(b *testing.B) {
	for _, name := range []string{"gpt_decoder_48l.onnx", "mobilenet_v3_small.onnx", "tiny_transformer.onnx"} {
		path := testutil.Corpus(b, name)
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(st.Size())
			for b.Loop() {
				if _, err := Open(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseStructure walks gpt_decoder_48l.onnx already in memory:
// the structure-parsing throughput without file system costs.
func BenchmarkParseStructure(b *testing.B) {
	path := testutil.Corpus(b, "gpt_decoder_48l.onnx")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parse(data, path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineReadFile is the baseline: os.ReadFile of the same file,
// which only copies the bytes.
func BenchmarkBaselineReadFile(b *testing.B) {
	path := testutil.Corpus(b, "gpt_decoder_48l.onnx")
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// writeExternal2GB writes a model whose 256 initializers of 8 MiB each
// live in weights.bin, a sparse 2 GiB file.
func writeExternal2GB(tb testing.TB, dir string) string {
	const n, rows, cols = 256, 2048, 1024
	size := int64(rows * cols * 4)
	fields := []onnxtest.Msg{onnxtest.Input(onnxtest.ValueInfo("x", 1, 1, rows))}
	prev := "x"
	for i := 0; i < n; i++ {
		w := fmt.Sprintf("layer%d.weight", i)
		fields = append(fields, onnxtest.Initializer(onnxtest.Tensor(w, 1, []int64{rows, cols},
			onnxtest.External("weights.bin", int64(i)*size, size))))
		out := fmt.Sprintf("/layer%d/MatMul_output_0", i)
		fields = append(fields, onnxtest.Node("MatMul", fmt.Sprintf("/layer%d/MatMul", i), []string{prev, w}, []string{out}))
		prev = out
	}
	fields = append(fields, onnxtest.Output(onnxtest.ValueInfo(prev, 1, 1, cols)))
	path := filepath.Join(dir, "big.onnx")
	if err := os.WriteFile(path, onnxtest.Model(onnxtest.Graph("big", fields...)), 0o644); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "weights.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.Truncate(n * size); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

// BenchmarkOpenExternal2GB opens a model with 2 GiB of external weights.
// peak-RSS-MB is measured in a child process that only opens the model.
func BenchmarkOpenExternal2GB(b *testing.B) {
	path := writeExternal2GB(b, b.TempDir())
	m, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	for _, v := range m.Graphs[0].Initializers {
		if v.Initializer.Warning != "" || v.Initializer.Loader == nil {
			b.Fatal(v.Initializer.Warning)
		}
		total += v.Initializer.Length
	}
	if total != 1<<31 {
		b.Fatalf("external bytes %d", total)
	}
	for b.Loop() {
		if _, err := Open(path); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportChildRSS(b, path)
}

// writeEmbedded writes a model whose n initializers of size bytes each are
// raw_data inside the model file. The data regions are holes (the file is
// sparse), so the benchmark writes only the structure.
func writeEmbedded(tb testing.TB, dir string, n int, size int64) string {
	type M = onnxtest.Msg
	var headers []M
	graphLen := 0
	start := M{}.Str(2, "embedded").Bytes(11, onnxtest.ValueInfo("x", 1, 1, 1024))
	graphLen += len(start)
	for i := 0; i < n; i++ {
		th := M{}.Varint(1, uint64(size/4/1024)).Varint(1, 1024).Varint(2, 1).Str(8, fmt.Sprintf("w%d", i))
		th = protowire.AppendVarint(protowire.AppendTag(th, 9, protowire.BytesType), uint64(size))
		h := protowire.AppendVarint(protowire.AppendTag(nil, 5, protowire.BytesType), uint64(len(th))+uint64(size))
		h = append(h, th...)
		headers = append(headers, h)
		graphLen += len(h) + int(size)
	}
	model := M{}.Varint(1, 8).Bytes(8, M{}.Str(1, "").Varint(2, 17))
	model = protowire.AppendVarint(protowire.AppendTag(model, 7, protowire.BytesType), uint64(graphLen))
	path := filepath.Join(dir, "embedded.onnx")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	total := int64(len(model) + graphLen)
	f.Write(model)
	f.Write(start)
	for _, h := range headers {
		f.Write(h)
		if _, err := f.Seek(size, io.SeekCurrent); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Truncate(total); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkOpenEmbedded1536MB opens a model holding 1.5 GiB of raw_data
// in the file itself: the memory map is walked, the weights' pages are
// never touched.
func BenchmarkOpenEmbedded1536MB(b *testing.B) {
	path := writeEmbedded(b, b.TempDir(), 192, 8<<20)
	m, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(m.Graphs[0].Initializers); n != 192 || m.Graphs[0].Initializers[0].Initializer.Location != "embedded" {
		b.Fatalf("%d initializers", n)
	}
	for b.Loop() {
		if _, err := Open(path); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportChildRSS(b, path)
}

// reportChildRSS opens path in a child process and reports its peak RSS.
func reportChildRSS(b *testing.B, path string) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpenRSS$")
	cmd.Env = append(os.Environ(), "MODELVIZ_ONNX_RSS_MODEL="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("helper: %v %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		var before, after float64
		if n, _ := fmt.Sscanf(line, "rss-kb %f %f", &before, &after); n == 2 {
			b.ReportMetric(after/1024, "peak-RSS-MB")
			b.ReportMetric(before/1024, "baseline-RSS-MB")
		}
	}
}

// TestHelperOpenRSS is the child process of BenchmarkOpenExternal2GB.
func TestHelperOpenRSS(t *testing.T) {
	path := os.Getenv("MODELVIZ_ONNX_RSS_MODEL")
	if path == "" {
		t.Skip("only run by BenchmarkOpenExternal2GB")
	}
	before := procStatus(t, "VmHWM")
	if _, err := Open(path); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("rss-kb %d %d\n", before, procStatus(t, "VmHWM"))
}

func procStatus(t *testing.T, key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
