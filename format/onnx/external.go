package onnx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// externals resolves external data locations strictly inside the model's
// folder (onnx CVE-2022-25882 and CVE-2024-27318 were escapes from it).
// maxExternalFiles bounds the file system lookups a hostile file can cause.
const maxExternalFiles = 4096

type externals struct {
	dir   string // the model's folder, absolute
	real  string // dir with symlinks resolved; "" if that failed
	cache map[string]extFile
}

type extFile struct {
	path string // absolute, symlinks resolved
	size int64
	warn string // why the file cannot be used
}

func newExternals(dir string) *externals {
	e := &externals{dir: dir, cache: map[string]extFile{}}
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		e.real = r
	}
	return e
}

// resolve fills t from external_data entries. Escaping the folder is an
// error for the whole model; a missing or short file is a tensor warning.
func (e *externals) resolve(t *model.Tensor, kvs []model.KV, want int64) error {
	var loc string
	offset, length := int64(0), int64(-1)
	for _, kv := range kvs {
		switch kv.Key {
		case "location":
			loc = kv.Value
		case "offset", "length":
			v, ok := atoi64(kv.Value)
			if !ok {
				t.Warning = fmt.Sprintf("external data %s %q is not a number", kv.Key, kv.Value)
				return nil
			}
			if kv.Key == "offset" {
				offset = v
			} else {
				length = v
			}
		}
	}
	t.ExternalLocation = loc
	t.Length = length
	t.Offset = offset
	if loc == "" {
		t.Warning = "external data has no location"
		return nil
	}
	if err := checkLocation(loc); err != nil {
		return fmt.Errorf("tensor %q: external data location %q %v", t.Name, loc, err)
	}
	ef, ok := e.cache[loc]
	if !ok && len(e.cache) >= maxExternalFiles {
		t.Warning = fmt.Sprintf("more than %d external data files; %q is not opened", maxExternalFiles, loc)
		return nil
	}
	if !ok {
		var err error
		ef, err = e.open(loc)
		if err != nil {
			return fmt.Errorf("tensor %q: external data location %q %v", t.Name, loc, err)
		}
		e.cache[loc] = ef
	}
	if ef.warn != "" {
		t.Warning = ef.warn
		return nil
	}
	t.File = ef.path
	if offset > ef.size {
		t.Warning = fmt.Sprintf("external data offset %d is past the end of %q (%d bytes)", offset, loc, ef.size)
		return nil
	}
	if length < 0 {
		length = ef.size - offset
		if want >= 0 && length > want {
			length = want // the rest of the file belongs to other tensors
		}
		t.Length = length
	}
	if length > ef.size-offset {
		t.Warning = fmt.Sprintf("external data [%d, +%d) runs past the end of %q (%d bytes)", offset, length, loc, ef.size)
		return nil
	}
	if want >= 0 && length != want {
		t.Warning = fmt.Sprintf("external data holds %d bytes but %s×%d needs %d", length, t.DType, t.NumElements(), want)
		return nil
	}
	t.Loader = fileLoader(t.File, offset, length)
	return nil
}

// checkLocation rejects locations that could name a file outside the
// model's folder, whatever the operating system.
func checkLocation(loc string) error {
	// VolumeName is "" on Unix, where "w:0" is an ordinary file name.
	if filepath.IsAbs(loc) || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, `\`) ||
		filepath.VolumeName(loc) != "" {
		return fmt.Errorf("is an absolute path; only paths inside the model's folder are allowed")
	}
	if strings.ContainsRune(loc, 0) {
		return fmt.Errorf("contains a NUL byte")
	}
	for _, part := range strings.FieldsFunc(loc, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return fmt.Errorf("leaves the model's folder (\"..\"); only paths inside it are allowed")
		}
	}
	return nil
}

func (e *externals) open(loc string) (extFile, error) {
	p := filepath.Join(e.dir, filepath.FromSlash(loc))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if os.IsNotExist(err) {
			return extFile{warn: fmt.Sprintf("external data file %q is missing", loc)}, nil
		}
		return extFile{warn: fmt.Sprintf("external data file %q cannot be read: %v", loc, unwrap(err))}, nil
	}
	if e.real == "" || !inside(e.real, real) {
		return extFile{}, fmt.Errorf("is a symlink leading outside the model's folder")
	}
	st, err := os.Stat(real)
	if err != nil {
		return extFile{warn: fmt.Sprintf("external data file %q cannot be read: %v", loc, unwrap(err))}, nil
	}
	if !st.Mode().IsRegular() {
		return extFile{warn: fmt.Sprintf("external data %q is not a regular file", loc)}, nil
	}
	return extFile{path: real, size: st.Size()}, nil
}

func inside(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func unwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
