package server

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/modelviz/modelviz/view"
)

// appendScene writes a Scene as encoding/json would (same fields, same
// omitempty rules; TestSceneJSONMatchesEncodingJSON keeps them in step),
// several times faster: a 70,000-box scene is tens of megabytes and
// reflection made encoding it cost more than laying it out.
func appendScene(b []byte, sc *view.Scene, model string) []byte {
	b = append(b, `{"direction":`...)
	b = appendStr(b, sc.Direction)
	b = append(b, `,"width":`...)
	b = appendNum(b, sc.Width)
	b = append(b, `,"height":`...)
	b = appendNum(b, sc.Height)
	b = append(b, `,"nodes":`...)
	if sc.Nodes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range sc.Nodes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendBox(b, &sc.Nodes[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"edges":`...)
	if sc.Edges == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range sc.Edges {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEdge(b, &sc.Edges[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"groups":`...)
	if sc.Groups == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range sc.Groups {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendGroup(b, &sc.Groups[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"stats":{"ms":`...)
	b = appendNum(b, sc.Stats.Ms)
	b = append(b, `,"nodes":`...)
	b = strconv.AppendInt(b, int64(sc.Stats.Nodes), 10)
	b = append(b, `,"edges":`...)
	b = strconv.AppendInt(b, int64(sc.Stats.Edges), 10)
	b = append(b, `},"model":`...)
	b = appendStr(b, model)
	return append(b, "}\n"...)
}

func appendBox(b []byte, x *view.Box) []byte {
	b = append(b, `{"id":`...)
	b = appendStr(b, x.ID)
	b = append(b, `,"label":`...)
	b = appendStr(b, x.Label)
	b = append(b, `,"kind":`...)
	b = appendStr(b, x.Kind)
	b = optStr(b, `,"category":`, x.Category)
	b = optStr(b, `,"name":`, x.Name)
	b = optStr(b, `,"group":`, x.Group)
	b = append(b, `,"x":`...)
	b = appendNum(b, x.X)
	b = append(b, `,"y":`...)
	b = appendNum(b, x.Y)
	b = append(b, `,"width":`...)
	b = appendNum(b, x.W)
	b = append(b, `,"height":`...)
	b = appendNum(b, x.H)
	if len(x.Rows) > 0 {
		b = append(b, `,"rows":[`...)
		for i, r := range x.Rows {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if r.Key != "" {
				b = append(b, `"key":`...)
				b = appendStr(b, r.Key)
				b = append(b, ',')
			}
			b = append(b, `"value":`...)
			b = appendStr(b, r.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = optInt(b, `,"params":`, x.Params)
	b = optInt(b, `,"macs":`, x.MACs)
	b = optStr(b, `,"graph":`, x.Graph)
	b = append(b, `,"node":`...)
	b = strconv.AppendInt(b, int64(x.Node), 10)
	return append(b, '}')
}

func appendEdge(b []byte, e *view.Edge) []byte {
	b = append(b, `{"from":`...)
	b = appendStr(b, e.From)
	b = append(b, `,"to":`...)
	b = appendStr(b, e.To)
	b = optStr(b, `,"value":`, e.Value)
	b = optStr(b, `,"label":`, e.Label)
	b = append(b, `,"points":`...)
	if e.Points == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range e.Points {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendNum(b, p[0])
			b = append(b, ',')
			b = appendNum(b, p[1])
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	if e.LabelX != 0 {
		b = append(b, `,"label_x":`...)
		b = appendNum(b, e.LabelX)
	}
	if e.LabelY != 0 {
		b = append(b, `,"label_y":`...)
		b = appendNum(b, e.LabelY)
	}
	if e.Order {
		b = append(b, `,"order":true`...)
	}
	return append(b, '}')
}

func appendGroup(b []byte, g *view.GroupBox) []byte {
	b = append(b, `{"id":`...)
	b = appendStr(b, g.ID)
	b = append(b, `,"label":`...)
	b = appendStr(b, g.Label)
	b = append(b, `,"path":`...)
	if g.Path == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range g.Path {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, p)
		}
		b = append(b, ']')
	}
	b = optStr(b, `,"parent":`, g.Parent)
	b = append(b, `,"x":`...)
	b = appendNum(b, g.X)
	b = append(b, `,"y":`...)
	b = appendNum(b, g.Y)
	b = append(b, `,"width":`...)
	b = appendNum(b, g.W)
	b = append(b, `,"height":`...)
	b = appendNum(b, g.H)
	b = append(b, `,"label_x":`...)
	b = appendNum(b, g.LabelX)
	b = append(b, `,"ops":`...)
	b = strconv.AppendInt(b, int64(g.Ops), 10)
	b = optInt(b, `,"params":`, g.Params)
	b = optInt(b, `,"macs":`, g.MACs)
	return append(b, '}')
}

func optStr(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendStr(append(b, key...), s)
}

func optInt(b []byte, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), v, 10)
}

// appendNum formats like encoding/json: shortest round-trip digits, 'e'
// notation only for very small or large magnitudes. Non-finite numbers
// (never produced by the layout) become 0 rather than invalid JSON.
func appendNum(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	abs := math.Abs(f)
	if abs < 1e-6 || abs >= 1e21 {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// As encoding/json: e-07 becomes e-7.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendStr writes a JSON string the way encoding/json does with HTML
// escaping off: invalid UTF-8 becomes U+FFFD; U+2028 and U+2029 are
// escaped.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
