package pickle

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// canon mirrors gen.py's canon() so the Go tree compares to Python's.
func canon(v any) any {
	switch v := v.(type) {
	case nil, bool, string:
		return v
	case int64:
		return map[string]any{"i": big.NewInt(v).String()}
	case *big.Int:
		return map[string]any{"i": v.String()}
	case float64:
		return map[string]any{"f": v}
	case Bytes:
		return map[string]any{"b": hex.EncodeToString(v)}
	case Tuple:
		return map[string]any{"t": canonList(v)}
	case *List:
		return canonList(v.Items)
	case *Dict:
		pairs := []any{}
		for i := range v.Keys {
			pairs = append(pairs, []any{canon(v.Keys[i]), canon(v.Values[i])})
		}
		return map[string]any{"d": pairs}
	case *Set:
		return map[string]any{"set": canonList(v.Items)}
	}
	return map[string]any{"unexpected": Repr(v)}
}

func canonList(items []any) []any {
	out := []any{}
	for _, it := range items {
		out = append(out, canon(it))
	}
	return out
}

func TestProtocols(t *testing.T) {
	raw, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for p := 0; p <= 5; p++ {
		data, err := os.ReadFile(filepath.Join("testdata", "proto"+string(rune('0'+p))+".pkl"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Load(data, nil)
		if err != nil {
			t.Fatalf("protocol %d: %v", p, err)
		}
		if res.End != int64(len(data)) {
			t.Errorf("protocol %d: consumed %d of %d bytes", p, res.End, len(data))
		}
		// Round-trip through JSON so numbers compare like Python's.
		gotRaw, _ := json.Marshal(canon(res.Value))
		var got any
		json.Unmarshal(gotRaw, &got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("protocol %d: tree differs\n got: %.600s\nwant: %.600s", p, gotRaw, raw)
		}
		// The memo keeps shared references shared.
		d := res.Value.(*Dict)
		sh, _ := d.Get("shared")
		if tu := sh.(Tuple); tu[0].(*List) != tu[1].(*List) {
			t.Errorf("protocol %d: memo did not share the list", p)
		}
		if len(res.Unsafe) != 0 {
			t.Errorf("protocol %d: unsafe globals %v in plain data", p, res.Unsafe)
		}
	}
}

func TestNeverRuns(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "pwned")
	cases := map[string]string{
		// protocol 0 GLOBAL os.system
		"global": "cos\nsystem\n(S'touch " + marker + "'\ntR.",
		// protocol 4 STACK_GLOBAL builtins.exec
		"stack_global": "\x80\x04\x8c\x08builtins\x8c\x04exec\x93\x8c" + string(rune(len("open('"+marker+"','w')"))) + "open('" + marker + "','w')\x85R.",
		// INST and OBJ forms
		"inst": "(S'touch " + marker + "'\nios\nsystem\n.",
		"obj":  "(csubprocess\ncall\nS'touch " + marker + "'\no.",
	}
	wantUnsafe := map[string]string{"global": "os.system", "stack_global": "builtins.exec", "inst": "os.system", "obj": "subprocess.call"}
	for name, p := range cases {
		res, err := Load([]byte(p), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(res.Unsafe) != 1 || res.Unsafe[0].String() != wantUnsafe[name] {
			t.Errorf("%s: unsafe = %v", name, res.Unsafe)
		}
		o, ok := res.Value.(*Object)
		if !ok || o.Class.String() != wantUnsafe[name] {
			t.Errorf("%s: value %s", name, Repr(res.Value))
		}
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a pickle payload ran")
	}
}

func TestBadInput(t *testing.T) {
	cases := map[string]string{
		"empty":        "",
		"no stop":      "\x80\x02]",
		"underflow":    "a.",
		"huge bytes":   "\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f.",
		"huge unicode": "X\xff\xff\xff\x7f.",
		"neg string":   "T\xff\xff\xff\xff.",
		"memo miss":    "h\x05.",
		"bad proto":    "\x80\x09N.",
		"unknown op":   "\xff.",
		"build on int": "K\x01}b.",
		"odd dict":     "(K\x01d.",
		"frame":        "\x95\xff\xff\xff\xff\xff\xff\xff\x7fN.",
		"long digits":  "L" + strings.Repeat("9", 5000) + "\n.",
	}
	for name, p := range cases {
		if _, err := Load([]byte(p), nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("(", 100) + "N."
	if _, err := Load([]byte(deep), &Options{Limits: Limits{MaxMarks: 10}}); !errors.Is(err, ErrLimit) {
		t.Errorf("marks: %v", err)
	}
	memo := strings.Repeat("Nq\x00q\x01q\x020", 1) + "N."
	if _, err := Load([]byte(memo), &Options{Limits: Limits{MaxMemo: 2}}); !errors.Is(err, ErrLimit) {
		t.Errorf("memo: %v", err)
	}
	stack := strings.Repeat("N", 100) + "."
	if _, err := Load([]byte(stack), &Options{Limits: Limits{MaxStack: 50}}); !errors.Is(err, ErrLimit) {
		t.Errorf("stack: %v", err)
	}
	objs := strings.Repeat("]0", 100) + "N."
	if _, err := Load([]byte(objs), &Options{Limits: Limits{MaxObjects: 50}}); !errors.Is(err, ErrLimit) {
		t.Errorf("objects: %v", err)
	}
}

func TestOrderedDictWithState(t *testing.T) {
	// What torch.save writes for a state_dict: OrderedDict() then BUILD of
	// its _metadata, then SETITEMS.
	p := "\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01}X\x09\x00\x00\x00_metadata}sbX\x01\x00\x00\x00aK\x01s."
	res, err := Load([]byte(p), nil)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := res.Value.(*Dict)
	if !ok || d.Class == nil || d.Class.String() != "collections.OrderedDict" || d.Len() != 1 || d.State == nil {
		t.Fatalf("got %s", Repr(res.Value))
	}
	if len(res.Globals) != 1 || res.Protocol != 2 {
		t.Errorf("globals %v protocol %d", res.Globals, res.Protocol)
	}
}

func FuzzPickle(f *testing.F) {
	for p := 0; p <= 5; p++ {
		data, err := os.ReadFile(filepath.Join("testdata", "proto"+string(rune('0'+p))+".pkl"))
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("cos\nsystem\n(S'x'\ntR."))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Load(data, &Options{Limits: Limits{MaxMemo: 1000, MaxStack: 1000, MaxObjects: 10000}})
		if err == nil {
			_ = Repr(res.Value)
		}
	})
}

func TestTorchScriptLists(t *testing.T) {
	p := "\x80\x02ctorch.jit._pickle\nbuild_intlist\n](K\x01K\x02e\x85Rctorch.jit._pickle\nrestore_type_tag\n}X\x08\x00\x00\x00Dict[,,]\x86R\x86."
	res, err := Load([]byte(p), nil)
	if err != nil {
		t.Fatal(err)
	}
	tu := res.Value.(Tuple)
	if l, ok := tu[0].(*List); !ok || len(l.Items) != 2 {
		t.Errorf("build_intlist: %s", Repr(tu[0]))
	}
	if _, ok := tu[1].(*Dict); !ok {
		t.Errorf("restore_type_tag: %s", Repr(tu[1]))
	}
}
