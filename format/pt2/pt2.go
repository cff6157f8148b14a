// Package pt2 reads torch.export archives (.pt2) without PyTorch: the PT2
// archive layout (archive_format, models/*.json, data/weights/*) and the
// older torch 2.1-2.5 layout (serialized_exported_program.json,
// serialized_state_dict.pt). The exported program's JSON becomes a graph of
// ATen ops grouped by nn_module_stack; weights stay in the file and load
// lazily.
package pt2

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/model"
)

// Caps on what is read into memory while opening.
const (
	maxProgramJSON = 256 << 20
	maxConfigJSON  = 64 << 20
	maxSmall       = 1 << 10
)

// Layout names, shown as metadata.
const (
	layoutArchive = "pt2 archive"
	layoutLegacy  = "serialized_exported_program.json"
)

// Probe accepts a zip whose first member is a torch.export file. Every
// entry a PT2 archive writes first (weights, constants, models, ...) lives
// under names a torch.save or TorchScript zip never uses.
func Probe(head []byte) bool {
	name, ok := zipx.FirstName(head)
	return ok && IsEntryName(name)
}

// IsEntryName reports whether a zip member name belongs to a torch.export
// archive, with or without the archive's top folder.
func IsEntryName(name string) bool {
	if entryName(name) {
		return true
	}
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return entryName(name[i+1:])
	}
	return false
}

func entryName(s string) bool {
	switch {
	case s == "serialized_exported_program.json", s == "archive_format", s == "archive_version",
		strings.HasPrefix(s, "models/") && strings.HasSuffix(s, ".json"),
		strings.HasPrefix(s, "data/weights/"), strings.HasPrefix(s, "data/constants/"),
		strings.HasPrefix(s, "data/aotinductor/"), strings.HasPrefix(s, "data/sample_inputs/"):
		return true
	}
	return false
}

// Open reads a .pt2 file.
func Open(path string) (*model.Model, error) {
	a, err := zipx.Open(path)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	r := &reader{a: a, abs: abs, types: map[string]string{}}
	// The archive's top folder is whatever precedes archive_format.
	for _, e := range a.Entries {
		if e.Name == "archive_format" || strings.HasSuffix(e.Name, "/archive_format") && strings.Count(e.Name, "/") == 1 {
			return r.openArchive(strings.TrimSuffix(e.Name, "archive_format"))
		}
	}
	for _, e := range a.Entries {
		if e.Name == "serialized_exported_program.json" || strings.HasSuffix(e.Name, "/serialized_exported_program.json") && strings.Count(e.Name, "/") == 1 {
			return r.openLegacy(strings.TrimSuffix(e.Name, "serialized_exported_program.json"))
		}
	}
	return nil, errors.New("zip archive holds no torch.export program (no archive_format or serialized_exported_program.json)")
}

// stored reports whether a member's bytes lie uncompressed in the file. A
// stored member's two sizes must agree: zipx checks the compressed one
// against the file, so the other may then size an allocation.
func stored(e *zipx.Entry) bool {
	return e.Stored() && e.UncompressedSize == e.CompressedSize
}

type reader struct {
	a     *zipx.Archive
	abs   string
	m     *model.Model
	types map[string]string // module path -> class, from nn_module_stack
}

func (r *reader) read(name string, max int64) ([]byte, error) {
	e := r.a.Lookup(name)
	if e == nil {
		return nil, fmt.Errorf("%s is missing", name)
	}
	if stored(e) && e.UncompressedSize <= max {
		// Exact size, no buffer growth; zipx checks it lies in the file.
		return r.a.ReadAt(e, 0, e.UncompressedSize)
	}
	return r.a.ReadAll(e, max)
}

