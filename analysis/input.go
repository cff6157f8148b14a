package analysis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// ParseInput parses one `--input` flag value: "NAME=1x3x224x224".
//
// Dims are separated by 'x' or '×', or by ',' when the value contains a
// comma (write "x=batch,max_len,768" for symbolic names holding an 'x').
// Each dim is a non-negative integer, a symbolic name (letters, digits,
// '_', '.', not starting with a digit) which stays symbolic, or "?" for
// unknown. "NAME=" or "NAME=()" is a scalar. Without '=' the whole string
// is the shape and name is "": Analyze applies it to the first graph
// input. The split is at the last '=' so names may contain '='.
func ParseInput(s string) (name string, shape model.Shape, err error) {
	spec := s
	if i := strings.LastIndexByte(s, '='); i >= 0 {
		name, spec = s[:i], s[i+1:]
		if name == "" {
			return "", nil, fmt.Errorf("--input %q: empty input name before '='", s)
		}
	}
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "()" {
		if name == "" {
			return "", nil, fmt.Errorf("--input %q: want NAME=SHAPE such as x=1x3x224x224", s)
		}
		return name, model.Shape{}, nil
	}
	var parts []string
	if strings.Contains(spec, ",") {
		parts = strings.Split(spec, ",")
	} else {
		parts = strings.Split(strings.ReplaceAll(spec, "×", "x"), "x")
	}
	if len(parts) > 64 {
		return "", nil, fmt.Errorf("--input %q: too many dims (%d, at most 64)", s, len(parts))
	}
	shape = make(model.Shape, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			return "", nil, fmt.Errorf("--input %q: empty dim", s)
		case p == "?":
			shape = append(shape, model.Dim{})
		case p[0] >= '0' && p[0] <= '9':
			v, e := strconv.ParseInt(p, 10, 64)
			if e != nil || v < 0 {
				return "", nil, fmt.Errorf("--input %q: bad dim %q", s, p)
			}
			shape = append(shape, model.Dim{Value: v, Known: true})
		case isIdent(p):
			shape = append(shape, model.Dim{Param: p})
		default:
			return "", nil, fmt.Errorf("--input %q: bad dim %q", s, p)
		}
	}
	return name, shape, nil
}

func isIdent(s string) bool {
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
			(i > 0 && (r >= '0' && r <= '9' || r == '.'))
		if !ok {
			return false
		}
	}
	return s != ""
}

// ParseInputs parses several `--input` values into Options.Inputs. A name
// given twice is an error.
func ParseInputs(specs []string) (map[string]model.Shape, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	out := make(map[string]model.Shape, len(specs))
	for _, s := range specs {
		name, sh, err := ParseInput(s)
		if err != nil {
			return nil, err
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--input %q: input %q given twice", s, name)
		}
		out[name] = sh
	}
	return out, nil
}
