package pytorch

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/model"
)

// Walk limits: the pickle is a graph (memo references), so a hostile file
// could make an exponential number of paths or a very deep tree.
const (
	maxDepth    = 256
	maxVisits   = 2 << 20
	maxMetadata = 200
)

// builder turns the decoded pickle into the shared model.
type builder struct {
	m         *model.Model
	g         *model.Graph
	root      *model.Module
	mods      map[string]*model.Module
	kids      map[*model.Module]map[string]*model.Module
	values    map[string]*model.Value
	bigEndian bool
	visits    int
	truncated bool
	// params says, per module path, which attributes are parameters or
	// buffers (TorchScript keeps them as plain attributes).
	tsParams map[*pickle.Object]map[string]bool
}

func newBuilder(m *model.Model, bigEndian bool) *builder {
	b := &builder{m: m, bigEndian: bigEndian, mods: map[string]*model.Module{}, values: map[string]*model.Value{},
		kids: map[*model.Module]map[string]*model.Module{}}
	b.root = &model.Module{}
	b.mods[""] = b.root
	b.g = &model.Graph{Name: "weights"}
	m.Modules = b.root
	m.Graphs = []*model.Graph{b.g}
	return b
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// maxModuleDepth caps the module tree's depth: deeper key components
// stay joined in the last name, so consumers never recurse without bound.
const maxModuleDepth = 64

// module returns the module at a dotted path, creating the chain. It
// costs O(len(path)) whatever the path holds.
func (b *builder) module(path string) *model.Module {
	if m, ok := b.mods[path]; ok {
		return m
	}
	parent := b.root
	rest := path
	for depth := 1; ; depth++ {
		name := rest
		i := strings.IndexByte(rest, '.')
		if i >= 0 && depth < maxModuleDepth {
			name = rest[:i]
		}
		kids := b.kids[parent]
		if kids == nil {
			kids = map[string]*model.Module{}
			b.kids[parent] = kids
		}
		m, ok := kids[name]
		if !ok {
			p := name
			if parent != b.root {
				p = parent.Path + "." + name
			}
			m = &model.Module{Name: name, Path: p}
			parent.Children = append(parent.Children, m)
			kids[name] = m
		}
		if name == rest {
			b.mods[path] = m
			return m
		}
		parent, rest = m, rest[i+1:]
	}
}

// addTensor records one named tensor as an initializer of the main graph
// and attaches it to the module owning its dotted name.
func (b *builder) addTensor(name string, t *tensor) *model.Value {
	if v, ok := b.values[name]; ok {
		return v
	}
	mt := t.toModel(name, b.bigEndian)
	v := &model.Value{ID: int32(len(b.g.Values)), Name: name, Initializer: mt,
		Type: &model.Type{Kind: model.TensorType, DType: mt.DType, Shape: model.Fixed(mt.Dims...)}}
	b.g.Values = append(b.g.Values, v)
	b.g.Initializers = append(b.g.Initializers, v)
	b.values[name] = v
	parent := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		parent = name[:i]
	}
	mod := b.module(parent)
	mod.Tensors = append(mod.Tensors, v)
	return v
}

func (b *builder) step(depth int) bool {
	b.visits++
	if depth > maxDepth || b.visits > maxVisits {
		if !b.truncated {
			b.truncated = true
			b.m.Warnings = append(b.m.Warnings, "the pickle is too deep or too shared to list completely; tensors past the limit are not shown")
		}
		return false
	}
	return true
}

func keyString(k any) string {
	switch k := k.(type) {
	case string:
		return k
	case int64:
		return strconv.FormatInt(k, 10)
	case *big.Int:
		return k.String()
	case bool:
		if k {
			return "True"
		}
		return "False"
	}
	return pickle.Repr(k)
}

// walk finds every tensor under v and names it by its path.
func (b *builder) walk(v any, path string, depth int) {
	if !b.step(depth) {
		return
	}
	if t, ok := asTensor(v); ok {
		b.addTensor(path, t)
		return
	}
	switch v := v.(type) {
	case *pickle.Dict:
		for i, k := range v.Keys {
			b.walk(v.Values[i], join(path, keyString(k)), depth+1)
		}
	case *pickle.List:
		for i, it := range v.Items {
			b.walk(it, join(path, strconv.Itoa(i)), depth+1)
		}
	case pickle.Tuple:
		for i, it := range v {
			b.walk(it, join(path, strconv.Itoa(i)), depth+1)
		}
	case *pickle.Set:
		for i, it := range v.Items {
			b.walk(it, join(path, strconv.Itoa(i)), depth+1)
		}
	case *pickle.Object:
		if isModule(v) {
			b.walkModule(v, path, depth)
			return
		}
		// An unknown object: its state, items and constructor arguments
		// may hold tensors.
		if d, ok := v.State.(*pickle.Dict); ok {
			b.walk(d, path, depth+1)
		} else if v.State != nil {
			b.walk(v.State, path, depth+1)
		}
		if v.DictData != nil {
			b.walk(v.DictData, path, depth+1)
		}
		for i, it := range v.Items {
			b.walk(it, join(path, strconv.Itoa(i)), depth+1)
		}
		for i, it := range v.Args {
			b.walk(it, join(path, strconv.Itoa(i)), depth+1)
		}
	}
}

