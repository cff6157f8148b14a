// Package layout computes a layered (Sugiyama) drawing of a directed graph
// whose nodes may be nested in groups. It imports nothing of ours: callers
// translate their graph into Input, which uses int32 indices throughout.
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
	// Key identifies the node across calls (for Cache); optional.
	Key string
}

// Edge goes From -> To. Self loops and duplicates are allowed.
type Edge struct {
	From, To       int32
	LabelW, LabelH float64 // 0 for no label
}

// Group is a rectangle drawn around its members.
type Group struct {
	Parent int32   // enclosing group, or -1
	LabelH float64 // room reserved at the top for the group's title
	LabelW float64
	Key    string // identifies the group across calls (for Cache); optional
}

// Output gives positions; every coordinate is >= 0.
type Output struct {
	Nodes  []Rect // same order as Input.Nodes
	Groups []Rect // same order as Input.Groups
	Edges  []Route
	Width  float64
	Height float64
}

// Rect is a box: X, Y is its top-left corner.
type Rect struct{ X, Y, W, H float64 }

// Point is a position.
type Point struct{ X, Y float64 }

// Route is an edge's polyline; the first point lies on the border of the
// From box and the last on the border of the To box. Label is the centre
// of the label box when the edge has one.
type Route struct {
	Points []Point
	Label  Point
}
