package pickle

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits bound what a hostile pickle can make us hold. Zero fields take
// the defaults.
type Limits struct {
	MaxMemo    int // memo entries
	MaxStack   int // values on the stack, all mark levels together
	MaxMarks   int // nested MARKs
	MaxObjects int // containers and records built
	MaxDigits  int // digits of a protocol-0 LONG/INT
}

// DefaultLimits are far above what real checkpoints need (a state_dict of
// 100k tensors uses about 1M memo entries) and far below harm.
var DefaultLimits = Limits{MaxMemo: 1 << 23, MaxStack: 1 << 23, MaxMarks: 1 << 16, MaxObjects: 1 << 25, MaxDigits: 4300}

// Options configure one load.
type Options struct {
	Limits Limits
	// Persistent maps a persistent id to a value; nil keeps PersID{id}.
	Persistent func(id any) (any, error)
}

// Result is what a pickle decoded to.
type Result struct {
	Value    any
	Protocol int
	// Globals lists every module.name referenced, in first-seen order.
	Globals []Global
	// Unsafe lists the referenced globals that could run code or reach the
	// system if a real unpickler ran this pickle (we never do).
	Unsafe []Global
	// End is the number of bytes consumed, STOP included.
	End int64
}

// ErrLimit is wrapped by errors from exceeded limits.
var ErrLimit = errors.New("pickle exceeds a safety limit")

type mark struct{}

type machine struct {
	in      *bufio.Reader
	pos     int64
	size    int64 // bytes available in total
	stack   []any
	meta    [][]any
	depth   int // total values on all stack levels
	memo    map[uint32]any
	objects int
	lim     Limits
	opt     *Options
	res     Result
	seen    map[Global]bool
}

// Load decodes one pickle from data.
func Load(data []byte, opt *Options) (*Result, error) {
	return LoadReader(bytes.NewReader(data), int64(len(data)), opt)
}

// LoadReader decodes one pickle from r, which holds at most size bytes;
// lengths in the stream are checked against size before any allocation.
// It stops at STOP, so consecutive pickles can be read one by one.
func LoadReader(r io.Reader, size int64, opt *Options) (*Result, error) {
	if opt == nil {
		opt = &Options{}
	}
	m := &machine{in: bufio.NewReaderSize(r, 64<<10), size: size, memo: map[uint32]any{},
		lim: opt.Limits, opt: opt, seen: map[Global]bool{}}
	d := DefaultLimits
	if m.lim.MaxMemo <= 0 {
		m.lim.MaxMemo = d.MaxMemo
	}
	if m.lim.MaxStack <= 0 {
		m.lim.MaxStack = d.MaxStack
	}
	if m.lim.MaxMarks <= 0 {
		m.lim.MaxMarks = d.MaxMarks
	}
	if m.lim.MaxObjects <= 0 {
		m.lim.MaxObjects = d.MaxObjects
	}
	if m.lim.MaxDigits <= 0 {
		m.lim.MaxDigits = d.MaxDigits
	}
	v, err := m.run()
	if err != nil {
		return nil, fmt.Errorf("pickle at byte %d: %w", m.pos, err)
	}
	m.res.Value = v
	m.res.End = m.pos
	return &m.res, nil
}

func (m *machine) readByte() (byte, error) {
	if m.pos >= m.size {
		return 0, io.ErrUnexpectedEOF
	}
	b, err := m.in.ReadByte()
	if err != nil {
		return 0, io.ErrUnexpectedEOF
	}
	m.pos++
	return b, nil
}