func stateDict(o *pickle.Object) *pickle.Dict {
	switch s := o.State.(type) {
	case *pickle.Dict:
		return s
	case pickle.Tuple:
		// (dict, slotstate) from __reduce_ex__ with slots.
		if len(s) == 2 {
			if d, ok := s[0].(*pickle.Dict); ok {
				return d
			}
		}
	}
	return nil
}

// isModule reports whether a pickled object is an nn.Module.
func isModule(o *pickle.Object) bool {
	d := stateDict(o)
	if d == nil {
		return false
	}
	_, m := d.Get("_modules")
	_, p := d.Get("_parameters")
	return m && p
}

// className is the class an object was built from.
func className(o *pickle.Object) string {
	if o.Callable != nil {
		return ""
	}
	// copyreg._reconstructor(cls, base, state) is protocol 0/1's NEWOBJ.
	if (o.Class.String() == "copyreg._reconstructor" || o.Class.String() == "copy_reg._reconstructor") && len(o.Args) > 0 {
		if g, ok := o.Args[0].(pickle.Global); ok {
			return g.String()
		}
	}
	return o.Class.String()
}

func (b *builder) walkModule(o *pickle.Object, path string, depth int) {
	mod := b.module(path)
	mod.Type = className(o)
	d := stateDict(o)
	skip := map[string]bool{}
	if s, ok := d.Get("_non_persistent_buffers_set"); ok {
		if set, ok := s.(*pickle.Set); ok {
			for _, it := range set.Items {
				if n, ok := it.(string); ok {
					skip[n] = true
				}
			}
		}
	}
	for _, group := range []string{"_parameters", "_buffers"} {
		g, _ := d.Get(group)
		gd, ok := g.(*pickle.Dict)
		if !ok {
			continue
		}
		for i, k := range gd.Keys {
			name := keyString(k)
			if group == "_buffers" && skip[name] {
				continue
			}
			if t, ok := asTensor(gd.Values[i]); ok {
				b.addTensor(join(path, name), t)
			}
		}
	}
	// Children before plain attributes: state_dict() lists a module's
	// own parameters and buffers, then each child in _modules order;
	// tensors outside state_dict (plain attributes) come after.
	if m, ok := d.Get("_modules"); ok {
		if md, ok := m.(*pickle.Dict); ok {
			for i, k := range md.Keys {
				child := join(path, keyString(k))
				if !b.step(depth + 1) {
					return
				}
				co, isObj := md.Values[i].(*pickle.Object)
				switch {
				case isObj && isModule(co):
					b.walkModule(co, child, depth+1)
				case md.Values[i] != nil:
					// A module with its own __getstate__ (quantized
					// convs): its class is known, its state is not a
					// module dict.
					if isObj {
						b.module(child).Type = className(co)
					}
					b.walk(md.Values[i], child, depth+1)
				}
			}
		}
	}
	for i, k := range d.Keys {
		name, ok := k.(string)
		if !ok || name == "training" || moduleBookkeeping[name] {
			continue
		}
		v := d.Values[i]
		if a, ok := toAttr(name, v); ok {
			if !strings.HasPrefix(name, "_") {
				mod.Attrs = append(mod.Attrs, a)
			}
			continue
		}
		// Tensors kept outside _parameters/_buffers (quantized packed
		// params, caches): they are in the file, so they are listed.
		b.walk(v, join(path, name), depth+1)
	}
}

// moduleBookkeeping are nn.Module's own __dict__ entries.
var moduleBookkeeping = map[string]bool{"_parameters": true, "_buffers": true, "_modules": true,
	"_non_persistent_buffers_set": true, "_backward_hooks": true, "_backward_pre_hooks": true,
	"_forward_hooks": true, "_forward_hooks_with_kwargs": true, "_forward_hooks_always_called": true,
	"_forward_pre_hooks": true, "_forward_pre_hooks_with_kwargs": true, "_state_dict_hooks": true,
	"_state_dict_pre_hooks": true, "_load_state_dict_pre_hooks": true, "_load_state_dict_post_hooks": true,
	"_is_full_backward_hook": true, "_version": true}

