package pt2

import (
	"bytes"
	"encoding/json"
)

// The JSON shapes of torch/_export/serde/schema.py. Unions (Argument,
// SymInt, InputSpec, ...) are objects with exactly one key and stay raw
// until the key is known. Only fields modelviz shows are declared.

type exportedProgram struct {
	GraphModule      *graphModule               `json:"graph_module"`
	OpsetVersion     map[string]int64           `json:"opset_version"`
	RangeConstraints map[string]rangeConstraint `json:"range_constraints"`
	SchemaVersion    *struct {
		Major int64 `json:"major"`
		Minor int64 `json:"minor"`
	} `json:"schema_version"`
	TorchVersion string `json:"torch_version"`
}

type rangeConstraint struct {
	Min json.RawMessage `json:"min_val"`
	Max json.RawMessage `json:"max_val"`
}

type graphModule struct {
	Graph     *graph            `json:"graph"`
	Signature *signature        `json:"signature"`
	Metadata  map[string]string `json:"metadata"`
}

type graph struct {
	Inputs       []union               `json:"inputs"`
	Outputs      []union               `json:"outputs"`
	Nodes        []node                `json:"nodes"`
	TensorValues map[string]tensorMeta `json:"tensor_values"`
	SymIntValues map[string]union      `json:"sym_int_values"`
}

type node struct {
	Target   string            `json:"target"`
	Inputs   []namedArgument   `json:"inputs"`
	Outputs  []union           `json:"outputs"`
	Metadata map[string]string `json:"metadata"`
	Name     *string           `json:"name"`
}

type namedArgument struct {
	Name string `json:"name"`
	Arg  union  `json:"arg"`
}

type tensorMeta struct {
	DType int     `json:"dtype"`
	Sizes []union `json:"sizes"`
	// Strides and StorageOffset locate weights inside their storage.
	Strides       []union `json:"strides"`
	StorageOffset union   `json:"storage_offset"`
}

// signature is GraphSignature; the legacy fields are torch 2.1's.
type signature struct {
	InputSpecs  []union `json:"input_specs"`
	OutputSpecs []union `json:"output_specs"`

	InputsToParameters map[string]string `json:"inputs_to_parameters"`
	InputsToBuffers    map[string]string `json:"inputs_to_buffers"`
	UserInputs         []string          `json:"user_inputs"`
}

// payloadConfig is data/weights/<model>_weights_config.json.
type payloadConfig struct {
	Config map[string]payloadMeta `json:"config"`
}

type payloadMeta struct {
	PathName   string      `json:"path_name"`
	IsParam    bool        `json:"is_param"`
	UsePickle  bool        `json:"use_pickle"`
	TensorMeta *tensorMeta `json:"tensor_meta"`
}

// union is a one-key JSON object.
type union map[string]json.RawMessage

// kind returns the union's key and value; "" when it is not a union.
func (u union) kind() (string, json.RawMessage) {
	if len(u) != 1 {
		// Older files may add null siblings; pick the one non-null key.
		var k string
		var v json.RawMessage
		n := 0
		for key, val := range u {
			if string(val) != "null" {
				k, v = key, val
				n++
			}
		}
		if n != 1 {
			return "", nil
		}
		return k, v
	}
	for k, v := range u {
		return k, v
	}
	return "", nil
}

// nameOf reads {"name": "..."} (TensorArgument, TokenArgument, ...).
func nameOf(raw json.RawMessage) (string, bool) {
	var t struct {
		Name *string `json:"name"`
	}
	if json.Unmarshal(raw, &t) != nil || t.Name == nil {
		return "", false
	}
	return *t.Name, true
}

// symInt reads a SymInt: {"as_int": 3} or {"as_expr": {"expr_str": "s0"}}
// (older files: {"as_expr": "s0"}).
func symInt(u union) (v int64, expr string, ok bool) {
	k, raw := u.kind()
	switch k {
	case "as_int":
		if json.Unmarshal(raw, &v) == nil {
			return v, "", true
		}
	case "as_expr":
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return 0, s, true
		}
		var e struct {
			ExprStr string `json:"expr_str"`
		}
		if json.Unmarshal(raw, &e) == nil && e.ExprStr != "" {
			return 0, e.ExprStr, true
		}
	}
	return 0, "", false
}

// fixJSON turns the bare NaN, Infinity and -Infinity that Python's json
// module writes for float arguments into strings encoding/json accepts.
func fixJSON(b []byte) []byte {
	if !bytes.Contains(b, []byte("NaN")) && !bytes.Contains(b, []byte("Infinity")) {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	inStr := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			out = append(out, c)
			if c == '\\' && i+1 < len(b) {
				i++
				out = append(out, b[i])
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch {
		case c == '"':
			inStr = true
			out = append(out, c)
		case bytes.HasPrefix(b[i:], []byte("NaN")):
			out = append(out, `"NaN"`...)
			i += 2
		case bytes.HasPrefix(b[i:], []byte("-Infinity")):
			out = append(out, `"-Infinity"`...)
			i += 8
		case bytes.HasPrefix(b[i:], []byte("Infinity")):
			out = append(out, `"Infinity"`...)
			i += 7
		default:
			out = append(out, c)
		}
	}
	return out
}
