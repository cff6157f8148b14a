// Package onnx reads ONNX model files (ModelProto) at the protobuf wire
// level. The file is memory-mapped while its structure is walked; tensor
// bytes are recorded as (file, offset, length) and read only by
// Tensor.Load.
package onnx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/modelviz/modelviz/model"
)

// maxFileSize bounds what Open accepts: protobuf cannot describe messages
// over 2 GiB, and larger files are never ONNX structure.
const maxFileSize = 1 << 31

// Open reads the model at path.
func Open(path string) (m *model.Model, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() == 0 {
		return nil, errors.New("file is empty")
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("file is %d bytes, more than the 2 GiB protobuf allows (large weights belong in external data)", st.Size())
	}
	data, release, err := mapFile(fh, st.Size())
	if err != nil {
		return nil, err
	}
	defer release()
	// A file truncated by someone else while mapped faults on access;
	// make that an error instead of a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			m, err = nil, errors.New("the file changed while it was being read")
		}
	}()
	if m, err = parse(data, abs); err == nil {
		m.Path = path
	}
	return m, err
}

// parse reads a ModelProto held in data; path is where it came from
// (external data is resolved beside it).
func parse(data []byte, path string) (*model.Model, error) {
	p := &parser{path: path, ext: newExternals(filepath.Dir(path))}
	m, err := p.parseModel(data)
	if err != nil {
		return nil, err
	}
	m.Path = path
	return m, nil
}

// Probe reports whether head starts like a ModelProto: every field it can
// see has a ModelProto field number with the right wire type, and the
// graph, if visible, starts like a GraphProto.
func Probe(head []byte) bool {
	return probeMessage(head, modelFields, 0) >= 2 || startsWithIRVersion(head)
}

func startsWithIRVersion(head []byte) bool {
	if len(head) < 2 || head[0] != 0x08 {
		return false
	}
	v, n := protowire.ConsumeVarint(head[1:])
	return n > 0 && v >= 1 && v <= 64 && probeMessage(head, modelFields, 0) >= 1
}

// Wire types allowed per field number of the messages Probe looks into.
var (
	modelFields = map[protowire.Number]protowire.Type{
		1: protowire.VarintType, 2: protowire.BytesType, 3: protowire.BytesType,
		4: protowire.BytesType, 5: protowire.VarintType, 6: protowire.BytesType,
		7: protowire.BytesType, 8: protowire.BytesType, 14: protowire.BytesType,
		20: protowire.BytesType, 25: protowire.BytesType, 26: protowire.BytesType,
	}
	graphFields = map[protowire.Number]protowire.Type{
		1: protowire.BytesType, 2: protowire.BytesType, 5: protowire.BytesType,
		10: protowire.BytesType, 11: protowire.BytesType, 12: protowire.BytesType,
		13: protowire.BytesType, 14: protowire.BytesType, 15: protowire.BytesType,
		16: protowire.BytesType,
	}
)

// probeMessage counts the valid fields at the start of b; -1 when it sees
// something that cannot be this message. A field cut off by the end of
// head counts as valid.
func probeMessage(b []byte, schema map[protowire.Number]protowire.Type, depth int) int {
	count := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			if _, _, m := protowire.ConsumeTag(append(b[:len(b):len(b)], 0x08)); m > 0 {
				return count // cut off by the end of head
			}
			return -1
		}
		want, ok := schema[num]
		if !ok || want != typ {
			return -1
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			_, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return count + 1
			}
			b = b[m:]
		case protowire.BytesType:
			l, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return count + 1
			}
			if l > maxFileSize {
				return -1
			}
			b = b[m:]
			inner := b
			if uint64(len(b)) > l {
				inner = b[:l]
			}
			if num == 7 && depth == 0 {
				switch probeMessage(inner, graphFields, 1) {
				case -1:
					return -1
				case 0, 1:
				default:
					count++ // a graph that starts well is worth two fields
				}
			}
			if uint64(len(b)) < l {
				return count + 1
			}
			b = b[l:]
		}
		count++
	}
	return count
}