// toAttr turns a hyper-parameter into a typed attribute.
func toAttr(name string, v any) (model.Attr, bool) {
	a := model.Attr{Name: name}
	switch v := v.(type) {
	case bool:
		a.Kind = model.AttrInt
		if v {
			a.Int = 1
		}
	case int64:
		a.Kind, a.Int = model.AttrInt, v
	case float64:
		a.Kind, a.Float = model.AttrFloat, float32(v)
	case string:
		a.Kind, a.String = model.AttrString, v
	case pickle.Tuple, *pickle.List:
		var items []any
		if t, ok := v.(pickle.Tuple); ok {
			items = t
		} else {
			items = v.(*pickle.List).Items
		}
		if len(items) > 1024 || holdsTensors(v, 0) {
			return a, false // walked instead, so its tensors are listed
		}
		ints := make([]int64, 0, len(items))
		floats := make([]float32, 0, len(items))
		strs := make([]string, 0, len(items))
		for _, it := range items {
			switch it := it.(type) {
			case int64:
				ints = append(ints, it)
			case float64:
				floats = append(floats, float32(it))
			case string:
				strs = append(strs, it)
			}
		}
		switch {
		case len(ints) == len(items):
			a.Kind, a.Ints = model.AttrInts, ints
		case len(floats) == len(items):
			a.Kind, a.Floats = model.AttrFloats, floats
		case len(strs) == len(items):
			a.Kind, a.Strings = model.AttrStrings, strs
		default:
			a.Kind, a.String = model.AttrString, pickle.Repr(v)
		}
	case pickle.Global: // torch.float32 and other symbolic constants
		a.Kind, a.String = model.AttrString, v.String()
	default:
		return a, false
	}
	return a, true
}

// scalarRepr renders checkpoint metadata values; ok is false for values
// that are not plain data.
func scalarRepr(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "None", true
	case string:
		return v, true
	case bool, int64, *big.Int, float64:
		return pickle.Repr(v), true
	case pickle.Tuple, *pickle.List:
		return pickle.Repr(v), !containsObjects(v, 0)
	case *pickle.Object:
		return numpyScalar(v)
	}
	return "", false
}

// numpyScalar decodes numpy.core.multiarray.scalar(dtype, bytes), as
// checkpoints store best_acc = np.float64(0.91).
func numpyScalar(o *pickle.Object) (string, bool) {
	if o.Class.Name != "scalar" || !strings.HasPrefix(o.Class.Module, "numpy") || len(o.Args) != 2 {
		return "", false
	}
	dt, big, ok := numpyType(o.Args[0])
	b, ok2 := o.Args[1].(pickle.Bytes)
	if !ok || !ok2 || int64(len(b)) != int64(dt.Bits()/8) || len(b) == 0 {
		return "", false
	}
	var order binary.ByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	switch dt {
	case model.Float64:
		return strconv.FormatFloat(math.Float64frombits(order.Uint64(b)), 'g', -1, 64), true
	case model.Float32:
		return strconv.FormatFloat(float64(math.Float32frombits(order.Uint32(b))), 'g', -1, 32), true
	case model.Int64:
		return strconv.FormatInt(int64(order.Uint64(b)), 10), true
	case model.Int32:
		return strconv.FormatInt(int64(int32(order.Uint32(b))), 10), true
	case model.Bool:
		return strconv.FormatBool(b[0] != 0), true
	}
	return "", false
}

func containsObjects(v any, depth int) bool {
	if depth > 4 {
		return true
	}
	var items []any
	switch v := v.(type) {
	case pickle.Tuple:
		items = v
	case *pickle.List:
		items = v.Items
	case nil, bool, int64, *big.Int, float64, string:
		return false
	default:
		return true
	}
	for _, it := range items {
		if containsObjects(it, depth+1) {
			return true
		}
	}
	return false
}

// metadata flattens plain entries of a checkpoint dict (epoch, loss,
// optimizer hyper-parameters) into Model.Metadata.
func (b *builder) metadata(v any, path string, depth int) {
	if len(b.m.Metadata) >= maxMetadata || depth > 6 {
		return
	}
	if s, ok := scalarRepr(v); ok {
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		b.m.Metadata = append(b.m.Metadata, model.KV{Key: path, Value: s})
		return
	}
	switch v := v.(type) {
	case *pickle.Dict:
		for i, k := range v.Keys {
			b.metadata(v.Values[i], join(path, keyString(k)), depth+1)
		}
	case *pickle.List:
		for i, it := range v.Items {
			if _, isDict := it.(*pickle.Dict); isDict {
				b.metadata(it, join(path, strconv.Itoa(i)), depth+1)
			}
		}
	case *pickle.Object:
		// argparse.Namespace, AttributeDict, dataclasses: their fields.
		if d := stateDict(v); d != nil {
			b.metadata(d, path, depth+1)
		} else if v.DictData != nil {
			b.metadata(v.DictData, path, depth+1)
		}
	}
}