// readN allocates only after checking n against what is left.
func (m *machine) readN(n int64) ([]byte, error) {
	if n < 0 || n > m.size-m.pos {
		return nil, fmt.Errorf("length %d runs past the end of the data", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(m.in, buf); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	m.pos += n
	return buf, nil
}

func (m *machine) readLine() ([]byte, error) {
	var out []byte
	for {
		chunk, err := m.in.ReadSlice('\n')
		m.pos += int64(len(chunk))
		if m.pos > m.size {
			return nil, io.ErrUnexpectedEOF
		}
		out = append(out, chunk...)
		if err == nil {
			return out[:len(out)-1], nil
		}
		if err != bufio.ErrBufferFull {
			return nil, io.ErrUnexpectedEOF
		}
	}
}

func (m *machine) uint(n int) (uint64, error) {
	b, err := m.readN(int64(n))
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

func (m *machine) push(v any) error {
	if m.depth >= m.lim.MaxStack {
		return fmt.Errorf("%w: stack deeper than %d", ErrLimit, m.lim.MaxStack)
	}
	m.depth++
	m.stack = append(m.stack, v)
	return nil
}

func (m *machine) newObject() error {
	m.objects++
	if m.objects > m.lim.MaxObjects {
		return fmt.Errorf("%w: more than %d objects", ErrLimit, m.lim.MaxObjects)
	}
	return nil
}

var errUnderflow = errors.New("stack underflow")

func (m *machine) pop() (any, error) {
	if len(m.stack) == 0 {
		return nil, errUnderflow
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	m.depth--
	return v, nil
}

func (m *machine) top() (any, error) {
	if len(m.stack) == 0 {
		return nil, errUnderflow
	}
	return m.stack[len(m.stack)-1], nil
}

func (m *machine) popMark() ([]any, error) {
	if len(m.meta) == 0 {
		return nil, errors.New("no MARK on the stack")
	}
	items := m.stack
	m.depth -= len(items)
	m.stack = m.meta[len(m.meta)-1]
	m.meta = m.meta[:len(m.meta)-1]
	return items, nil
}

func (m *machine) global(mod, name string) Global {
	g := Global{mod, name}
	if !m.seen[g] {
		m.seen[g] = true
		m.res.Globals = append(m.res.Globals, g)
		if IsUnsafe(g) {
			m.res.Unsafe = append(m.res.Unsafe, g)
		}
	}
	return g
}

func (m *machine) put(idx uint64) error {
	v, err := m.top()
	if err != nil {
		return err
	}
	if idx > math.MaxUint32 {
		return fmt.Errorf("memo index %d out of range", idx)
	}
	if _, ok := m.memo[uint32(idx)]; !ok && len(m.memo) >= m.lim.MaxMemo {
		return fmt.Errorf("%w: memo larger than %d", ErrLimit, m.lim.MaxMemo)
	}
	m.memo[uint32(idx)] = v
	return nil
}

func (m *machine) get(idx uint64) error {
	if idx > math.MaxUint32 {
		return fmt.Errorf("memo index %d out of range", idx)
	}
	v, ok := m.memo[uint32(idx)]
	if !ok {
		return fmt.Errorf("memo key %d not found", idx)
	}
	return m.push(v)
}

func (m *machine) run() (any, error) {
	for {
		op, err := m.readByte()
		if err != nil {
			return nil, errors.New("pickle ends without STOP")
		}
		if op == '.' { // STOP
			v, err := m.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		}
		if err := m.step(op); err != nil {
			return nil, fmt.Errorf("opcode 0x%02x: %w", op, err)
		}
	}
}

func (m *machine) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		b, err := m.readByte()
		if err != nil {
			return err
		}
		if b > 5 {
			return fmt.Errorf("unsupported pickle protocol %d", b)
		}
		m.res.Protocol = int(b)
	case 0x95: // FRAME: frames only group bytes; check the length is sane.
		n, err := m.uint(8)
		if err != nil {
			return err
		}
		if n > uint64(m.size-m.pos) {
			return fmt.Errorf("frame of %d bytes runs past the end", n)
		}
	case '(': // MARK
		if len(m.meta) >= m.lim.MaxMarks {
			return fmt.Errorf("%w: more than %d nested MARKs", ErrLimit, m.lim.MaxMarks)
		}
		m.meta = append(m.meta, m.stack)
		m.stack = make([]any, 0, 4)
	case '0': // POP
		if len(m.stack) == 0 {
			_, err := m.popMark()
			return err
		}
		_, err := m.pop()
		return err
	case '1': // POP_MARK
		_, err := m.popMark()
		return err
	case '2': // DUP
		v, err := m.top()
		if err != nil {
			return err
		}
		return m.push(v)

	// Constants and numbers.
	case 'N':
		return m.push(nil)
	case 0x88:
		return m.push(true)
	case 0x89:
		return m.push(false)
	case 'I': // INT (text); "00"/"01" are False/True
		line, err := m.readLine()
		if err != nil {
			return err
		}
		switch string(line) {
		case "00":
			return m.push(false)
		case "01":
			return m.push(true)
		}
		v, err := m.parseInt(string(line))
		if err != nil {
			return err
		}
		return m.push(v)
	case 'L': // LONG (text)
		line, err := m.readLine()
		if err != nil {
			return err
		}
		line = bytes.TrimSuffix(line, []byte("L"))
		v, err := m.parseInt(string(line))
		if err != nil {
			return err
		}
		return m.push(v)
	case 'J':
		v, err := m.uint(4)
		if err != nil {
			return err
		}
		return m.push(int64(int32(uint32(v))))
	case 'K':
		v, err := m.uint(1)
		if err != nil {
			return err
		}
		return m.push(int64(v))
	case 'M':
		v, err := m.uint(2)
		if err != nil {
			return err
		}
		return m.push(int64(v))
	case 0x8a, 0x8b: // LONG1, LONG4
		var n uint64
		var err error
		if op == 0x8a {
			n, err = m.uint(1)
		} else {
			n, err = m.uint(4)
		}
		if err != nil {
			return err
		}
		if n > uint64(m.lim.MaxDigits) {
			return fmt.Errorf("%w: integer of %d bytes", ErrLimit, n)
		}
		b, err := m.readN(int64(n))
		if err != nil {
			return err
		}
		return m.push(decodeLong(b))
	case 'F': // FLOAT (text)
		line, err := m.readLine()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(string(line), 64)
		if err != nil {
			return fmt.Errorf("bad FLOAT %q", truncate(line))
		}
		return m.push(f)
	case 'G':
		b, err := m.readN(8)
		if err != nil {
			return err
		}
		return m.push(math.Float64frombits(binary.BigEndian.Uint64(b)))

	// Strings and bytes.
	case 'S': // STRING: a quoted Python 2 str repr
		line, err := m.readLine()
		if err != nil {
			return err
		}
		s, err := unquote(line)
		if err != nil {
			return err
		}
		return m.push(s)
	case 'T', 'U', 'B', 'C', 0x8e, 'X', 0x8c, 0x8d, 0x96:
		var size int
		switch op {
		case 'U', 'C', 0x8c:
			size = 1
		case 'T', 'B', 'X':
			size = 4
		default:
			size = 8
		}
		n, err := m.uint(size)
		if err != nil {
			return err
		}
		if op == 'T' && int32(uint32(n)) < 0 {
			return errors.New("negative BINSTRING length")
		}
		if n > math.MaxInt64 {
			return fmt.Errorf("length %d out of range", n)
		}
		b, err := m.readN(int64(n))
		if err != nil {
			return err
		}
		switch op {
		case 'B', 'C', 0x8e, 0x96:
			return m.push(Bytes(b))
		}
		return m.push(string(b))
	case 'V': // UNICODE: raw-unicode-escape text
		line, err := m.readLine()
		if err != nil {
			return err
		}
		return m.push(rawUnicodeEscape(line))

	// Containers.
	case ')':
		return m.push(Tuple{})
	case 0x85, 0x86, 0x87:
		n := int(op - 0x84)
		if len(m.stack) < n {
			return errUnderflow
		}
		t := make(Tuple, n)
		copy(t, m.stack[len(m.stack)-n:])
		m.stack = m.stack[:len(m.stack)-n]
		m.depth -= n
		return m.push(t)
	case 't':
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.push(Tuple(items))
	case ']':
		if err := m.newObject(); err != nil {
			return err
		}
		return m.push(&List{})
	case 'l':
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if err := m.newObject(); err != nil {
			return err
		}
		return m.push(&List{Items: items})
	case '}':
		if err := m.newObject(); err != nil {
			return err
		}
		return m.push(&Dict{})
	case 'd':
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return errors.New("DICT with an odd number of items")
		}
		if err := m.newObject(); err != nil {
			return err
		}
		d := &Dict{}
		for i := 0; i < len(items); i += 2 {
			d.Set(items[i], items[i+1])
		}
		return m.push(d)
	case 0x8f:
		if err := m.newObject(); err != nil {
			return err
		}
		return m.push(&Set{})
	case 0x91:
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if err := m.newObject(); err != nil {
			return err
		}
		return m.push(&Set{Items: items, Frozen: true})
	case 'a': // APPEND
		v, err := m.pop()
		if err != nil {
			return err
		}
		return m.appendTo([]any{v})
	case 'e': // APPENDS
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.appendTo(items)
	case 's': // SETITEM
		v, err := m.pop()
		if err != nil {
			return err
		}
		k, err := m.pop()
		if err != nil {
			return err
		}
		return m.setItems([]any{k, v})
	case 'u': // SETITEMS
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return errors.New("SETITEMS with an odd number of items")
		}
		return m.setItems(items)
	case 0x90: // ADDITEMS
		items, err := m.popMark()
		if err != nil {
			return err
		}
		t, err := m.top()
		if err != nil {
			return err
		}
		s, ok := t.(*Set)
		if !ok || s.Frozen {
			return fmt.Errorf("ADDITEMS on %T", t)
		}
		s.Items = append(s.Items, items...)

	// Memo.
	case 'p':
		line, err := m.readLine()
		if err != nil {
			return err
		}
		idx, err := strconv.ParseUint(string(line), 10, 32)
		if err != nil {
			return fmt.Errorf("bad PUT index %q", truncate(line))
		}
		return m.put(idx)
	case 'q':
		idx, err := m.uint(1)
		if err != nil {
			return err
		}
		return m.put(idx)
	case 'r':
		idx, err := m.uint(4)
		if err != nil {
			return err
		}
		return m.put(idx)
	case 0x94: // MEMOIZE
		return m.put(uint64(len(m.memo)))
	case 'g':
		line, err := m.readLine()
		if err != nil {
			return err
		}
		idx, err := strconv.ParseUint(string(line), 10, 32)
		if err != nil {
			return fmt.Errorf("bad GET index %q", truncate(line))
		}
		return m.get(idx)
	case 'h':
		idx, err := m.uint(1)
		if err != nil {
			return err
		}
		return m.get(idx)
	case 'j':
		idx, err := m.uint(4)
		if err != nil {
			return err
		}
		return m.get(idx)

	// Globals and calls: recorded, never resolved or run.
	case 'c': // GLOBAL
		mod, err := m.readLine()
		if err != nil {
			return err
		}
		name, err := m.readLine()
		if err != nil {
			return err
		}
		return m.push(m.global(string(mod), string(name)))
	case 0x93: // STACK_GLOBAL
		name, err := m.pop()
		if err != nil {
			return err
		}
		mod, err := m.pop()
		if err != nil {
			return err
		}
		ms, ok1 := mod.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return errors.New("STACK_GLOBAL needs two strings")
		}
		return m.push(m.global(ms, ns))
	case 'R': // REDUCE
		args, err := m.pop()
		if err != nil {
			return err
		}
		fn, err := m.pop()
		if err != nil {
			return err
		}
		t, ok := args.(Tuple)
		if !ok {
			return fmt.Errorf("REDUCE arguments are %T, not a tuple", args)
		}
		v, err := m.apply(fn, t, nil, "reduce")
		if err != nil {
			return err
		}
		return m.push(v)
	case 0x81: // NEWOBJ
		args, err := m.pop()
		if err != nil {
			return err
		}
		cls, err := m.pop()
		if err != nil {
			return err
		}
		t, ok := args.(Tuple)
		if !ok {
			return fmt.Errorf("NEWOBJ arguments are %T, not a tuple", args)
		}
		v, err := m.apply(cls, t, nil, "newobj")
		if err != nil {
			return err
		}
		return m.push(v)
	case 0x92: // NEWOBJ_EX
		kw, err := m.pop()
		if err != nil {
			return err
		}
		args, err := m.pop()
		if err != nil {
			return err
		}
		cls, err := m.pop()
		if err != nil {
			return err
		}
		t, ok := args.(Tuple)
		kd, ok2 := kw.(*Dict)
		if !ok || !ok2 {
			return errors.New("NEWOBJ_EX needs a tuple and a dict")
		}
		v, err := m.apply(cls, t, kd, "newobj")
		if err != nil {
			return err
		}
		return m.push(v)
	case 'i': // INST
		mod, err := m.readLine()
		if err != nil {
			return err
		}
		name, err := m.readLine()
		if err != nil {
			return err
		}
		args, err := m.popMark()
		if err != nil {
			return err
		}
		v, err := m.apply(m.global(string(mod), string(name)), Tuple(args), nil, "inst")
		if err != nil {
			return err
		}
		return m.push(v)
	case 'o': // OBJ
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return errors.New("OBJ without a class")
		}
		v, err := m.apply(items[0], Tuple(items[1:]), nil, "obj")
		if err != nil {
			return err
		}
		return m.push(v)
	case 'b': // BUILD
		state, err := m.pop()
		if err != nil {
			return err
		}
		t, err := m.top()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case *Object:
			t.State = state
		case *Dict:
			t.State = state
		default:
			return fmt.Errorf("BUILD on %T", t)
		}
	case 'P': // PERSID
		line, err := m.readLine()
		if err != nil {
			return err
		}
		return m.persistent(string(line))
	case 'Q': // BINPERSID
		id, err := m.pop()
		if err != nil {
			return err
		}
		return m.persistent(id)
	case 0x82, 0x83, 0x84: // EXT1, EXT2, EXT4: a copyreg registry code
		n := map[byte]int{0x82: 1, 0x83: 2, 0x84: 4}[op]
		code, err := m.uint(n)
		if err != nil {
			return err
		}
		return m.push(Opaque{fmt.Sprintf("copyreg extension %d", code)})
	case 0x97: // NEXT_BUFFER
		return m.push(Opaque{"out-of-band buffer"})
	case 0x98: // READONLY_BUFFER: the top stays what it is
		_, err := m.top()
		return err
	default:
		return errors.New("unknown opcode")
	}
	return nil
}

