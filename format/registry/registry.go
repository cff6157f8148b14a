// Package registry is the one ordered list of model formats. Open finds the
// format of a file by its first bytes (then its extension) and wraps every
// failure in an *Error naming the file.
package registry

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelviz/modelviz/format/dot"
	"github.com/modelviz/modelviz/format/gguf"
	"github.com/modelviz/modelviz/format/onnx"
	"github.com/modelviz/modelviz/format/pt2"
	"github.com/modelviz/modelviz/format/pytorch"
	"github.com/modelviz/modelviz/format/safetensors"
	"github.com/modelviz/modelviz/model"
)

// Format is one reader.
type Format struct {
	Name string
	Exts []string // lower case, with dot
	// Probe reports whether head (up to 4 KiB of the file's start) is this
	// format. It must not read anything else.
	Probe func(head []byte) bool
	// Open reads the structure of the file. Weights stay on disk.
	Open func(path string) (*model.Model, error)
}

// formats is tried in order; the first Probe to accept wins.
var formats = []Format{
	{Name: "gguf", Exts: []string{".gguf"}, Probe: gguf.Probe, Open: gguf.Open},
	{Name: "safetensors", Exts: []string{".safetensors"}, Probe: func(h []byte) bool { return safetensors.Probe(h) || safetensors.ProbeIndex(h) }, Open: safetensors.Open},
	// pt2 before pytorch: both are zips; pt2.Probe decides by the first
	// member's name.
	{Name: "pt2", Exts: []string{".pt2"}, Probe: pt2.Probe, Open: pt2.Open},
	{Name: "pytorch", Exts: pytorch.Exts, Probe: pytorch.Probe, Open: pytorch.Open},
	{Name: "onnx", Exts: []string{".onnx"}, Probe: onnx.Probe, Open: onnx.Open},
	{Name: "dot", Exts: dot.Exts, Probe: dot.Probe, Open: dot.Open},
}

// Formats returns the list, for help texts.
func Formats() []Format { return formats }

// Error is a failure to open a model file. Error() is one line:
// "FILE: problem".
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return e.Path + ": " + oneLine(e.Err.Error()) }
func (e *Error) Unwrap() error { return e.Err }

// ErrUnknownFormat is wrapped when no reader accepts the file.
var ErrUnknownFormat = errors.New("not a model file modelviz can read")

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

// Open opens path with the first format that accepts it.
func Open(path string) (*model.Model, error) {
	// Stat first: opening a FIFO would block until someone writes to it.
	st, err := os.Stat(path)
	if err != nil {
		return nil, &Error{path, unwrapPathError(err)}
	}
	if st.IsDir() {
		return nil, &Error{path, errors.New("is a directory, not a model file")}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{path, errors.New("is not a regular file")}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{path, unwrapPathError(err)}
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, &Error{path, unwrapPathError(err)}
	}
	head = head[:n]
	if n == 0 {
		return nil, &Error{path, errors.New("file is empty")}
	}
	if why := notAModel(head); why != "" {
		return nil, &Error{path, errors.New(why)}
	}
	ext := strings.ToLower(filepath.Ext(path))
	try := func(ff Format) (*model.Model, error) {
		m, err := ff.Open(path)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, err
			}
			return nil, &Error{path, err}
		}
		if m.Path == "" {
			m.Path = path
		}
		return m, nil
	}
	for _, ff := range formats {
		if ff.Probe != nil && ff.Probe(head) {
			return try(ff)
		}
	}
	// Formats without a magic number (ONNX protobuf) are chosen by extension.
	for _, ff := range formats {
		for _, e := range ff.Exts {
			if e == ext {
				return try(ff)
			}
		}
	}
	return nil, &Error{path, ErrUnknownFormat}
}

// notAModel recognises files people mistake for models.
func notAModel(head []byte) string {
	s := string(head)
	switch {
	case strings.HasPrefix(s, "version https://git-lfs.github.com/spec/"):
		return "this is a Git LFS pointer, not the model: run 'git lfs pull' to fetch the real file"
	case strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "<!doctype html"), strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "<html"):
		return "this is an HTML page, not a model (a download link that returned a web page?)"
	}
	return ""
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%v", pe.Err)
	}
	return err
}
