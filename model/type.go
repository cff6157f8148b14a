package model

import "strconv"

// DType is an element type. Names follow numpy ("float32", "bfloat16").
// The numeric values equal ONNX TensorProto.DataType, so the ONNX reader
// converts with a range check only.
type DType uint8

const (
	Undefined DType = iota
	Float32
	Uint8
	Int8
	Uint16
	Int16
	Int32
	Int64
	String
	Bool
	Float16
	Float64
	Uint32
	Uint64
	Complex64
	Complex128
	BFloat16
	Float8E4M3FN
	Float8E4M3FNUZ
	Float8E5M2
	Float8E5M2FNUZ
	Uint4
	Int4
	Float4E2M1
	Float8E8M0
	Uint2
	Int2
	// Quantized block types (GGUF, ...) have no fixed bit width per element.
	Quantized
)

var dtypeNames = [...]string{
	Undefined: "undefined", Float32: "float32", Uint8: "uint8", Int8: "int8",
	Uint16: "uint16", Int16: "int16", Int32: "int32", Int64: "int64",
	String: "string", Bool: "bool", Float16: "float16", Float64: "float64",
	Uint32: "uint32", Uint64: "uint64", Complex64: "complex64",
	Complex128: "complex128", BFloat16: "bfloat16",
	Float8E4M3FN: "float8e4m3fn", Float8E4M3FNUZ: "float8e4m3fnuz",
	Float8E5M2: "float8e5m2", Float8E5M2FNUZ: "float8e5m2fnuz",
	Uint4: "uint4", Int4: "int4", Float4E2M1: "float4e2m1",
	Float8E8M0: "float8e8m0", Uint2: "uint2", Int2: "int2",
	Quantized: "quantized",
}

func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return "dtype(" + strconv.Itoa(int(d)) + ")"
}

// ParseDType maps a numpy-style name back to a DType.
func ParseDType(s string) (DType, bool) {
	for i, n := range dtypeNames {
		if n == s {
			return DType(i), true
		}
	}
	return Undefined, false
}

// Bits is the storage size of one element in bits; 0 when not fixed.
func (d DType) Bits() int {
	switch d {
	case Bool, Uint8, Int8, Float8E4M3FN, Float8E4M3FNUZ, Float8E5M2, Float8E5M2FNUZ, Float8E8M0:
		return 8
	case Uint16, Int16, Float16, BFloat16:
		return 16
	case Float32, Int32, Uint32:
		return 32
	case Float64, Int64, Uint64, Complex64:
		return 64
	case Complex128:
		return 128
	case Uint4, Int4, Float4E2M1:
		return 4
	case Uint2, Int2:
		return 2
	}
	return 0
}

// TypeKind says what a Type describes.
type TypeKind uint8

const (
	TensorType TypeKind = iota
	SparseTensorType
	SequenceType
	MapType
	OptionalType
	OpaqueType
)

func (k TypeKind) String() string {
	return [...]string{"tensor", "sparse_tensor", "sequence", "map", "optional", "opaque"}[k]
}

// Type is a value's type. For tensors: DType and Shape. For sequence and
// optional: Elem. For map: Key and Elem.
type Type struct {
	Kind  TypeKind
	DType DType // tensor element type, or map key type
	// Shape is nil when the file says nothing about the shape; a non-nil
	// empty Shape is a scalar.
	Shape      Shape
	Elem       *Type
	Denotation string
}

// Dim is one dimension: a known size, a symbolic name, or unknown.
type Dim struct {
	Value int64  // valid when Param == "" && Known
	Param string // symbolic name such as "batch"
	Known bool   // Value is meaningful
}

// Shape is a list of dims.
type Shape []Dim

// Ints returns the shape as plain sizes and whether every dim was known.
func (s Shape) Ints() ([]int64, bool) {
	out := make([]int64, len(s))
	for i, d := range s {
		if !d.Known {
			return nil, false
		}
		out[i] = d.Value
	}
	return out, true
}

// Fixed builds a Shape of known dims.
func Fixed(dims ...int64) Shape {
	s := make(Shape, len(dims))
	for i, d := range dims {
		s[i] = Dim{Value: d, Known: true}
	}
	return s
}

func (d Dim) String() string {
	switch {
	case d.Known:
		return strconv.FormatInt(d.Value, 10)
	case d.Param != "":
		return d.Param
	}
	return "?"
}

// String renders a shape as "1×3×224×224"; a scalar is "()"; unknown is "?".
func (s Shape) String() string {
	if s == nil {
		return "?"
	}
	if len(s) == 0 {
		return "()"
	}
	b := make([]byte, 0, 4*len(s))
	for i, d := range s {
		if i > 0 {
			b = append(b, "×"...)
		}
		b = append(b, d.String()...)
	}
	return string(b)
}
