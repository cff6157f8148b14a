// Package model is the format-neutral, read-only description of a neural
// network that every reader produces and every consumer (analysis, view,
// render, server) reads. It imports nothing of ours.
//
// Ownership: a reader builds the Model once; after Open returns it is never
// mutated, so it may be shared across goroutines without locks. Derived facts
// (inferred shapes, costs, layouts) live in side tables keyed by the integer
// IDs below, never written back here.
package model

// Model is one opened file.
type Model struct {
	Format          string // "onnx", "pytorch", "safetensors", "gguf", ...
	Path            string // the file as given by the user
	Producer        string // e.g. "pytorch"
	ProducerVersion string // e.g. "1.13.0"
	IRVersion       int64
	Domain          string
	ModelVersion    int64
	DocString       string
	Opsets          []Opset // in file order
	Metadata        []KV    // metadata_props or format-specific key/values, in file order

	// Graphs[0] is the main graph. Subgraphs are reached through graph
	// attributes of nodes and are not listed here.
	Graphs    []*Graph
	Functions []*Function // model-local functions (ONNX FunctionProto)

	// Modules is the module tree when the format knows one (PyTorch files,
	// safetensors key prefixes); nil otherwise. For graph formats the tree
	// is derived from Node.Group instead.
	Modules *Module

	// Kind refines Format, e.g. "state_dict", "torchscript", "checkpoint".
	Kind string

	// Warnings are problems that left the model usable (missing external
	// file, dangling input, cycle). Each is one line, without the file name.
	Warnings []string
}

// Opset is one opset_import entry; Domain "" is ai.onnx.
type Opset struct {
	Domain  string
	Version int64
}

// KV is an ordered string pair.
type KV struct{ Key, Value string }

// Graph is a dataflow graph. Values are the edges: each is produced by at
// most one node (or is a graph input / initializer / outer-scope value) and
// consumed by any number of nodes.
type Graph struct {
	Name      string
	DocString string
	Nodes     []*Node  // in file order; Node.ID indexes this slice
	Inputs    []*Value // real inputs only: initializers are not inputs
	Outputs   []*Value
	// Initializers are weights; each has Value.Initializer set. Includes
	// sparse initializers (Tensor.Sparse).
	Initializers []*Value
	// Values holds every value that appears in this graph, in first-seen
	// order; Value.ID indexes it. Values captured from an outer scope appear
	// in the subgraph's Values with Outer set.
	Values []*Value
	// ValueInfo is the count of value_info entries the file recorded.
	ValueInfo int
	// Parent is the graph of the node owning this subgraph; nil for a main
	// graph or function body.
	Parent *Graph
	// Owner is the node whose attribute holds this graph; nil at top level.
	Owner *Node
}

// Value is a tensor flowing along edges.
type Value struct {
	ID        int32  // index into the owning Graph.Values
	Name      string // unique within its graph scope
	Type      *Type  // recorded type (from the file); nil if unknown
	Producer  *Node  // nil for graph inputs, initializers and outer values
	Consumers []*Node
	// Initializer is set when the value is a weight.
	Initializer *Tensor
	// Outer is the value of an enclosing graph that this value refers to
	// (If/Loop bodies may read outer values). nil otherwise.
	Outer *Value
	Doc   string
	// Missing marks a value that a node reads (or a graph outputs) but
	// nothing defines: a broken file, reported in Model.Warnings.
	Missing bool
}

// Node is one operator application.
type Node struct {
	ID     int32 // index into the owning Graph.Nodes
	Name   string
	Op     string
	Domain string
	// Inputs and Outputs may contain nil entries for omitted optional
	// inputs and outputs (ONNX ""), so positions keep their meaning.
	Inputs  []*Value
	Outputs []*Value
	Attrs   []Attr
	// Group is the module path, outermost first: ["layer1","layer1.0","conv1"].
	Group     []string
	DocString string
	Overload  string
	// Function is set when the node calls a model-local function.
	Function *Function
}

// Subgraphs returns the graphs held in the node's attributes, in order.
func (n *Node) Subgraphs() []NamedGraph {
	var out []NamedGraph
	for i := range n.Attrs {
		a := &n.Attrs[i]
		if a.Graph != nil {
			out = append(out, NamedGraph{a.Name, a.Graph})
		}
		for _, g := range a.Graphs {
			out = append(out, NamedGraph{a.Name, g})
		}
	}
	return out
}

// Attr looks an attribute up by name.
func (n *Node) Attr(name string) *Attr {
	for i := range n.Attrs {
		if n.Attrs[i].Name == name {
			return &n.Attrs[i]
		}
	}
	return nil
}

// NamedGraph is a subgraph with the attribute that holds it.
type NamedGraph struct {
	Attribute string
	Graph     *Graph
}

// Function is a model-local function (ONNX FunctionProto) or any callable
// body a format defines.
type Function struct {
	Name      string
	Domain    string
	Overload  string
	Inputs    []string
	Outputs   []string
	AttrNames []string
	Opsets    []Opset
	DocString string
	Body      *Graph
}

// Module is a node of a module tree (PyTorch nn.Module hierarchy or a
// dotted-key tree).
type Module struct {
	Name     string // last path component; "" for the root
	Path     string // dotted path from the root; "" for the root
	Type     string // class name, e.g. "torch.nn.modules.linear.Linear"
	Attrs    []Attr // hyper-parameters (in_features, ...)
	Tensors  []*Value
	Children []*Module
}