func (m *machine) persistent(id any) error {
	if m.opt.Persistent != nil {
		v, err := m.opt.Persistent(id)
		if err != nil {
			return err
		}
		return m.push(v)
	}
	return m.push(PersID{id})
}

func (m *machine) appendTo(items []any) error {
	t, err := m.top()
	if err != nil {
		return err
	}
	switch t := t.(type) {
	case *List:
		t.Items = append(t.Items, items...)
	case *Object:
		t.Items = append(t.Items, items...)
	default:
		return fmt.Errorf("APPEND to %T", t)
	}
	return nil
}

func (m *machine) setItems(kv []any) error {
	t, err := m.top()
	if err != nil {
		return err
	}
	var d *Dict
	switch t := t.(type) {
	case *Dict:
		d = t
	case *Object:
		if t.DictData == nil {
			t.DictData = &Dict{}
		}
		d = t.DictData
	default:
		return fmt.Errorf("SETITEM on %T", t)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i], kv[i+1])
	}
	return nil
}

func isBuiltin(g Global, names ...string) bool {
	if g.Module != "builtins" && g.Module != "__builtin__" {
		return false
	}
	for _, n := range names {
		if g.Name == n {
			return true
		}
	}
	return false
}

// apply records a call. A few pure data constructors become plain values
// so consumers see dicts and sets; everything else is an *Object.
func (m *machine) apply(fn any, args Tuple, kw *Dict, how string) (any, error) {
	if err := m.newObject(); err != nil {
		return nil, err
	}
	g, ok := fn.(Global)
	if !ok {
		return &Object{Callable: fn, Args: args, Kwargs: kw, How: how}, nil
	}
	switch {
	case g == Global{"collections", "OrderedDict"} || isBuiltin(g, "dict"):
		if len(args) == 0 && kw.Len() == 0 {
			cls := g
			return &Dict{Class: &cls}, nil
		}
	case isBuiltin(g, "set", "frozenset"):
		s := &Set{Frozen: g.Name == "frozenset"}
		if len(args) == 0 {
			return s, nil
		}
		if len(args) == 1 {
			switch a := args[0].(type) {
			case *List:
				s.Items = append(s.Items, a.Items...)
				return s, nil
			case Tuple:
				s.Items = append(s.Items, a...)
				return s, nil
			}
		}
	case isBuiltin(g, "bytearray", "bytes"):
		if len(args) == 0 {
			return Bytes{}, nil
		}
		if b, ok := args[0].(Bytes); ok && len(args) == 1 {
			return Bytes(append([]byte(nil), b...)), nil
		}
		if b, ok := latin1(args); ok {
			return b, nil
		}
	case g.Module == "torch.jit._pickle" && len(args) == 1 && strings.HasPrefix(g.Name, "build_") && strings.HasSuffix(g.Name, "list"):
		// TorchScript's typed lists: build_intlist([1, 2]) is the list.
		if l, ok := args[0].(*List); ok {
			return l, nil
		}
	case g == Global{"torch.jit._pickle", "restore_type_tag"} && len(args) == 2:
		// (value, "Dict[str, int]"): the type tag only.
		return args[0], nil
	case g == Global{"_codecs", "encode"}:
		// Python 2 compatible pickles write bytes as encode(str, "latin1").
		if b, ok := latin1(args); ok {
			return b, nil
		}
	}
	return &Object{Class: g, Args: args, Kwargs: kw, How: how}, nil
}

