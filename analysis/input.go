package analysis

import (
	"fmt"
	"sort"
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
// input. Such a bare shape needs at least one numeric dim ("1x3x224x224",
// "batchx3"), so a bare word like "features" is an error rather than a
// 1-D symbolic shape. The split is at the last '=' so names may contain '='.
func ParseInput(s string) (name string, shape model.Shape, err error) {
	spec := s
	i := strings.LastIndexByte(s, '=')
	hasEq := i >= 0
	if hasEq {
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
	if !hasEq {
		numeric := false
		for _, d := range shape {
			numeric = numeric || d.Known
		}
		if !numeric {
			return "", nil, fmt.Errorf("--input %q: want NAME=SHAPE such as x=1x3x224x224 (a shape without NAME needs a numeric dim)", s)
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

// CheckInputs checks parsed --input overrides against m's main graph: each
// name must be a graph input, a bare shape (name "") needs at least one
// input, and when the file records an input's rank the override must have
// that rank. The error is one line meant for a usage message.
func CheckInputs(m *model.Model, inputs map[string]model.Shape) error {
	if len(inputs) == 0 {
		return nil
	}
	var g *model.Graph
	if m != nil && len(m.Graphs) > 0 {
		g = m.Graphs[0]
	}
	var names []string
	byName := map[string]*model.Value{}
	var first *model.Value
	if g != nil {
		for _, v := range g.Inputs {
			if v == nil {
				continue
			}
			if first == nil {
				first = v
			}
			names = append(names, v.Name)
			byName[v.Name] = v
		}
	}
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		sh := inputs[name]
		v := byName[name]
		if name == "" {
			v = first
		}
		if v == nil {
			what := fmt.Sprintf("no input named %q", name)
			if name == "" {
				what = "no graph inputs"
			}
			if len(names) == 0 {
				return fmt.Errorf("--input %s: the model has %s (it has no graph inputs)", spec(name, sh), what)
			}
			return fmt.Errorf("--input %s: the model has %s; its inputs are: %s", spec(name, sh), what, strings.Join(names, ", "))
		}
		if t := v.Type; t != nil && t.Kind == model.TensorType && t.Shape != nil && len(t.Shape) != len(sh) {
			return fmt.Errorf("--input %s: rank %d, but the file records %s as %s (rank %d)",
				spec(name, sh), len(sh), v.Name, t.Shape, len(t.Shape))
		}
	}
	return nil
}

func spec(name string, sh model.Shape) string {
	if name == "" {
		return sh.String()
	}
	return name + "=" + sh.String()
}
