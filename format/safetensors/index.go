package safetensors

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// maxShards bounds how many shard files one index may name.
const maxShards = 10000

// openIndex reads a sharded checkpoint's index: {"metadata":{...},
// "weight_map":{"tensor":"model-00001-of-00002.safetensors",...}}. Each shard
// must lie inside the index's folder; a missing shard is a warning.
func openIndex(path string, f *os.File) (*model.Model, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxHeader {
		return nil, fmt.Errorf("index file of %d bytes exceeds the %d byte limit", st.Size(), MaxHeader)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxHeader))
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	return parseIndex(data, dir)
}

// parseIndex reads index JSON whose shards live in dir.
func parseIndex(data []byte, dir string) (*model.Model, error) {
	m := &model.Model{Format: "safetensors", Kind: "sharded"}
	type entry struct{ tensor, shard string }
	var weightMap []entry
	found := false
	err := walkObject(data, func(key string, decode func(any) error) error {
		switch key {
		case "metadata":
			raw, err := rawOf(decode)
			if err != nil {
				return err
			}
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return nil // not an object: nothing to show
			}
			return walkObject(raw, func(k string, decode func(any) error) error {
				v, err := rawOf(decode)
				if err != nil {
					return err
				}
				var s string
				if json.Unmarshal(v, &s) != nil {
					s = string(v)
				}
				m.Metadata = append(m.Metadata, model.KV{Key: k, Value: s})
				return nil
			})
		case "weight_map":
			found = true
			raw, err := rawOf(decode)
			if err != nil {
				return err
			}
			return walkObject(raw, func(k string, decode func(any) error) error {
				var s string
				if err := decode(&s); err != nil {
					return fmt.Errorf("weight_map[%q] is not a file name", k)
				}
				weightMap = append(weightMap, entry{k, s})
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("index has no weight_map")
	}
	var shards []string
	want := map[string]string{}
	seenShard := map[string]bool{}
	for _, e := range weightMap {
		if _, dup := want[e.tensor]; dup {
			return nil, fmt.Errorf("weight_map lists %q twice", e.tensor)
		}
		want[e.tensor] = e.shard
		if !seenShard[e.shard] {
			seenShard[e.shard] = true
			shards = append(shards, e.shard)
		}
	}
	if len(shards) > maxShards {
		return nil, fmt.Errorf("index names %d shard files, more than %d", len(shards), maxShards)
	}
	var tensors []*model.Tensor
	got := map[string]bool{}
	missing := map[string]bool{}
	// Mismatches are counted; only the first few are spelled out.
	var mismatches int
	mismatch := func(format string, args ...any) {
		if mismatches++; mismatches <= maxMismatchWarnings {
			m.Warnings = append(m.Warnings, fmt.Sprintf(format, args...))
		}
	}
	for _, name := range shards {
		p, err := inside(dir, name)
		if err != nil {
			return nil, fmt.Errorf("shard %q: %v", name, err)
		}
		sf, err := os.Open(p)
		if err != nil {
			if os.IsNotExist(err) {
				missing[name] = true
				m.Warnings = append(m.Warnings, fmt.Sprintf("shard %s is missing: its tensors are not shown", name))
				continue
			}
			return nil, fmt.Errorf("shard %q: %v", name, err)
		}
		h, err := readFile(sf, p)
		sf.Close()
		if err != nil {
			return nil, fmt.Errorf("shard %s: %v", name, err)
		}
		for _, t := range h.tensors {
			if got[t.Name] {
				return nil, fmt.Errorf("tensor %q is stored in two shards", t.Name)
			}
			got[t.Name] = true
			if s, ok := want[t.Name]; !ok {
				mismatch("tensor %s in shard %s is not in the weight_map", t.Name, name)
			} else if s != name {
				mismatch("tensor %s is in shard %s, the weight_map says %s", t.Name, name, s)
			}
			tensors = append(tensors, t)
		}
	}
	for _, e := range weightMap {
		if !got[e.tensor] && !missing[e.shard] {
			mismatch("tensor %s is not in shard %s", e.tensor, e.shard)
		}
	}
	if mismatches > maxMismatchWarnings {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d more mismatches between the weight_map and the shards", mismatches-maxMismatchWarnings))
	}
	finish(m, tensors)
	return m, nil
}

// maxMismatchWarnings bounds the per-tensor warnings of one index.
const maxMismatchWarnings = 20

// inside resolves name relative to dir and refuses anything that leaves it:
// absolute paths, "..", and symlinks pointing out.
func inside(dir, name string) (string, error) {
	if name == "" || !filepath.IsLocal(name) || strings.ContainsRune(name, '\\') {
		return "", fmt.Errorf("path leaves the index's folder")
	}
	p := filepath.Join(dir, name)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if os.IsNotExist(err) {
			return p, nil
		}
		return "", err
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(realDir, real)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("path leaves the index's folder through a symlink")
	}
	return real, nil
}
