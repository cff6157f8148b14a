// Package pytorch reads PyTorch files without PyTorch and without running
// any of their code: torch.save zip archives and the legacy non-zip format
// (state_dicts, pickled modules, checkpoints, any pickled tensors), and
// TorchScript archives, whose serialized code it parses into a graph.
// Weights are never read while opening; tensors load lazily.
package pytorch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/model"
)

// Exts are the usual file name extensions.
var Exts = []string{".pt", ".pth", ".bin", ".ckpt", ".pkl", ".tar", ".torchscript", ".ptl"}

// legacyMagic is the pickled LONG1 0x1950a86a20f9469cfc6c that opens a
// legacy torch.save file: PROTO 2, LONG1 of 10 bytes.
var legacyMagic = []byte("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19")

// Probe accepts torch.save / TorchScript zips, legacy files and the old
// tar format. A .pt2 archive (torch.export) is recognised by its first
// entry and left to its own reader.
func Probe(head []byte) bool {
	if name, ok := zipx.FirstName(head); ok {
		return !isPT2Name(name)
	}
	if zipx.IsZip(head) {
		return true
	}
	if bytes.HasPrefix(head, legacyMagic[:4]) {
		return true
	}
	return isTorchTar(head)
}

// isPT2Name spots torch.export archives by their first member.
func isPT2Name(name string) bool {
	base := name
	if i := strings.IndexByte(name, '/'); i >= 0 {
		base = name[i+1:]
	}
	return name == "serialized_exported_program.json" || base == "serialized_exported_program.json" ||
		base == "archive_format" || strings.HasPrefix(base, "models/") || name == "archive_format"
}

// isTorchTar recognises torch < 0.4's tar files ("sys_info", "pickle",
// "storages", "tensors" members).
func isTorchTar(head []byte) bool {
	if len(head) < 512 || string(head[257:262]) != "ustar" {
		return false
	}
	name := string(bytes.TrimRight(head[:100], "\x00"))
	switch name {
	case "sys_info", "pickle", "storages", "tensors":
		return true
	}
	return false
}

// Limits on what we read into memory while opening.
const (
	maxPickle = 256 << 20 // data.pkl, constants.pkl: real ones are a few MB
	maxSmall  = 1 << 16   // version, byteorder
	maxCode   = 64 << 20
)

// Open reads a PyTorch file's structure.
func Open(path string) (*model.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	switch {
	case zipx.IsZip(head):
		return openZip(path, abs)
	case bytes.HasPrefix(head, legacyMagic[:4]):
		return openLegacy(path, abs)
	case isTorchTar(head):
		return nil, errors.New("this is PyTorch's old tar format (torch < 0.4), which modelviz does not read: load it with an old torch and save it again")
	case len(head) > 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5:
		// A plain pickle (.pkl) chosen by its extension: numpy arrays
		// and any tensors whose storages it carries.
		return openPickle(path)
	}
	return nil, errors.New("not a PyTorch file")
}

