package pytorch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/model"
)

// codeBase holds the archive's code/ files, parsed on first use.
type codeBase struct {
	a      *zipx.Archive
	prefix string
	files  map[string]*srcFile // by module qualifier, e.g. "__torch__.torch.nn.modules.linear"
	failed map[string]bool
	read   int64
	warn   func(string)
}

// lookup finds the file defining a qualified name's module part.
func (c *codeBase) file(qual string) *srcFile {
	if f, ok := c.files[qual]; ok {
		return f
	}
	if c.failed[qual] {
		return nil
	}
	c.failed[qual] = true // until parsed
	if c.a == nil {
		return nil
	}
	e := c.a.Lookup(c.prefix + "code/" + strings.ReplaceAll(qual, ".", "/") + ".py")
	if e == nil {
		return nil
	}
	if c.read+e.UncompressedSize > maxCode {
		c.warn("serialized code larger than the limit; the rest is not parsed")
		return nil
	}
	src, err := c.a.ReadAll(e, maxCode-c.read)
	if err != nil {
		c.warn(fmt.Sprintf("%s: %v", e.Name, err))
		return nil
	}
	c.read += int64(len(src))
	f, err := parseSource(string(src))
	if err != nil {
		c.warn(fmt.Sprintf("%s: cannot parse: %v", strings.TrimPrefix(e.Name, c.prefix), err))
		return nil
	}
	delete(c.failed, qual)
	c.files[qual] = f
	return f
}

func splitQual(q string) (string, string) {
	i := strings.LastIndexByte(q, '.')
	if i < 0 {
		return "", q
	}
	return q[:i], q[i+1:]
}

func (c *codeBase) class(qual string) *classDef {
	mod, name := splitQual(qual)
	if f := c.file(mod); f != nil {
		return f.Classes[name]
	}
	return nil
}

func (c *codeBase) function(qual string) *funcDef {
	mod, name := splitQual(qual)
	if f := c.file(mod); f != nil {
		return f.Funcs[name]
	}
	return nil
}

var mangle = regexp.MustCompile(`___torch_mangle_\d+\.`)

// demangle drops TorchScript's ___torch_mangle_N module parts.
func demangle(s string) string { return mangle.ReplaceAllString(s, "") }

// tsModule is one module object of a TorchScript archive.
type tsModule struct {
	obj   *pickle.Object
	path  string
	class *classDef
	qual  string
	state *pickle.Dict
}

func (b *builder) torchScript(a *zipx.Archive, prefix string, root any, consts pickle.Tuple) error {
	b.m.Kind = "torchscript"
	ro, ok := root.(*pickle.Object)
	if !ok || stateDict(ro) == nil {
		return errors.New("TorchScript data.pkl does not hold a module object")
	}
	code := &codeBase{a: a, prefix: prefix, files: map[string]*srcFile{}, failed: map[string]bool{},
		warn: func(s string) { b.m.Warnings = append(b.m.Warnings, s) }}
	ts := &tsBuilder{b: b, code: code, modules: map[*pickle.Object]*tsModule{}}
	rootMod := ts.module(ro, "", 0)
	// Tensor constants (CONSTANTS.cN) from constants.pkl.
	ts.consts = consts
	ts.graph(rootMod)
	return nil
}

type tsBuilder struct {
	b       *builder
	code    *codeBase
	modules map[*pickle.Object]*tsModule
	consts  pickle.Tuple
	// graph building state lives in tsgraph.go
	gs *graphState
}

// module walks a TorchScript object: submodules, parameters, buffers and
// plain attributes.
func (ts *tsBuilder) module(o *pickle.Object, path string, depth int) *tsModule {
	b := ts.b
	tm := &tsModule{obj: o, path: path, qual: className(o), state: stateDict(o)}
	if prev, ok := ts.modules[o]; !ok {
		ts.modules[o] = tm
	} else if prev.path != path {
		// Shared submodule: still list it under this path too.
		_ = prev
	}
	tm.class = ts.code.class(tm.qual)
	mod := b.module(path)
	mod.Type = demangle(tm.qual)
	if !b.step(depth) {
		return tm
	}
	tensorNames := map[string]bool{}
	if tm.class != nil {
		for _, n := range tm.class.Params {
			tensorNames[n] = true
		}
		for _, n := range tm.class.Buffers {
			tensorNames[n] = true
		}
		for _, c := range tm.class.Consts {
			if e, ok := c.Default.(*eConst); ok {
				if a, ok := toAttr(c.Name, e.Val); ok {
					mod.Attrs = append(mod.Attrs, a)
				}
			} else if e, ok := c.Default.(*eTuple); ok {
				var vals pickle.Tuple
				for _, it := range e.Items {
					if c, ok := it.(*eConst); ok {
						vals = append(vals, c.Val)
					}
				}
				if a, ok := toAttr(c.Name, vals); ok {
					mod.Attrs = append(mod.Attrs, a)
				}
			}
		}
	}
	if tm.state == nil {
		return tm
	}
	for i, k := range tm.state.Keys {
		name := keyString(k)
		v := tm.state.Values[i]
		if t, ok := asTensor(v); ok {
			if tm.class == nil || tensorNames[name] {
				b.addTensor(join(path, name), t)
			}
			continue
		}
		if co, ok := v.(*pickle.Object); ok && strings.HasPrefix(className(co), "__torch__.") {
			cls := ts.code.class(className(co))
			if stateDict(co) != nil && (cls == nil || cls.IsModule) {
				ts.module(co, join(path, name), depth+1)
				continue
			}
			if cls != nil && cls.IsModule {
				// A module with __getstate__ (quantized convs) pickles a
				// tuple: keep the module and the tensors the tuple holds.
				mod := b.module(join(path, name))
				mod.Type = demangle(className(co))
				b.walk(co.State, join(path, name), depth+1)
				continue
			}
		}
		if name == "training" || strings.HasPrefix(name, "_") {
			continue
		}
		if a, ok := toAttr(name, v); ok {
			mod.Attrs = append(mod.Attrs, a)
		}
	}
	return tm
}

// child returns the submodule object or attribute value named attr.
func (tm *tsModule) attr(name string) (any, bool) {
	if tm.state == nil {
		return nil, false
	}
	return tm.state.Get(name)
}

var _ = model.TensorType
