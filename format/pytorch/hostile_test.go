package pytorch

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// pickleWriter emits the protocol-2 opcodes torch.save uses for a
// state_dict, so tests and benchmarks can build archives without python.
type pickleWriter struct{ bytes.Buffer }

func (w *pickleWriter) str(s string) {
	w.WriteByte('X')
	binary.Write(w, binary.LittleEndian, uint32(len(s)))
	w.WriteString(s)
}
func (w *pickleWriter) global(mod, name string) { w.WriteString("c" + mod + "\n" + name + "\n") }
func (w *pickleWriter) int(n int64) {
	w.WriteByte('J')
	binary.Write(w, binary.LittleEndian, int32(n))
}
func (w *pickleWriter) long(n int64) {
	w.WriteString("\x8a\x08")
	binary.Write(w, binary.LittleEndian, n)
}

type fakeTensor struct {
	name, storage, key string
	dims               []int64
	strides            []int64 // nil: contiguous
}

// stateDict writes OrderedDict{name: _rebuild_tensor_v2(storage, 0, dims, strides, False, OrderedDict())}.
func stateDictPickle(ts []fakeTensor) []byte {
	w := &pickleWriter{}
	w.WriteString("\x80\x02")
	w.global("collections", "OrderedDict")
	w.WriteString(")R(")
	for _, t := range ts {
		w.str(t.name)
		w.global("torch._utils", "_rebuild_tensor_v2")
		w.WriteString("((")
		w.str("storage")
		w.global("torch", t.storage)
		w.str(t.key)
		w.str("cpu")
		n := int64(1)
		for _, d := range t.dims {
			n *= d
		}
		w.long(n)
		w.WriteString("tQ")
		w.int(0)
		w.WriteByte('(')
		for _, d := range t.dims {
			w.long(d)
		}
		w.WriteString("t(")
		s := int64(1)
		strides := make([]int64, len(t.dims))
		for i := len(t.dims) - 1; i >= 0; i-- {
			strides[i] = s
			s *= t.dims[i]
		}
		if t.strides != nil {
			strides = t.strides
		}
		for _, st := range strides {
			w.long(st)
		}
		w.WriteString("t\x89")
		w.global("collections", "OrderedDict")
		w.WriteString(")RtR")
	}
	w.WriteString("u.")
	return w.Bytes()
}

type zipEntry struct {
	name string
	data []byte
	// raw, when set, is written as-is with the claimed sizes below.
	raw        []byte
	claim, crc uint32
	method     uint16
}

func writeArchive(t testing.TB, path string, entries []zipEntry) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		if e.raw != nil {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc,
				CompressedSize64: uint64(len(e.raw)), UncompressedSize64: uint64(e.claim)})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.raw)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// deflateZeros makes a raw deflate stream inflating to about mb MiB of
// zeros without compressing that much: one flushed block is repeated.
func deflateZeros(mb int) []byte {
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	zw.Write(zeros)
	zw.Flush()
	head := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	zw.Write(zeros)
	zw.Flush()
	chunk := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	zw.Close()
	tail := buf.Bytes()
	out := append([]byte(nil), head...)
	for i := 1; i < mb; i++ {
		out = append(out, chunk...)
	}
	return append(out, tail...)
}

