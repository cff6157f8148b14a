package model

// AttrKind is the type of an attribute value.
type AttrKind uint8

const (
	AttrUndefined AttrKind = iota
	AttrFloat
	AttrInt
	AttrString
	AttrTensor
	AttrGraph
	AttrFloats
	AttrInts
	AttrStrings
	AttrTensors
	AttrGraphs
	AttrSparseTensor
	AttrSparseTensors
	AttrType
	AttrTypes
)

var attrKindNames = [...]string{"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
	"FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS",
	"TYPE_PROTO", "TYPE_PROTOS"}

// String gives the ONNX AttributeType name ("FLOAT", "INTS", ...).
func (k AttrKind) String() string {
	if int(k) < len(attrKindNames) {
		return attrKindNames[k]
	}
	return "UNDEFINED"
}

// Attr is one typed attribute. Exactly the fields matching Kind are set.
type Attr struct {
	Name    string
	Kind    AttrKind
	Float   float32
	Int     int64
	String  string // raw bytes for ONNX strings
	Tensor  *Tensor
	Graph   *Graph
	Type    *Type
	Floats  []float32
	Ints    []int64
	Strings []string
	Tensors []*Tensor
	Graphs  []*Graph
	Types   []*Type
	// RefAttrName is set inside function bodies for attributes that refer
	// to the caller's attribute.
	RefAttrName string
	Doc         string
}
