// Package layout computes a layered (Sugiyama) drawing of a directed graph
// whose nodes may be nested in groups. It imports nothing of ours: callers
// translate their graph into Input, which uses int32 indices throughout.
//
// Use Layout for one-off drawings and a Cache when the same graph is drawn
// again with groups expanded or collapsed. Output coordinates are pixels,
// x to the right and y down, every value >= 0; the same Input always gives
// the same Output, bit for bit. Any Input is accepted: cycles, self loops,
// duplicate edges, out-of-range indices, NaN or huge sizes and cyclic group
// parents are handled without panics (see Layout).
package layout

// Direction of the layers.
type Direction uint8

const (
	TopToBottom Direction = iota
	LeftToRight
)

// Input is the graph to lay out. Node and group indices are int32 positions
// in Nodes and Groups; -1 means "the root".
type Input struct {
	Nodes  []Node
	Edges  []Edge
	Groups []Group // expanded groups only; a collapsed group is a plain Node
	Dir    Direction
}

// Node is a box of a given size.
type Node struct {
	W, H  float64
	Group int32 // innermost expanded group containing the node, or -1
	// Key names the node for callers' bookkeeping; optional. The Cache
	// matches groups by content, so it does not need keys.
	Key string
}

// Edge goes From -> To. Self loops and duplicates are allowed.
type Edge struct {
	From, To       int32
	LabelW, LabelH float64 // 0 for no label
}

// Group is a rectangle drawn around its members (nodes whose Group is
// this one, and child groups). LabelH is kept free at the top of the
// rectangle and the rectangle is at least LabelW plus padding wide.
type Group struct {
	Parent int32   // enclosing group, or -1
	LabelH float64 // room reserved at the top for the group's title
	LabelW float64
	Key    string // optional, as Node.Key
}

// Output gives positions; every coordinate is >= 0. Width and Height
// bound every box, group, route and label.
type Output struct {
	Nodes  []Rect // same order as Input.Nodes
	Groups []Rect // same order as Input.Groups
	Edges  []Route
	// Titles is the top-left corner of each group's title box, which is
	// Group.LabelW wide and Group.LabelH tall (same order as Groups). It
	// lies in the group's top band, moved right of edges entering there
	// (the group widens if needed), so no edge crosses it.
	Titles []Point
	Width  float64
	Height float64
}

// Rect is a box: X, Y is its top-left corner.
type Rect struct{ X, Y, W, H float64 }

// Point is a position.
type Point struct{ X, Y float64 }

// Route is an edge's polyline; the first point lies on the border of the
// From box and the last on the border of the To box (for top-to-bottom:
// usually the bottom and top borders; reversed edges of a cycle run the
// other way; self loops leave and enter the right border). Edges from
// different places ending on one side of a box end apart (12 px, or
// spread over the side when it is narrower), so their arrowheads do not
// stack; edges through one port of a group share their route. No segment
// passes through a box, except long edges past the work bound of huge
// hostile graphs, which are drawn straight. Label is the centre of the
// label box when the edge has one (LabelW or LabelH > 0); labels do not
// overlap boxes, and miss other edges and labels (keeping 8 px from
// other labels) wherever a free spot lies within about a label's width
// of their edge. An edge whose From or To is out of range has no points.
type Route struct {
	Points []Point
	Label  Point
}