func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func TestZipBomb(t *testing.T) {
	dir := t.TempDir()
	pkl := stateDictPickle([]fakeTensor{{"w", "FloatStorage", "0", []int64{64 << 20}, nil}})
	bomb := deflateZeros(256)

	// Storages that are deflate bombs: listing must not touch them.
	p := filepath.Join(dir, "storage_bomb.pt")
	writeArchive(t, p, []zipEntry{{name: "a/data.pkl", data: pkl},
		{name: "a/data/0", raw: bomb, claim: 256 << 20, crc: 0}, {name: "a/version", data: []byte("3\n")}})
	var err error
	var n uint64
	n = allocated(func() {
		m, e := Open(p)
		err = e
		if e == nil && m.Graphs[0].Initializers[0].Initializer.NumElements() != 64<<20 {
			t.Error("wrong tensor size")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n > 4<<20 {
		t.Errorf("opening allocated %d bytes: a storage was inflated", n)
	}

	// data.pkl claiming a terabyte is refused before inflating.
	p = filepath.Join(dir, "claims.pt")
	writeArchive(t, p, []zipEntry{{name: "a/data.pkl", raw: bomb, claim: 0xffffffff}})
	n = allocated(func() { _, err = Open(p) })
	if err == nil || !strings.Contains(err.Error(), "claims") {
		t.Errorf("huge data.pkl claim: %v", err)
	}
	if n > 4<<20 {
		t.Errorf("refusing allocated %d bytes", n)
	}

	// data.pkl claiming 100 bytes but inflating to 256 MiB stops early.
	p = filepath.Join(dir, "lies.pt")
	writeArchive(t, p, []zipEntry{{name: "a/data.pkl", raw: bomb, claim: 100}})
	n = allocated(func() { _, err = Open(p) })
	if err == nil {
		t.Error("lying data.pkl opened")
	}
	if n > 4<<20 {
		t.Errorf("lying data.pkl: allocated %d bytes", n)
	}
}

const marker = "/tmp/modelviz-pickle-pwned"

func TestMaliciousPickles(t *testing.T) {
	os.Remove(marker)
	dir := t.TempDir()
	// Hand-written: STACK_GLOBAL builtins.exec beside a real tensor.
	mixed := stateDictPickle([]fakeTensor{{"w", "FloatStorage", "0", []int64{2}, nil}})
	mixed = mixed[:len(mixed)-2] // drop SETITEMS and STOP
	var w pickleWriter
	w.Write(mixed)
	w.str("evil")
	w.str("builtins")
	w.str("exec")
	w.WriteByte(0x93)
	w.str("open('" + marker + "', 'w')")
	w.WriteString("\x85Ru.")
	p := filepath.Join(dir, "exec.pt")
	writeArchive(t, p, []zipEntry{{name: "x/data.pkl", data: w.Bytes()}, {name: "x/data/0", data: make([]byte, 8)}})

	only := "\x80\x02cos\nsystem\nX\x1c\x00\x00\x00touch /tmp/modelviz-pickle-pwned\x85R."
	only = strings.Replace(only, "\x1c", string(rune(len("touch "+marker))), 1)
	q := filepath.Join(dir, "system.pt")
	writeArchive(t, q, []zipEntry{{name: "x/data.pkl", data: []byte(only)}})

	cases := []struct {
		file, unsafe string
		fails        bool
	}{
		{p, "builtins.exec", false},
		{q, "os.system", true},
		{"testdata/evil_mixed.pt", "posix.system", false},
		{"testdata/evil_only.pt", "posix.system", true},
		{"testdata/evil_legacy.pt", "posix.system", false},
	}
	for _, c := range cases {
		m, err := Open(c.file)
		if c.fails {
			if err == nil || !strings.Contains(err.Error(), "unsafe pickle: references "+c.unsafe) {
				t.Errorf("%s: error %v", c.file, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if len(m.Warnings) == 0 || !strings.Contains(m.Warnings[0], c.unsafe) {
			t.Errorf("%s: warnings %q", c.file, m.Warnings)
		}
		if len(m.Graphs[0].Initializers) != 1 || m.Graphs[0].Initializers[0].Name != "w" {
			t.Errorf("%s: tensors not listed", c.file)
		}
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a pickle payload ran")
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile("testdata/legacy.pt")
	cases := map[string][]byte{
		"truncated_legacy":  good[:len(good)/2],
		"legacy_magic_only": legacyMagic,
		"zip_no_pkl":        nil,
		"tar":               append(append([]byte("pickle"), make([]byte, 251)...), []byte("ustar\x0000")...),
	}
	z := filepath.Join(dir, "zip_no_pkl")
	writeArchive(t, z, []zipEntry{{name: "a/other", data: []byte("x")}})
	for name, data := range cases {
		p := filepath.Join(dir, name)
		if data != nil {
			if len(data) < 512 {
				data = append(data, make([]byte, 512-len(data))...)
			}
			os.WriteFile(p, data, 0o644)
		}
		if _, err := Open(p); err == nil {
			t.Errorf("%s: opened", name)
		} else if name == "tar" && !strings.Contains(err.Error(), "old tar format") {
			t.Errorf("tar: %v", err)
		}
	}
	// A storage table lying about its size: the model opens, the tensor
	// carries a warning and no loader.
	bad := append([]byte(nil), good...)
	legacyBig := filepath.Join(dir, "lying_table.pt")
	pos := legacyStorageStart(t, good)
	binary.LittleEndian.PutUint64(bad[pos:], 1<<60)
	os.WriteFile(legacyBig, bad, 0o644)
	m, err := Open(legacyBig)
	if err != nil {
		t.Fatalf("lying storage table: %v", err)
	}
	if len(m.Warnings) == 0 {
		t.Error("no warning for a lying storage table")
	}
	for _, v := range m.Graphs[0].Initializers {
		if v.Initializer.Loader != nil {
			t.Errorf("%s has a loader despite the bad table", v.Name)
		}
	}
}

// legacyStorageStart finds the first storage count: after five pickles.
func legacyStorageStart(t *testing.T, data []byte) int {
	t.Helper()
	pos := 0
	for i := 0; i < 5; i++ {
		j := bytes.IndexByte(data[pos:], '.')
		for j >= 0 {
			// Find a STOP that ends a loadable pickle.
			if _, err := loadPrefix(data[pos : pos+j+1]); err == nil {
				break
			}
			k := bytes.IndexByte(data[pos+j+1:], '.')
			if k < 0 {
				j = -1
				break
			}
			j += k + 1
		}
		if j < 0 {
			t.Fatal("cannot find pickle ends")
		}
		pos += j + 1
	}
	return pos
}

func loadPrefix(b []byte) (any, error) {
	res, err := pickleLoad(b)
	if err != nil {
		return nil, err
	}
	if res != int64(len(b)) {
		return nil, errors.New("short")
	}
	return nil, nil
}

func TestBigEndianAndExtras(t *testing.T) {
	// byteorder "big": loaders return little-endian bytes.
	var w pickleWriter
	pkl := stateDictPickle([]fakeTensor{{"a.w", "FloatStorage", "0", []int64{2}, nil}})
	w.Write(pkl[:len(pkl)-2])
	w.str("a._extra_state") // a non-tensor entry, as some libraries save
	w.WriteString("N")
	w.WriteString("u.")
	p := filepath.Join(t.TempDir(), "be.pt")
	writeArchive(t, p, []zipEntry{{name: "be/data.pkl", data: w.Bytes()},
		{name: "be/byteorder", data: []byte("big")},
		{name: "be/data/0", data: []byte{0x3f, 0x80, 0, 0, 0x40, 0, 0, 0}}})
	m, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "state_dict" {
		t.Errorf("kind %q", m.Kind)
	}
	b, err := m.Graphs[0].Initializers[0].Initializer.Load()
	if err != nil || !bytes.Equal(b, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}) {
		t.Errorf("big-endian load: % x %v", b, err)
	}
}

func TestHostileNames(t *testing.T) {
	// A key with 200,000 dots: linear time, module depth capped.
	long := strings.Repeat("a.", 200000) + "w"
	pkl := stateDictPickle([]fakeTensor{{long, "FloatStorage", "0", []int64{1}, nil},
		// Zero strides over 2^62 elements: no length overflow, no loader.
		{"zero", "FloatStorage", "0", []int64{1 << 31, 1 << 31}, []int64{0, 0}}})
	p := filepath.Join(t.TempDir(), "names.pt")
	writeArchive(t, p, []zipEntry{{name: "n/data.pkl", data: pkl}, {name: "n/data/0", data: make([]byte, 4)}})
	m, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for mod := m.Modules; len(mod.Children) > 0; mod = mod.Children[0] {
		depth++
	}
	if depth > maxModuleDepth {
		t.Errorf("module tree %d deep", depth)
	}
	for _, v := range m.Graphs[0].Initializers {
		if v.Name == "zero" && (v.Initializer.Loader != nil || v.Initializer.Warning == "") {
			t.Errorf("zero-stride 2^62-element tensor: loader %v warning %q", v.Initializer.Loader != nil, v.Initializer.Warning)
		}
	}
}

// TestLegacyStorageView builds a legacy file by hand whose tensor uses an
// old-style storage view ('view_key', offset, size): the tensor reads the
// root storage from the view's offset.
func TestLegacyStorageView(t *testing.T) {
	var f bytes.Buffer
	f.Write(legacyMagic)
	f.WriteString(".")
	f.WriteString("\x80\x02M\xe9\x03.") // protocol 1001
	f.WriteString("\x80\x02}(X\x0d\x00\x00\x00little_endian\x88u.")
	var w pickleWriter
	w.WriteString("\x80\x02}(")
	w.str("v")
	w.global("torch._utils", "_rebuild_tensor_v2")
	w.WriteString("((")
	w.str("storage")
	w.global("torch", "FloatStorage")
	w.str("root")
	w.str("cpu")
	w.long(6) // root storage: 6 floats
	w.WriteString("(")
	w.str("view")
	w.long(2) // the view starts at element 2
	w.long(3) // and has 3 elements
	w.WriteString("ttQ")
	w.int(0)
	w.WriteString("(")
	w.long(3)
	w.WriteString("t(")
	w.long(1)
	w.WriteString("t\x89")
	w.global("collections", "OrderedDict")
	w.WriteString(")RtRu.")
	f.Write(w.Bytes())
	f.WriteString("\x80\x02]X\x04\x00\x00\x00roota.") // storage keys
	binary.Write(&f, binary.LittleEndian, int64(6))
	for i := 0; i < 6; i++ {
		binary.Write(&f, binary.LittleEndian, float32(i))
	}
	p := filepath.Join(t.TempDir(), "view.pt")
	os.WriteFile(p, f.Bytes(), 0o644)
	m, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	v := m.Graphs[0].Initializers[0]
	b, err := v.Initializer.Load()
	if err != nil {
		t.Fatalf("%s: %v (warning %q)", v.Name, err, v.Initializer.Warning)
	}
	var got [3]float32
	binary.Read(bytes.NewReader(b), binary.LittleEndian, &got)
	if got != [3]float32{2, 3, 4} {
		t.Errorf("view read %v, want [2 3 4]", got)
	}
}
