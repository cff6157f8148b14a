// Package pickle is a restricted pickle machine: it decodes every opcode of
// protocols 0 to 5 into a tree of plain Go values and never imports, calls
// or instantiates anything. Globals stay symbolic (Global), and applying a
// callable yields an *Object record that consumers interpret (PyTorch's
// tensor rebuild functions) or just show.
package pickle

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// The tree holds these types: nil (None), bool, int64, *big.Int, float64,
// string, Bytes, Tuple, *List, *Dict, *Set, Global, *Object, PersID, Opaque.

// Bytes is a bytes or bytearray value.
type Bytes []byte

// Tuple is an immutable sequence.
type Tuple []any

// List is a mutable sequence; a pointer so memo references share it.
type List struct{ Items []any }

// Dict keeps insertion order. Class is set for dict-like classes built by
// REDUCE/NEWOBJ (collections.OrderedDict); State holds what BUILD gave it
// (an OrderedDict's attributes, e.g. state_dict's _metadata).
type Dict struct {
	Class  *Global
	Keys   []any
	Values []any
	State  any
	index  map[string]int
}

// Set is a set or frozenset.
type Set struct {
	Items  []any
	Frozen bool
}

// Global is a symbolic module.name reference from GLOBAL, STACK_GLOBAL or
// INST; it is never resolved.
type Global struct{ Module, Name string }

func (g Global) String() string { return g.Module + "." + g.Name }

// Object is the record of applying a callable: REDUCE, NEWOBJ, NEWOBJ_EX,
// OBJ or INST. Nothing was called; Class and Args say what would have been.
type Object struct {
	Class Global
	// Callable is set instead of Class when the callable was not a global
	// (e.g. the result of another reduction).
	Callable any
	Args     []any
	Kwargs   *Dict
	State    any    // from BUILD
	Items    []any  // from APPEND(S) on the object (list subclasses)
	DictData *Dict  // from SETITEM(S) on the object (dict subclasses)
	How      string // "reduce", "newobj", "inst", "obj"
}

// PersID is a persistent id (PERSID/BINPERSID); PyTorch uses them for storages.
type PersID struct{ ID any }

// Opaque stands for something the pickle refers to but cannot carry
// (extension-registry codes, out-of-band buffers).
type Opaque struct{ What string }

// Get returns the value under a string key, for *Dict.
func (d *Dict) Get(key string) (any, bool) {
	if d == nil {
		return nil, false
	}
	if i, ok := d.index["s"+key]; ok {
		return d.Values[i], true
	}
	return nil, false
}

// Len is the number of entries.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.Keys)
}

func dictKey(k any) (string, bool) {
	switch k := k.(type) {
	case string:
		return "s" + k, true
	case int64:
		return "i" + strconv.FormatInt(k, 10), true
	case bool:
		if k {
			return "i1", true
		}
		return "i0", true
	case *big.Int:
		if k.IsInt64() {
			return "i" + k.String(), true
		}
		return "b" + k.String(), true
	case float64:
		return "f" + strconv.FormatFloat(k, 'g', -1, 64), true
	case Bytes:
		return "y" + string(k), true
	case Global:
		return "g" + k.String(), true
	}
	return "", false
}

// Set stores key → value, replacing an equal hashable key as Python would.
func (d *Dict) Set(k, v any) {
	if s, ok := dictKey(k); ok {
		if d.index == nil {
			d.index = make(map[string]int)
		}
		if i, ok := d.index[s]; ok {
			d.Values[i] = v
			return
		}
		d.index[s] = len(d.Keys)
	}
	d.Keys = append(d.Keys, k)
	d.Values = append(d.Values, v)
}

// Repr renders a value briefly for display, depth and length limited.
func Repr(v any) string {
	var b strings.Builder
	repr(&b, v, 0)
	return b.String()
}

func repr(b *strings.Builder, v any, depth int) {
	if b.Len() > 200 {
		b.WriteString("…")
		return
	}
	if depth > 4 {
		b.WriteString("…")
		return
	}
	seq := func(open, close string, items []any) {
		b.WriteString(open)
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			if i >= 8 {
				fmt.Fprintf(b, "… (%d items)", len(items))
				break
			}
			repr(b, it, depth+1)
		}
		b.WriteString(close)
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case *big.Int:
		s := v.String()
		if len(s) > 40 {
			s = s[:20] + "…"
		}
		b.WriteString(s)
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		if len(v) > 60 {
			v = v[:60] + "…"
		}
		b.WriteString(strconv.Quote(v))
	case Bytes:
		fmt.Fprintf(b, "b<%d bytes>", len(v))
	case Tuple:
		seq("(", ")", v)
	case *List:
		seq("[", "]", v.Items)
	case *Set:
		seq("{", "}", v.Items)
	case *Dict:
		b.WriteString("{")
		for i := range v.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if i >= 8 {
				fmt.Fprintf(b, "… (%d items)", len(v.Keys))
				break
			}
			repr(b, v.Keys[i], depth+1)
			b.WriteString(": ")
			repr(b, v.Values[i], depth+1)
		}
		b.WriteString("}")
	case Global:
		b.WriteString(v.String())
	case *Object:
		if v.Callable != nil {
			b.WriteString("<call>")
		} else {
			b.WriteString(v.Class.String())
		}
		seq("(", ")", v.Args)
	case PersID:
		b.WriteString("persistent_id")
		repr(b, v.ID, depth+1)
	case Opaque:
		b.WriteString("<" + v.What + ">")
	default:
		fmt.Fprintf(b, "<%T>", v)
	}
}
