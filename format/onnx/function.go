package onnx

import "github.com/modelviz/modelviz/model"

type funcRaw struct {
	f    *model.Function
	body *graphRaw
}

// parseFunction reads a FunctionProto; its nodes become the Body graph,
// whose inputs and outputs carry no types (functions are polymorphic).
func (p *parser) parseFunction(f *fields) (*funcRaw, error) {
	b, at, err := f.msg()
	if err != nil {
		return nil, err
	}
	if err := p.spend(512); err != nil {
		return nil, err
	}
	fn := &model.Function{}
	body := &graphRaw{g: &model.Graph{}}
	g := newFields(b, at, "FunctionProto")
	for g.next() {
		switch g.num {
		case 1:
			fn.Name, err = g.str()
		case 4, 5, 6:
			var s string
			if s, err = g.str(); err == nil {
				err = p.spend(64 + len(s))
				switch g.num {
				case 4:
					fn.Inputs = append(fn.Inputs, s)
					body.inputs = append(body.inputs, valueInfo{name: s})
				case 5:
					fn.Outputs = append(fn.Outputs, s)
					body.outputs = append(body.outputs, valueInfo{name: s})
				default:
					fn.AttrNames = append(fn.AttrNames, s)
				}
			}
		case 11:
			// Attributes with default values; only their names matter here.
			var a model.Attr
			if a, _, err = p.parseAttr(g, 0); err == nil {
				fn.AttrNames = append(fn.AttrNames, a.Name)
			}
		case 7:
			var nr nodeRaw
			if nr, err = p.parseNode(g, 0); err == nil {
				body.nodes = append(body.nodes, nr)
			}
		case 8:
			fn.DocString, err = g.str()
		case 9:
			var o model.Opset
			if o, err = parseOpset(g); err == nil {
				fn.Opsets = append(fn.Opsets, o)
			}
		case 10:
			fn.Domain, err = g.str()
		case 13:
			fn.Overload, err = g.str()
		case 12:
			var vi valueInfo
			if vi, err = parseValueInfo(g); err == nil {
				err = p.spend(64 + typeCost(vi.typ))
				body.valueInfo = append(body.valueInfo, vi)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if g.err != nil {
		return nil, g.err
	}
	body.g.Name = fn.Name
	body.g.DocString = fn.DocString
	body.g.ValueInfo = len(body.valueInfo)
	fn.Body = body.g
	return &funcRaw{f: fn, body: body}, nil
}
