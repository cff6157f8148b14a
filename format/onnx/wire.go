package onnx

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// fields walks the fields of one protobuf message. base is the file offset
// of the message's first byte, so bytes fields can be located in the file.
type fields struct {
	b    []byte
	pos  int
	base int64
	what string // message name, for errors

	num   protowire.Number
	typ   protowire.Type
	u     uint64 // varint, fixed32 or fixed64 value
	bytes []byte // length-delimited value
	at    int64  // file offset of bytes
	err   error
}

func newFields(b []byte, base int64, what string) *fields {
	return &fields{b: b, base: base, what: what}
}

// next moves to the next field; false at the end or on error (see err).
func (f *fields) next() bool {
	if f.err != nil || f.pos >= len(f.b) {
		return false
	}
	b := f.b[f.pos:]
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		return f.fail(n)
	}
	if num > protowire.MaxValidNumber || num < protowire.MinValidNumber {
		f.err = fmt.Errorf("malformed protobuf in %s at byte %d: invalid field number %d", f.what, f.base+int64(f.pos), num)
		return false
	}
	b = b[n:]
	used := n
	f.num, f.typ = num, typ
	switch typ {
	case protowire.VarintType:
		v, m := protowire.ConsumeVarint(b)
		if m < 0 {
			return f.fail(m)
		}
		f.u, used = v, used+m
	case protowire.Fixed32Type:
		v, m := protowire.ConsumeFixed32(b)
		if m < 0 {
			return f.fail(m)
		}
		f.u, used = uint64(v), used+m
	case protowire.Fixed64Type:
		v, m := protowire.ConsumeFixed64(b)
		if m < 0 {
			return f.fail(m)
		}
		f.u, used = v, used+m
	case protowire.BytesType:
		// ConsumeBytes checks the length against the remaining bytes.
		v, m := protowire.ConsumeBytes(b)
		if m < 0 {
			if l, k := protowire.ConsumeVarint(b); k > 0 && l > uint64(len(b)-k) {
				f.err = fmt.Errorf("truncated or corrupt: field %d of %s at byte %d claims %d bytes, %d remain",
					num, f.what, f.base+int64(f.pos), l, len(b)-k)
				return false
			}
			return f.fail(m)
		}
		f.bytes = v
		f.at = f.base + int64(f.pos+used+m-len(v))
		used += m
	default:
		// Groups are deprecated and never used by ONNX; skipping them would
		// need unbounded recursion.
		f.err = fmt.Errorf("malformed protobuf in %s at byte %d: unsupported wire type %d", f.what, f.base+int64(f.pos), typ)
		return false
	}
	f.pos += used
	return true
}

func (f *fields) fail(code int) bool {
	f.err = fmt.Errorf("malformed protobuf in %s at byte %d: %v", f.what, f.base+int64(f.pos), protowire.ParseError(code))
	return false
}

// wrong reports a field whose wire type does not match the schema.
func (f *fields) wrong() error {
	return fmt.Errorf("malformed %s at byte %d: field %d has wire type %d", f.what, f.base+int64(f.pos), f.num, f.typ)
}

func (f *fields) str() (string, error) {
	if f.typ != protowire.BytesType {
		return "", f.wrong()
	}
	return string(f.bytes), nil
}

func (f *fields) int64() (int64, error) {
	if f.typ != protowire.VarintType {
		return 0, f.wrong()
	}
	return int64(f.u), nil
}

func (f *fields) msg() ([]byte, int64, error) {
	if f.typ != protowire.BytesType {
		return nil, 0, f.wrong()
	}
	return f.bytes, f.at, nil
}

// varints calls fn for each value of a repeated varint field, packed or not.
func (f *fields) varints(fn func(uint64)) error {
	switch f.typ {
	case protowire.VarintType:
		fn(f.u)
		return nil
	case protowire.BytesType:
		b := f.bytes
		for len(b) > 0 {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return fmt.Errorf("malformed packed field %d in %s: %v", f.num, f.what, protowire.ParseError(n))
			}
			fn(v)
			b = b[n:]
		}
		return nil
	}
	return f.wrong()
}

// fixed32s calls fn for each value of a repeated fixed32 field.
func (f *fields) fixed32s(fn func(uint32)) error {
	switch f.typ {
	case protowire.Fixed32Type:
		fn(uint32(f.u))
		return nil
	case protowire.BytesType:
		if len(f.bytes)%4 != 0 {
			return fmt.Errorf("malformed packed field %d in %s: length %d is not a multiple of 4", f.num, f.what, len(f.bytes))
		}
		for b := f.bytes; len(b) > 0; b = b[4:] {
			fn(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		}
		return nil
	}
	return f.wrong()
}

// fixed64s calls fn for each value of a repeated fixed64 field.
func (f *fields) fixed64s(fn func(uint64)) error {
	switch f.typ {
	case protowire.Fixed64Type:
		fn(f.u)
		return nil
	case protowire.BytesType:
		if len(f.bytes)%8 != 0 {
			return fmt.Errorf("malformed packed field %d in %s: length %d is not a multiple of 8", f.num, f.what, len(f.bytes))
		}
		for b := f.bytes; len(b) > 0; b = b[8:] {
			var v uint64
			for i := 7; i >= 0; i-- {
				v = v<<8 | uint64(b[i])
			}
			fn(v)
		}
		return nil
	}
	return f.wrong()
}

// countRepeated counts the values of a repeated scalar field occurrence
// without decoding them; size is 0 for varints, else 4 or 8.
func (f *fields) countRepeated(size int) int64 {
	if f.typ != protowire.BytesType {
		return 1
	}
	if size > 0 {
		return int64(len(f.bytes) / size)
	}
	var n int64
	for _, c := range f.bytes {
		if c < 0x80 {
			n++
		}
	}
	return n
}
