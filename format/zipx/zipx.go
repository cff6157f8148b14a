// Package zipx lists zip archives (torch.save files, TorchScript archives,
// .pt2) without inflating anything, and reads small entries with a hard cap.
// Both the PyTorch and the torch.export readers use it.
package zipx

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Magic is the local file header signature every zip starts with.
var Magic = []byte("PK\x03\x04")

// IsZip reports whether head starts like a zip archive.
func IsZip(head []byte) bool { return bytes.HasPrefix(head, Magic) }

// FirstName returns the name of the first local file header in head, so a
// Probe can tell zip-based formats apart from the first 4 KiB alone.
func FirstName(head []byte) (string, bool) {
	if !IsZip(head) || len(head) < 30 {
		return "", false
	}
	n := int(binary.LittleEndian.Uint16(head[26:28]))
	if 30+n > len(head) {
		return "", false
	}
	return string(head[30 : 30+n]), true
}

// Entry is one member of an archive.
type Entry struct {
	Name             string
	Method           uint16 // zip.Store or zip.Deflate, ...
	CompressedSize   int64
	UncompressedSize int64
	f                *zip.File
}

// Stored reports whether the entry's bytes lie uncompressed in the file.
func (e *Entry) Stored() bool { return e.Method == zip.Store }

// Archive is an open zip file. Close it when done.
type Archive struct {
	Path    string
	Entries []*Entry
	byName  map[string]*Entry
	file    *os.File
	size    int64
}

// MaxEntries bounds the central directory we accept.
const MaxEntries = 1 << 20

// Open reads the central directory only.
func Open(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bad zip archive: %v", err)
	}
	if len(zr.File) > MaxEntries {
		f.Close()
		return nil, fmt.Errorf("zip archive has %d entries (limit %d)", len(zr.File), MaxEntries)
	}
	a := &Archive{Path: path, file: f, size: st.Size(), byName: make(map[string]*Entry, len(zr.File))}
	for _, zf := range zr.File {
		e := &Entry{Name: zf.Name, Method: zf.Method, f: zf,
			CompressedSize: int64(zf.CompressedSize64), UncompressedSize: int64(zf.UncompressedSize64)}
		if e.CompressedSize < 0 || e.UncompressedSize < 0 {
			f.Close()
			return nil, fmt.Errorf("zip entry %q: size out of range", zf.Name)
		}
		a.Entries = append(a.Entries, e)
		if _, dup := a.byName[e.Name]; !dup {
			a.byName[e.Name] = e
		}
	}
	return a, nil
}

// Entries lists the members of the zip at path without reading any data.
func Entries(path string) ([]*Entry, error) {
	a, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.Entries, nil
}

// Close releases the file.
func (a *Archive) Close() error { return a.file.Close() }

// Size is the archive's size in bytes.
func (a *Archive) Size() int64 { return a.size }

// Lookup finds an entry by exact name (first one wins on duplicates).
func (a *Archive) Lookup(name string) *Entry { return a.byName[name] }

// DataOffset is where a stored entry's bytes start in the file. It reads
// only the entry's 30-byte local header.
func (a *Archive) DataOffset(e *Entry) (int64, error) {
	off, err := e.f.DataOffset()
	if err != nil {
		return 0, fmt.Errorf("zip entry %q: %v", e.Name, err)
	}
	if off < 0 || off > a.size || e.CompressedSize > a.size-off {
		return 0, fmt.Errorf("zip entry %q lies outside the file", e.Name)
	}
	return off, nil
}

// ErrTooLarge is returned when an entry exceeds the caller's cap.
var ErrTooLarge = errors.New("zip entry too large")

// ReadAll reads an entry fully, refusing anything that claims or inflates
// to more than max bytes: a deflate bomb stops after max+1 bytes.
func (a *Archive) ReadAll(e *Entry, max int64) ([]byte, error) {
	if e.UncompressedSize > max {
		return nil, fmt.Errorf("%w: %q claims %d bytes (limit %d)", ErrTooLarge, e.Name, e.UncompressedSize, max)
	}
	rc, err := e.f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip entry %q: %v", e.Name, err)
	}
	defer rc.Close()
	// The claimed size is only a hint, trusted as far as the stored bytes
	// could inflate (deflate's best ratio is 1032:1).
	hint := min(e.UncompressedSize, e.CompressedSize*1032+64, max)
	w := bytes.NewBuffer(make([]byte, 0, hint+1))
	n, err := io.Copy(w, io.LimitReader(rc, max+1))
	if err != nil {
		return nil, fmt.Errorf("zip entry %q: %v", e.Name, err)
	}
	if n > max {
		return nil, fmt.Errorf("%w: %q inflates past %d bytes", ErrTooLarge, e.Name, max)
	}
	return w.Bytes(), nil
}

// ReadAt reads a stored entry's bytes [off, off+n) straight from the file.
func (a *Archive) ReadAt(e *Entry, off, n int64) ([]byte, error) {
	if !e.Stored() {
		return nil, fmt.Errorf("zip entry %q is compressed", e.Name)
	}
	if off < 0 || n < 0 || off > e.UncompressedSize || n > e.UncompressedSize-off {
		return nil, fmt.Errorf("zip entry %q: range %d+%d outside its %d bytes", e.Name, off, n, e.UncompressedSize)
	}
	base, err := a.DataOffset(e)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if _, err := a.file.ReadAt(buf, base+off); err != nil {
		return nil, fmt.Errorf("zip entry %q: %v", e.Name, err)
	}
	return buf, nil
}