// openArchive reads the PT2 archive layout rooted at prefix ("name/").
func (r *reader) openArchive(prefix string) (*model.Model, error) {
	f, err := r.read(prefix+"archive_format", maxSmall)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(f)) != "pt2" {
		return nil, fmt.Errorf("archive_format is %q, not \"pt2\"", clip(string(f), 40))
	}
	r.m = &model.Model{Format: "pt2", Kind: "torch.export", Producer: "torch.export"}
	r.meta("layout", layoutArchive)
	if v, err := r.read(prefix+"archive_version", maxSmall); err == nil {
		r.meta("archive_version", strings.TrimSpace(string(v)))
	}
	var models []string
	for _, e := range r.a.Entries {
		rest, ok := strings.CutPrefix(e.Name, prefix+"models/")
		if ok && strings.HasSuffix(rest, ".json") && !strings.Contains(rest, "/") {
			models = append(models, strings.TrimSuffix(rest, ".json"))
		}
	}
	if len(models) == 0 {
		return nil, errors.New("PT2 archive holds no exported program (no models/*.json); AOTInductor-only packages are not shown")
	}
	// "model" is what torch.export.save names a single program.
	sort.SliceStable(models, func(i, j int) bool { return models[i] == "model" && models[j] != "model" })
	for i, name := range models {
		data, err := r.read(prefix+"models/"+name+".json", maxProgramJSON)
		if err != nil {
			return nil, err
		}
		weights := map[string]*model.Tensor{}
		r.payloads(prefix, "data/weights/", name+"_weights_config.json", weights)
		r.payloads(prefix, "data/constants/", name+"_constants_config.json", weights)
		// Archives from before the payload configs kept torch.save files.
		for _, dir := range []string{"data/weights/", "data/constants/"} {
			if e := r.a.Lookup(prefix + dir + name + ".pt"); e != nil {
				r.torchSave(e, "", weights)
			}
		}
		g, err := r.program(data, weights, i == 0)
		if err != nil {
			return nil, fmt.Errorf("models/%s.json: %v", name, err)
		}
		g.Name = name
		r.m.Graphs = append(r.m.Graphs, g)
	}
	r.m.Modules = moduleTree(r.m.Graphs[0], r.types)
	return r.m, nil
}

// openLegacy reads serialized_exported_program.json and the torch.save
// files beside it.
func (r *reader) openLegacy(prefix string) (*model.Model, error) {
	r.m = &model.Model{Format: "pt2", Kind: "torch.export", Producer: "torch.export"}
	r.meta("layout", layoutLegacy)
	if v, err := r.read(prefix+"version", maxSmall); err == nil {
		r.meta("version", strings.TrimSpace(string(v)))
	}
	data, err := r.read(prefix+"serialized_exported_program.json", maxProgramJSON)
	if err != nil {
		return nil, err
	}
	weights := map[string]*model.Tensor{}
	// torch 2.1 named the state dict .json, though it holds torch.save bytes.
	for _, f := range []string{"serialized_state_dict.pt", "serialized_state_dict.json", "serialized_constants.pt"} {
		if e := r.a.Lookup(prefix + f); e != nil {
			r.torchSave(e, "", weights)
		}
	}
	g, err := r.program(data, weights, true)
	if err != nil {
		return nil, fmt.Errorf("serialized_exported_program.json: %v", err)
	}
	r.m.Graphs = []*model.Graph{g}
	r.m.Modules = moduleTree(g, r.types)
	return r.m, nil
}

func (r *reader) meta(k, v string) { r.m.Metadata = append(r.m.Metadata, model.KV{Key: k, Value: v}) }

func (r *reader) warn(format string, args ...any) {
	if len(r.m.Warnings) < 100 {
		r.m.Warnings = append(r.m.Warnings, fmt.Sprintf(format, args...))
	}
}

// program decodes one ExportedProgram and builds its graph; top-level
// facts go into the model when main is set.
func (r *reader) program(data []byte, weights map[string]*model.Tensor, main bool) (*model.Graph, error) {
	var ep exportedProgram
	if err := json.Unmarshal(fixJSON(data), &ep); err != nil {
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	if ep.GraphModule == nil || ep.GraphModule.Graph == nil {
		return nil, errors.New("no graph_module.graph")
	}
	if main {
		r.m.ProducerVersion = ep.TorchVersion
		if ep.SchemaVersion != nil {
			r.meta("schema_version", fmt.Sprintf("%d.%d", ep.SchemaVersion.Major, ep.SchemaVersion.Minor))
		}
		for _, k := range sortedKeys(ep.OpsetVersion) {
			r.m.Opsets = append(r.m.Opsets, model.Opset{Domain: k, Version: ep.OpsetVersion[k]})
		}
		for _, k := range sortedKeys(ep.RangeConstraints) {
			c := ep.RangeConstraints[k]
			r.meta("range "+k, "["+bound(c.Min, "-inf")+", "+bound(c.Max, "inf")+"]")
		}
		for _, k := range sortedKeys(ep.GraphModule.Metadata) {
			r.meta(k, clip(ep.GraphModule.Metadata[k], 4096))
		}
	}
	b := &builder{r: r, weights: weights}
	return b.graph(ep.GraphModule.Graph, ep.GraphModule.Signature, nil, nil, 0)
}

func bound(raw json.RawMessage, inf string) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return inf
	}
	return clip(strings.Trim(string(raw), `"`), 40)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
