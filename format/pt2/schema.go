package pt2

import (
	"bytes"
	"encoding/json"
)

// The JSON shapes of torch/_export/serde/schema.py. Unions are objects with
// exactly one key. The ones met per node (Argument, SymInt) are structs with
// a pointer per variant, decoded in the one pass over the file; the rare
// ones (InputSpec, OutputSpec) stay raw until their key is known. Only
// fields modelviz shows are declared.

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
	Inputs       []argument            `json:"inputs"`
	Outputs      []argument            `json:"outputs"`
	Nodes        []node                `json:"nodes"`
	TensorValues map[string]tensorMeta `json:"tensor_values"`
	SymIntValues map[string]symInt     `json:"sym_int_values"`
}

type node struct {
	Target   string            `json:"target"`
	Inputs   []namedArgument   `json:"inputs"`
	Outputs  []argument        `json:"outputs"`
	Metadata map[string]string `json:"metadata"`
	Name     *string           `json:"name"`
}

type namedArgument struct {
	Name string   `json:"name"`
	Arg  argument `json:"arg"`
}

type tensorMeta struct {
	DType int      `json:"dtype"`
	Sizes []symInt `json:"sizes"`
	// Strides and StorageOffset locate weights inside their storage.
	Strides       []symInt `json:"strides"`
	StorageOffset *symInt  `json:"storage_offset"`
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

// symInt is a SymInt: {"as_int": 3} or {"as_expr": {"expr_str": "s0"}}
// (older files: {"as_expr": "s0"}).
type symInt struct {
	AsInt  *int64          `json:"as_int"`
	AsExpr json.RawMessage `json:"as_expr"`
}

func (s *symInt) get() (v int64, expr string, ok bool) {
	switch {
	case s == nil:
	case s.AsInt != nil:
		return *s.AsInt, "", true
	case len(s.AsExpr) > 0 && s.AsExpr[0] == '"':
		if json.Unmarshal(s.AsExpr, &expr) == nil {
			return 0, expr, true
		}
	case len(s.AsExpr) > 0:
		var e struct {
			ExprStr string `json:"expr_str"`
		}
		if json.Unmarshal(s.AsExpr, &e) == nil && e.ExprStr != "" {
			return 0, e.ExprStr, true
		}
	}
	return 0, "", false
}

// named is TensorArgument, TokenArgument or CustomObjArgument.
type named struct {
	Name *string `json:"name"`
}

// symArg is SymIntArgument, SymBoolArgument or SymFloatArgument: a value
// name or a literal.
type symArg struct {
	AsName  *string         `json:"as_name"`
	AsInt   json.RawMessage `json:"as_int"`
	AsBool  json.RawMessage `json:"as_bool"`
	AsFloat json.RawMessage `json:"as_float"`
}

// optTensor is OptionalTensorArgument.
type optTensor struct {
	AsTensor *named `json:"as_tensor"`
	AsNone   *bool  `json:"as_none"`
}

type device struct {
	Type  string `json:"type"`
	Index *int   `json:"index"`
}

type graphArg struct {
	Name  string `json:"name"`
	Graph *graph `json:"graph"`
}

// argument is the Argument union, every variant of schema 8.17. A variant
// added later decodes to an empty argument and is skipped.
type argument struct {
	AsNone            json.RawMessage   `json:"as_none"`
	AsTensor          *named            `json:"as_tensor"`
	AsTensors         []named           `json:"as_tensors"`
	AsInt             json.RawMessage   `json:"as_int"`
	AsInts            []json.RawMessage `json:"as_ints"`
	AsFloat           json.RawMessage   `json:"as_float"`
	AsFloats          []json.RawMessage `json:"as_floats"`
	AsString          *string           `json:"as_string"`
	AsStrings         []string          `json:"as_strings"`
	AsSymInt          *symArg           `json:"as_sym_int"`
	AsSymInts         []symArg          `json:"as_sym_ints"`
	AsScalarType      *int              `json:"as_scalar_type"`
	AsMemoryFormat    *int              `json:"as_memory_format"`
	AsLayout          *int              `json:"as_layout"`
	AsDevice          *device           `json:"as_device"`
	AsBool            *bool             `json:"as_bool"`
	AsBools           []json.RawMessage `json:"as_bools"`
	AsSymBool         *symArg           `json:"as_sym_bool"`
	AsSymBools        []symArg          `json:"as_sym_bools"`
	AsGraph           *graphArg         `json:"as_graph"`
	AsOptionalTensors []optTensor       `json:"as_optional_tensors"`
	AsCustomObj       *named            `json:"as_custom_obj"`
	AsOperator        *string           `json:"as_operator"`
	AsSymFloat        *symArg           `json:"as_sym_float"`
	AsSymFloats       []symArg          `json:"as_sym_floats"`
	AsOptionalTensor  *optTensor        `json:"as_optional_tensor"`
	AsToken           *named            `json:"as_token"`
	// Shown as their JSON.
	AsComplex          json.RawMessage `json:"as_complex"`
	AsNestedTensors    json.RawMessage `json:"as_nested_tensors"`
	AsIntLists         json.RawMessage `json:"as_int_lists"`
	AsStringToArgument json.RawMessage `json:"as_string_to_argument"`
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
