// Package view turns a model into the drawn graph (boxes, edges, groups)
// and lays it out into a Scene. Render, the layout command and the web
// server all draw Scenes, so they agree on what a model looks like.
package view

// Scene is a laid-out drawing. It is also the JSON written by
// `modelviz layout` and served to the web viewer (docs/json.md).
// Coordinates: X, Y are the top-left corner of a box; units are CSS pixels.
// A Scene may share slices (rows) with the Graph it came from: read only.
type Scene struct {
	Direction string     `json:"direction"` // "TB" or "LR"
	Width     float64    `json:"width"`
	Height    float64    `json:"height"`
	Nodes     []Box      `json:"nodes"`
	Edges     []Edge     `json:"edges"`
	Groups    []GroupBox `json:"groups"` // expanded groups, outermost first
	Stats     Stats      `json:"stats"`
}

// Box is one drawn box: an operator, a graph input or output, or a
// collapsed group.
type Box struct {
	ID       string  `json:"id"`                 // stable across layouts of the same model
	Label    string  `json:"label"`              // op type, tensor name, or group name
	Kind     string  `json:"kind"`               // "op", "input", "output", "group"
	Category string  `json:"category,omitempty"` // opmeta category; "io", "group"
	Name     string  `json:"name,omitempty"`     // node or tensor name
	Group    string  `json:"group,omitempty"`    // ID of the enclosing group box
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"width"`
	H        float64 `json:"height"`
	// Rows are the text lines under the header: folded weights
	// ("W 8×4"), attributes, the node name, a group's op count.
	Rows   []Row `json:"rows,omitempty"`
	Params int64 `json:"params,omitempty"`
	MACs   int64 `json:"macs,omitempty"`
	// Graph and Node locate the model node: Graph is the path of the graph
	// ("" for the main graph, else "node/attr" steps joined by "|"), Node
	// its index there; -1 for inputs, outputs and groups.
	Graph string `json:"graph,omitempty"`
	Node  int32  `json:"node"`
}

// Row is one line of text in a box.
type Row struct {
	Key   string `json:"key,omitempty"` // "W", "B", "kernel_shape"...
	Value string `json:"value"`
}

// Edge is one drawn edge; Points start on From's border and end on To's.
type Edge struct {
	From   string       `json:"from"`
	To     string       `json:"to"`
	Value  string       `json:"value,omitempty"` // tensor name
	Label  string       `json:"label,omitempty"` // shape, e.g. "1×3×224×224"
	Points [][2]float64 `json:"points"`
	LabelX float64      `json:"label_x,omitempty"`
	LabelY float64      `json:"label_y,omitempty"`
	// Order marks an edge that shows module order, not data flow (module
	// trees without operators); draw it faint.
	Order bool `json:"order,omitempty"`
}

// GroupBox is an expanded group (module) drawn as a rounded rectangle.
type GroupBox struct {
	ID     string   `json:"id"`
	Label  string   `json:"label"`
	Path   []string `json:"path"`
	Parent string   `json:"parent,omitempty"`
	X      float64  `json:"x"`
	Y      float64  `json:"y"`
	W      float64  `json:"width"`
	H      float64  `json:"height"`
	// LabelX is where the title starts; the layout puts it where no edge
	// enters the group, so it is not always X+PadX.
	LabelX float64 `json:"label_x"`
	Ops    int     `json:"ops"`
	Params int64   `json:"params,omitempty"`
	MACs   int64   `json:"macs,omitempty"`
}

// Stats describes the layout run.
type Stats struct {
	Ms    float64 `json:"ms"`
	Nodes int     `json:"nodes"`
	Edges int     `json:"edges"`
}