// latin1 decodes the (str, "latin1") argument pair of bytes-like rebuilds.
func latin1(args Tuple) (Bytes, bool) {
	if len(args) != 2 {
		return nil, false
	}
	s, ok1 := args[0].(string)
	enc, ok2 := args[1].(string)
	if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
		return nil, false
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

func (m *machine) parseInt(s string) (any, error) {
	if len(s) > m.lim.MaxDigits {
		return nil, fmt.Errorf("%w: integer of %d digits", ErrLimit, len(s))
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("bad integer %q", truncate([]byte(s)))
	}
	return b, nil
}

// decodeLong reads a little-endian two's complement integer.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		shift := uint(64 - 8*len(b))
		return int64(v<<shift) >> shift
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	if v.IsInt64() {
		return v.Int64()
	}
	return v
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// unquote decodes a protocol-0 STRING argument: a Python repr in quotes.
func unquote(line []byte) (string, error) {
	if len(line) < 2 || (line[0] != '\'' && line[0] != '"') || line[len(line)-1] != line[0] {
		return "", fmt.Errorf("STRING not quoted: %q", truncate(line))
	}
	s := line[1 : len(line)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			out = append(out, c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'v':
			out = append(out, 11)
		case 'x':
			if i+2 < len(s) {
				if v, err := strconv.ParseUint(string(s[i+1:i+3]), 16, 8); err == nil {
					out = append(out, byte(v))
					i += 2
					continue
				}
			}
			out = append(out, '\\', 'x')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(string(s[i:j]), 8, 16)
			out = append(out, byte(v))
			i = j - 1
		case '\n':
		default:
			out = append(out, c) // \\, \', \" and unknown escapes
		}
	}
	return string(out), nil
}

// rawUnicodeEscape decodes Python's raw-unicode-escape: only \uXXXX and
// \UXXXXXXXX are escapes; other bytes are Latin-1.
func rawUnicodeEscape(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == 'u' || b[i+1] == 'U') {
			n := 4
			if b[i+1] == 'U' {
				n = 8
			}
			if i+2+n <= len(b) {
				if v, err := strconv.ParseUint(string(b[i+2:i+2+n]), 16, 32); err == nil {
					r := rune(v)
					if !utf8.ValidRune(r) {
						r = utf8.RuneError
					}
					out = utf8.AppendRune(out, r)
					i += 1 + n
					continue
				}
			}
		}
		out = utf8.AppendRune(out, rune(b[i]))
	}
	return string(out)
}