// openPickle reads a plain pickle file, outside any torch container.
func openPickle(path string) (*model.Model, error) {
	data, err := readCapped(path, maxPickle)
	if err != nil {
		return nil, err
	}
	res, err := pickle.Load(data, nil)
	if err != nil {
		return nil, err
	}
	m := newModel(path)
	m.Producer = ""
	m.Metadata = append(m.Metadata, model.KV{Key: "container", Value: "pickle"},
		model.KV{Key: "pickle_protocol", Value: fmt.Sprint(res.Protocol)})
	if c := customClasses(res); c != "" {
		m.Metadata = append(m.Metadata, model.KV{Key: "custom_classes", Value: c})
	}
	newBuilder(m, false).build(res.Value)
	if err := finish(m, res); err != nil {
		return nil, err
	}
	return m, nil
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > max {
		return nil, fmt.Errorf("pickle of %d bytes is larger than the %d-byte limit", st.Size(), max)
	}
	buf := make([]byte, st.Size())
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

func newModel(path string) *model.Model {
	return &model.Model{Format: "pytorch", Path: path, Producer: "pytorch"}
}

// finish applies the unsafe-global policy and sorts nothing: order is the
// file's.
func finish(m *model.Model, res *pickle.Result) error {
	if len(res.Unsafe) == 0 {
		return nil
	}
	names := make([]string, len(res.Unsafe))
	for i, g := range res.Unsafe {
		names[i] = g.String()
	}
	list := strings.Join(names, ", ")
	if m.Graphs == nil || len(m.Graphs[0].Initializers) == 0 {
		return fmt.Errorf("unsafe pickle: references %s (nothing was run)", list)
	}
	m.Warnings = append(m.Warnings, "the pickle references code that would run on torch.load (never run here): "+list)
	m.Metadata = append(m.Metadata, model.KV{Key: "unsafe_globals", Value: list})
	return nil
}

// customClasses lists globals that are neither torch, builtins nor
// collections: the user's own classes, shown but never imported.
func customClasses(res *pickle.Result) string {
	var out []string
	for _, g := range res.Globals {
		top := g.Module
		if i := strings.IndexByte(top, '.'); i >= 0 {
			top = top[:i]
		}
		switch top {
		case "torch", "builtins", "__builtin__", "collections", "copyreg", "_codecs", "numpy", "__torch__":
			continue
		}
		if pickle.IsUnsafe(g) {
			continue
		}
		out = append(out, g.String())
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// openZip reads a torch.save or TorchScript zip archive.
func openZip(path, abs string) (*model.Model, error) {
	a, err := zipx.Open(path)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	var pkl *zipx.Entry
	prefix := ""
	pt2 := false
	for _, e := range a.Entries {
		dir, base := "", e.Name
		if i := strings.LastIndexByte(e.Name, '/'); i >= 0 {
			dir, base = e.Name[:i+1], e.Name[i+1:]
		}
		if base == "data.pkl" && strings.Count(dir, "/") <= 1 && pkl == nil {
			pkl, prefix = e, dir
		}
		if isPT2Name(e.Name) {
			pt2 = true
		}
	}
	if pkl == nil {
		if pt2 {
			return nil, errors.New("this is a torch.export .pt2 archive, not a torch.save file")
		}
		return nil, errors.New("zip archive without data.pkl: not a PyTorch file")
	}
	m := newModel(path)
	m.Metadata = append(m.Metadata, model.KV{Key: "container", Value: "zip"})
	if e := a.Lookup(prefix + "version"); e != nil {
		if b, err := a.ReadAll(e, maxSmall); err == nil {
			m.Metadata = append(m.Metadata, model.KV{Key: "archive_version", Value: strings.TrimSpace(string(b))})
		}
	}
	bigEndian := false
	if e := a.Lookup(prefix + "byteorder"); e != nil {
		b, err := a.ReadAll(e, maxSmall)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(string(b)) {
		case "little":
		case "big":
			bigEndian = true
			m.Metadata = append(m.Metadata, model.KV{Key: "byteorder", Value: "big"})
		default:
			return nil, fmt.Errorf("byteorder is %q", truncate(string(b)))
		}
	}
	data, err := a.ReadAll(pkl, maxPickle)
	if err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	resolver := func(dir string) func(id any) (any, error) {
		return func(id any) (any, error) {
			st, view, err := parsePID(id)
			if err != nil {
				return nil, err
			}
			if st == nil {
				return pickle.PersID{ID: id}, nil
			}
			if view != nil {
				return nil, errors.New("storage views are only valid in the legacy format")
			}
			if s, ok := storages[dir+st.Key]; ok {
				return s, nil
			}
			storages[dir+st.Key] = st
			e := a.Lookup(prefix + dir + st.Key)
			if e == nil {
				st.Missing = fmt.Sprintf("storage %s%s is missing from the archive", dir, st.Key)
				return st, nil
			}
			st.File = abs
			st.Size = e.UncompressedSize
			if e.Stored() && e.CompressedSize != e.UncompressedSize {
				st.Missing = fmt.Sprintf("storage %s%s: zip sizes disagree (%d stored, %d claimed)", dir, st.Key, e.CompressedSize, e.UncompressedSize)
				return st, nil
			}
			if e.Stored() {
				off, err := a.DataOffset(e)
				if err != nil {
					return nil, err
				}
				st.Offset = off
			} else {
				name := e.Name
				st.Inflate = func(max int64) ([]byte, error) {
					z, err := zipx.Open(abs)
					if err != nil {
						return nil, err
					}
					defer z.Close()
					e := z.Lookup(name)
					if e == nil {
						return nil, fmt.Errorf("storage %s vanished", name)
					}
					return z.ReadAll(e, max)
				}
			}
			return st, nil
		}
	}
	res, err := pickle.Load(data, &pickle.Options{Persistent: resolver("data/")})
	if err != nil {
		return nil, fmt.Errorf("data.pkl: %w", err)
	}
	m.Metadata = append(m.Metadata, model.KV{Key: "pickle_protocol", Value: fmt.Sprint(res.Protocol)})
	if c := customClasses(res); c != "" {
		m.Metadata = append(m.Metadata, model.KV{Key: "custom_classes", Value: c})
	}
	b := newBuilder(m, bigEndian)
	if isTorchScript(a, prefix) {
		var consts pickle.Tuple
		if e := a.Lookup(prefix + "constants.pkl"); e != nil {
			cdata, err := a.ReadAll(e, maxPickle)
			if err != nil {
				return nil, err
			}
			cres, err := pickle.Load(cdata, &pickle.Options{Persistent: resolver("constants/")})
			if err != nil {
				return nil, fmt.Errorf("constants.pkl: %w", err)
			}
			consts, _ = cres.Value.(pickle.Tuple)
			res.Unsafe = append(res.Unsafe, cres.Unsafe...)
		}
		if err := b.torchScript(a, prefix, res.Value, consts); err != nil {
			return nil, err
		}
	} else {
		b.build(res.Value)
	}
	if err := finish(m, res); err != nil {
		return nil, err
	}
	return m, nil
}

func isTorchScript(a *zipx.Archive, prefix string) bool {
	if a.Lookup(prefix+"constants.pkl") != nil {
		return true
	}
	for _, e := range a.Entries {
		if strings.HasPrefix(e.Name, prefix+"code/") {
			return true
		}
	}
	return false
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// openLegacy reads the pre-1.6 format: five pickles (magic, protocol,
// sys_info, the object, the storage keys), then each storage as an 8-byte
// little-endian element count followed by its bytes.
func openLegacy(path, abs string) (*model.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	pos := int64(0)
	next := func(what string, opt *pickle.Options) (*pickle.Result, error) {
		res, err := pickle.LoadReader(io.NewSectionReader(f, pos, size-pos), size-pos, opt)
		if err != nil {
			return nil, fmt.Errorf("%s pickle: %w", what, err)
		}
		pos += res.End
		return res, nil
	}
	magic, err := next("magic number", nil)
	if err != nil {
		return nil, err
	}
	if pickle.Repr(magic.Value) != "119547037146038801333356" {
		return nil, errors.New("not a PyTorch legacy file: wrong magic number")
	}
	proto, err := next("protocol", nil)
	if err != nil {
		return nil, err
	}
	if p, _ := proto.Value.(int64); p != 1001 {
		return nil, fmt.Errorf("unsupported legacy protocol version %s", pickle.Repr(proto.Value))
	}
	sys, err := next("sys_info", nil)
	if err != nil {
		return nil, err
	}
	bigEndian := false
	if d, ok := sys.Value.(*pickle.Dict); ok {
		if le, ok := d.Get("little_endian"); ok && le == false {
			bigEndian = true
		}
	}
	roots := map[string]*storage{}
	var views []*storage
	obj, err := next("object", &pickle.Options{Persistent: func(id any) (any, error) {
		// Legacy files save module classes as ('module', cls, file,
		// source): the class stays a symbolic global, the source unread.
		if t, ok := id.(pickle.Tuple); ok && len(t) >= 2 && t[0] == "module" {
			if g, ok := t[1].(pickle.Global); ok {
				return g, nil
			}
		}
		s, view, err := parsePID(id)
		if err != nil || s == nil {
			if err == nil {
				return pickle.PersID{ID: id}, nil
			}
			return nil, err
		}
		root, ok := roots[s.Key]
		if !ok {
			root = s
			roots[s.Key] = s
		}
		if vt, ok := view.(pickle.Tuple); ok && len(vt) == 3 {
			off, ok1 := vt[1].(int64)
			n, ok2 := vt[2].(int64)
			if !ok1 || !ok2 || off < 0 || n < 0 {
				return nil, errors.New("bad storage view")
			}
			v := &storage{Key: root.Key, Type: root.Type, DType: root.DType, Elem: root.Elem,
				Numel: n, Location: root.Location, ViewOffset: off, Size: -1}
			views = append(views, v)
			return v, nil
		}
		return root, nil
	}})
	if err != nil {
		return nil, err
	}
	keys, err := next("storage keys", nil)
	if err != nil {
		return nil, err
	}
	kl, ok := keys.Value.(*pickle.List)
	if !ok {
		return nil, errors.New("storage key list is not a list")
	}
	// Walk the storage table: count, then bytes, for each key in order.
	missing := ""
	for _, k := range kl.Items {
		key, ok := k.(string)
		s := roots[key]
		if !ok || s == nil {
			missing = "the storage table names a storage the pickle never uses"
			break
		}
		var cnt [8]byte
		if _, err := f.ReadAt(cnt[:], pos); err != nil {
			missing = "the file ends inside the storage table"
			break
		}
		n := int64(le.Uint64(cnt[:]))
		if n < 0 || s.Elem <= 0 || n > (size-pos-8)/s.Elem {
			missing = fmt.Sprintf("storage %s claims %d elements, more than the file holds", key, n)
			break
		}
		s.File, s.Offset, s.Size = abs, pos+8, n*s.Elem
		pos += 8 + n*s.Elem
	}
	for _, s := range roots {
		if s.File == "" && s.Missing == "" {
			s.Missing = "storage " + s.Key + " not found: " + missing
		}
	}
	for _, v := range views {
		root := roots[v.Key]
		v.File, v.Offset, v.Missing = root.File, root.Offset, root.Missing
		v.Size = root.Size
		v.Numel = min(v.Numel+v.ViewOffset, root.Numel)
	}
	m := newModel(path)
	m.Metadata = append(m.Metadata, model.KV{Key: "container", Value: "legacy"},
		model.KV{Key: "pickle_protocol", Value: fmt.Sprint(obj.Protocol)})
	if c := customClasses(obj); c != "" {
		m.Metadata = append(m.Metadata, model.KV{Key: "custom_classes", Value: c})
	}
	if missing != "" {
		m.Warnings = append(m.Warnings, missing)
	}
	b := newBuilder(m, bigEndian)
	b.build(obj.Value)
	for _, r := range []*pickle.Result{magic, proto, sys, keys} {
		obj.Unsafe = append(obj.Unsafe, r.Unsafe...)
	}
	if err := finish(m, obj); err != nil {
		return nil, err
	}
	return m, nil
}