var modelKeys = []string{"model_state_dict", "state_dict", "model", "net", "network", "module",
	"model_ema", "ema", "ema_state_dict", "weights", "params", "generator", "encoder"}

// classify names the kind of a torch.save payload and builds it.
func (b *builder) build(root any) {
	switch r := root.(type) {
	case *pickle.Object:
		if isModule(r) {
			b.m.Kind = "full_pickled_module"
			b.walkModule(r, "", 0)
			return
		}
	case *pickle.Dict:
		allTensors, anyTensor := r.Len() > 0, false
		for _, v := range r.Values {
			if !stateDictValue(v) {
				allTensors = false
				break
			}
			if _, ok := v.(pickle.Global); !ok {
				anyTensor = true
			}
		}
		allTensors = allTensors && anyTensor
		if allTensors {
			b.m.Kind = "state_dict"
			b.walk(r, "", 0)
			return
		}
		b.walk(r, "", 0)
		// Tensors only directly under string keys (beside None or
		// _extra_state-like values): still a state_dict.
		flat := len(b.g.Initializers) > 0
		for _, v := range b.g.Initializers {
			if _, ok := r.Get(v.Name); !ok {
				flat = false
				break
			}
		}
		for i, k := range r.Keys {
			ks, _ := k.(string)
			if v := r.Values[i]; v != nil && !stateDictValue(v) && !strings.HasSuffix(ks, "_extra_state") {
				flat = false
				break
			}
		}
		modelKey := ""
		for _, k := range modelKeys {
			if _, ok := r.Get(k); ok {
				modelKey = k
				break
			}
		}
		trainingKeys := false
		for _, k := range r.Keys {
			s, _ := k.(string)
			s = strings.ToLower(s)
			if strings.Contains(s, "optim") || strings.Contains(s, "epoch") || strings.Contains(s, "step") {
				trainingKeys = true
			}
		}
		if flat && modelKey == "" && !trainingKeys {
			b.m.Kind = "state_dict"
			return
		}
		if len(b.g.Initializers) > 0 && (modelKey != "" || trainingKeys) {
			b.m.Kind = "checkpoint"
			if modelKey != "" {
				b.m.Metadata = append(b.m.Metadata, model.KV{Key: "model_key", Value: modelKey})
			}
			for i, k := range r.Keys {
				if i >= 64 {
					break
				}
				if !b.holdsTensors(join("", keyString(k))) {
					b.metadata(r.Values[i], keyString(k), 1)
				} else if d, ok := r.Values[i].(*pickle.Dict); ok {
					// optimizer state dicts: keep param_groups' settings.
					if pg, ok := d.Get("param_groups"); ok {
						b.metadata(pg, join(keyString(k), "param_groups"), 2)
					}
				}
			}
			return
		}
		b.m.Kind = "pickle"
		return
	}
	b.m.Kind = "pickle"
	if _, ok := asTensor(root); ok {
		b.m.Kind = "tensor"
		b.walk(root, "tensor", 0)
		return
	}
	b.walk(root, "", 0)
}

// stateDictValue: a tensor, or a tuple/list of tensors as custom
// _save_to_state_dict hooks write (quantized packed params).
func stateDictValue(v any) bool {
	if _, ok := asTensor(v); ok {
		return true
	}
	switch v.(type) {
	case pickle.Global: // torch.qint8 beside packed params
		return true
	}
	var items []any
	switch v := v.(type) {
	case pickle.Tuple:
		items = v
	case *pickle.List:
		items = v.Items
	}
	if len(items) == 0 {
		return false
	}
	for _, it := range items {
		if _, ok := asTensor(it); !ok && it != nil {
			return false
		}
	}
	return true
}

// holdsTensors reports whether any tensor name starts with prefix.
func (b *builder) holdsTensors(prefix string) bool {
	for _, v := range b.g.Initializers {
		if v.Name == prefix || strings.HasPrefix(v.Name, prefix+".") {
			return true
		}
	}
	return false
}

// holdsTensors reports whether a plain list or tuple attribute holds a
// tensor or a module (nested up to a few levels), so it is walked rather
// than shown as an attribute.
func holdsTensors(v any, depth int) bool {
	if depth > 4 {
		return false
	}
	if _, ok := asTensor(v); ok {
		return true
	}
	var items []any
	switch v := v.(type) {
	case pickle.Tuple:
		items = v
	case *pickle.List:
		items = v.Items
	case *pickle.Dict:
		items = v.Values
	case *pickle.Object:
		return isModule(v)
	}
	for _, it := range items {
		if holdsTensors(it, depth+1) {
			return true
		}
	}
	return false
}
