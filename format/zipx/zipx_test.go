package zipx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeZip(t *testing.T, files []struct {
	name   string
	data   []byte
	method uint16
}) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, fl := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fl.name, Method: fl.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(fl.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestListAndRead(t *testing.T) {
	bomb := bytes.Repeat([]byte{0}, 8<<20)
	p := writeZip(t, []struct {
		name   string
		data   []byte
		method uint16
	}{
		{"arc/data.pkl", []byte("hello"), zip.Store},
		{"arc/data/0", bomb, zip.Deflate},
	})
	head, _ := os.ReadFile(p)
	if name, ok := FirstName(head); !ok || name != "arc/data.pkl" {
		t.Fatalf("FirstName = %q %v", name, ok)
	}
	a, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if len(a.Entries) != 2 || a.Entries[1].UncompressedSize != 8<<20 || a.Entries[1].Stored() {
		t.Fatalf("entries: %+v", a.Entries)
	}
	b, err := a.ReadAt(a.Lookup("arc/data.pkl"), 1, 3)
	if err != nil || string(b) != "ell" {
		t.Fatalf("ReadAt = %q %v", b, err)
	}
	if _, err := a.ReadAt(a.Lookup("arc/data.pkl"), 3, 3); err == nil {
		t.Fatal("ReadAt past the end succeeded")
	}
	if _, err := a.ReadAll(a.Lookup("arc/data/0"), 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("bomb read: %v", err)
	}
	if _, err := a.ReadAt(a.Lookup("arc/data/0"), 0, 1); err == nil {
		t.Fatal("ReadAt on a compressed entry succeeded")
	}
}
