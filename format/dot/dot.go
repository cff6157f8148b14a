// Package dot reads Graphviz DOT files (such as those written by torchviz,
// onnx's net_drawer or modelviz itself) into a model. Each DOT node becomes
// a model node whose op is the first line of its label; each edge becomes a
// value from its tail to its head; clusters become groups.
package dot

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// Limits that keep a hostile file cheap.
const (
	maxFileSize = 256 << 20
	maxDepth    = 100
	maxItems    = 4 << 20 // nodes + edges
)

// Exts are the file extensions of DOT files.
var Exts = []string{".dot", ".gv"}

// Probe accepts text that starts (after comments and blanks) with
// [strict] (di)graph.
func Probe(head []byte) bool {
	l := &lexer{src: head}
	t := l.next()
	if t.kind == tokID && strings.EqualFold(t.text, "strict") {
		t = l.next()
	}
	if t.kind != tokID {
		return false
	}
	k := strings.ToLower(t.text)
	if k != "graph" && k != "digraph" {
		return false
	}
	t = l.next()
	if t.kind == tokID {
		t = l.next()
	}
	return t.kind == tokPunct && t.text == "{"
}

// Open reads a DOT file.
func Open(path string) (*model.Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("DOT file is %d bytes; the limit is %d", st.Size(), maxFileSize)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Parse(src)
	if err != nil {
		return nil, err
	}
	m.Path = path
	return m, nil
}

// Parse reads DOT source.
func Parse(src []byte) (*model.Model, error) {
	p := &parser{lex: lexer{src: src}, ids: map[string]*model.Node{}}
	p.advance()
	if err := p.graph(); err != nil {
		return nil, err
	}
	g := p.g
	for i, n := range g.Nodes {
		n.ID = int32(i)
	}
	for i, v := range g.Values {
		v.ID = int32(i)
	}
	return &model.Model{Format: "dot", Producer: "graphviz", Graphs: []*model.Graph{g}}, nil
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokID
	tokPunct // { } [ ] ; , = : and edge ops -> --
	tokErr
)

type token struct {
	kind tokKind
	text string
	pos  int
}

type lexer struct {
	src []byte
	pos int
}

func (l *lexer) next() token {
	src := l.src
	for l.pos < len(src) {
		c := src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.pos++
		case c == '#' && (l.pos == 0 || src[l.pos-1] == '\n'):
			l.skipLine()
		case c == '/' && l.pos+1 < len(src) && src[l.pos+1] == '/':
			l.skipLine()
		case c == '/' && l.pos+1 < len(src) && src[l.pos+1] == '*':
			end := bytes.Index(src[l.pos+2:], []byte("*/"))
			if end < 0 {
				return token{tokErr, "unterminated comment", l.pos}
			}
			l.pos += end + 4
		default:
			return l.token()
		}
	}
	return token{kind: tokEOF, pos: l.pos}
}

func (l *lexer) skipLine() {
	for l.pos < len(l.src) && l.src[l.pos] != '\n' {
		l.pos++
	}
}

func (l *lexer) token() token {
	src, start := l.src, l.pos
	c := src[start]
	switch {
	case c == '-' && start+1 < len(src) && (src[start+1] == '>' || src[start+1] == '-'):
		l.pos += 2
		return token{tokPunct, string(src[start : start+2]), start}
	case strings.IndexByte("{}[];,=:", c) >= 0:
		l.pos++
		return token{tokPunct, string(c), start}
	case c == '"':
		var b strings.Builder
		i := start + 1
		for i < len(src) && src[i] != '"' {
			if src[i] == '\\' && i+1 < len(src) {
				switch src[i+1] {
				case '"':
					b.WriteByte('"')
					i += 2
					continue
				case '\n':
					i += 2
					continue
				case '\r':
					i += 2
					if i < len(src) && src[i] == '\n' {
						i++
					}
					continue
				}
			}
			b.WriteByte(src[i])
			i++
		}
		if i >= len(src) {
			return token{tokErr, "unterminated string", start}
		}
		l.pos = i + 1
		return token{tokID, b.String(), start}
	case c == '<':
		depth, i := 0, start
		for ; i < len(src); i++ {
			if src[i] == '<' {
				depth++
			} else if src[i] == '>' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if i >= len(src) {
			return token{tokErr, "unterminated HTML string", start}
		}
		l.pos = i + 1
		return token{tokID, string(src[start+1 : i]), start}
	case isIDByte(c) || c >= '0' && c <= '9' || c == '-' || c == '.':
		i := start
		if c == '-' || c == '.' || (c >= '0' && c <= '9') {
			i++
			for i < len(src) && (src[i] >= '0' && src[i] <= '9' || src[i] == '.') {
				i++
			}
			if i == start+1 && (c == '-' || c == '.') {
				return token{tokErr, fmt.Sprintf("unexpected %q", c), start}
			}
		} else {
			for i < len(src) && (isIDByte(src[i]) || src[i] >= '0' && src[i] <= '9') {
				i++
			}
		}
		l.pos = i
		return token{tokID, string(src[start:i]), start}
	}
	return token{tokErr, fmt.Sprintf("unexpected character %q", c), start}
}

func isIDByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

type parser struct {
	lex      lexer
	tok      token
	g        *model.Graph
	directed bool
	ids      map[string]*model.Node
	depth    int
	// nodeDefaults holds `node [...]` attributes in scope, innermost last.
	nodeDefaults []map[string]string
	// groups is the cluster path in scope.
	groups []string
	items  int
	// mentioned collects the nodes a subgraph names, for edges to it.
	mentioned func(*model.Node)
}

func (p *parser) advance() { p.tok = p.lex.next() }

func (p *parser) errf(format string, a ...any) error {
	line := 1 + bytes.Count(p.lex.src[:min(p.tok.pos, len(p.lex.src))], []byte("\n"))
	return fmt.Errorf("DOT syntax error at line %d: %s", line, fmt.Sprintf(format, a...))
}

func (p *parser) expect(punct string) error {
	if p.tok.kind != tokPunct || p.tok.text != punct {
		return p.errf("expected %q, found %s", punct, p.describe())
	}
	p.advance()
	return nil
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tokEOF:
		return "end of file"
	case tokErr:
		return p.tok.text
	}
	return fmt.Sprintf("%q", p.tok.text)
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *parser) keyword(s string) bool {
	return p.tok.kind == tokID && strings.EqualFold(p.tok.text, s)
}

func (p *parser) graph() error {
	if p.keyword("strict") {
		p.advance()
	}
	switch {
	case p.keyword("digraph"):
		p.directed = true
	case p.keyword("graph"):
	default:
		return p.errf("expected graph or digraph, found %s", p.describe())
	}
	p.advance()
	p.g = &model.Graph{}
	if p.tok.kind == tokID {
		p.g.Name = p.tok.text
		p.advance()
	}
	if err := p.block(); err != nil {
		return err
	}
	if p.tok.kind != tokEOF {
		return p.errf("unexpected %s after the graph", p.describe())
	}
	return nil
}

// block parses `{ stmt_list }` with its own scope of node defaults.
func (p *parser) block() error {
	if p.depth++; p.depth > maxDepth {
		return p.errf("subgraphs nested deeper than %d", maxDepth)
	}
	defer func() { p.depth-- }()
	if err := p.expect("{"); err != nil {
		return err
	}
	p.nodeDefaults = append(p.nodeDefaults, map[string]string{})
	defer func() { p.nodeDefaults = p.nodeDefaults[:len(p.nodeDefaults)-1] }()
	for !p.isPunct("}") {
		if p.tok.kind == tokEOF || p.tok.kind == tokErr {
			return p.errf("expected \"}\", found %s", p.describe())
		}
		if err := p.stmt(); err != nil {
			return err
		}
		if p.isPunct(";") {
			p.advance()
		}
	}
	p.advance()
	return nil
}

func (p *parser) stmt() error {
	switch {
	case p.keyword("node"), p.keyword("edge"), p.keyword("graph"):
		kind := strings.ToLower(p.tok.text)
		p.advance()
		attrs, err := p.attrLists()
		if err != nil {
			return err
		}
		if kind == "node" {
			d := p.nodeDefaults[len(p.nodeDefaults)-1]
			for _, kv := range attrs {
				d[kv.Key] = kv.Value
			}
		}
		return nil
	case p.keyword("subgraph"), p.isPunct("{"):
		ends, err := p.subgraph()
		if err != nil {
			return err
		}
		return p.edgeRest(ends)
	case p.tok.kind == tokID:
		id := p.tok.text
		p.advance()
		if p.isPunct("=") { // graph attribute a = b
			p.advance()
			if p.tok.kind != tokID {
				return p.errf("expected a value after =, found %s", p.describe())
			}
			p.advance()
			return nil
		}
		p.port()
		if p.isPunct("->") || p.isPunct("--") {
			return p.edgeRest([]*model.Node{p.node(id)})
		}
		attrs, err := p.attrLists()
		if err != nil {
			return err
		}
		n := p.node(id)
		for _, kv := range attrs {
			setAttr(n, kv.Key, kv.Value)
		}
		return nil
	}
	return p.errf("unexpected %s", p.describe())
}

// port skips `:port[:compass]` after a node ID.
func (p *parser) port() {
	for i := 0; i < 2 && p.isPunct(":"); i++ {
		p.advance()
		if p.tok.kind == tokID {
			p.advance()
		}
	}
}

// subgraph parses a subgraph and returns the nodes it mentions, which an
// edge statement connects as a whole.
func (p *parser) subgraph() ([]*model.Node, error) {
	name := ""
	if p.keyword("subgraph") {
		p.advance()
		if p.tok.kind == tokID {
			name = p.tok.text
			p.advance()
		}
	}
	cluster := strings.HasPrefix(name, "cluster")
	if cluster {
		label := clusterLabel(p.lex.src[p.tok.pos:])
		if label == "" {
			label = name
		}
		p.groups = append(p.groups, label)
		defer func() { p.groups = p.groups[:len(p.groups)-1] }()
	}
	seen := map[*model.Node]bool{}
	mark := p.mentioned
	p.mentioned = func(n *model.Node) {
		seen[n] = true
		if mark != nil {
			mark(n)
		}
	}
	err := p.block()
	p.mentioned = mark
	if err != nil {
		return nil, err
	}
	var ends []*model.Node
	for _, n := range p.g.Nodes {
		if seen[n] {
			ends = append(ends, n)
		}
	}
	return ends, nil
}

// clusterLabel finds `label = X` at the top level of the block that src
// starts with, so nodes declared before the label still get the group.
func clusterLabel(src []byte) string {
	l := &lexer{src: src}
	depth := 0
	var prev, prev2 token
	for {
		t := l.next()
		if t.kind == tokEOF || t.kind == tokErr {
			return ""
		}
		if t.kind == tokPunct {
			switch t.text {
			case "{", "[":
				depth++
			case "}", "]":
				depth--
				if depth == 0 {
					return ""
				}
			}
		}
		if depth == 1 && t.kind == tokID && prev.kind == tokPunct && prev.text == "=" &&
			prev2.kind == tokID && prev2.text == "label" {
			return t.text
		}
		prev2, prev = prev, t
	}
}

func (p *parser) edgeRest(tails []*model.Node) error {
	var pairs [][2]*model.Node
	for p.isPunct("->") || p.isPunct("--") {
		p.advance()
		var heads []*model.Node
		if p.keyword("subgraph") || p.isPunct("{") {
			var err error
			if heads, err = p.subgraph(); err != nil {
				return err
			}
		} else if p.tok.kind == tokID {
			heads = []*model.Node{p.node(p.tok.text)}
			p.advance()
			p.port()
		} else {
			return p.errf("expected a node after the edge operator, found %s", p.describe())
		}
		for _, t := range tails {
			for _, h := range heads {
				if p.items++; p.items > maxItems {
					return errors.New("DOT file has too many nodes and edges")
				}
				pairs = append(pairs, [2]*model.Node{t, h})
			}
		}
		tails = heads
	}
	// The attribute list after a chain applies to every edge in it.
	attrs, err := p.attrLists()
	if err != nil {
		return err
	}
	for _, e := range pairs {
		p.edge(e[0], e[1], attrs)
	}
	return nil
}

func (p *parser) attrLists() ([]model.KV, error) {
	var out []model.KV
	for p.isPunct("[") {
		p.advance()
		for !p.isPunct("]") {
			if p.tok.kind != tokID {
				return nil, p.errf("expected an attribute name, found %s", p.describe())
			}
			k := p.tok.text
			p.advance()
			v := "true"
			if p.isPunct("=") {
				p.advance()
				if p.tok.kind != tokID {
					return nil, p.errf("expected a value for %s, found %s", k, p.describe())
				}
				v = p.tok.text
				p.advance()
			}
			out = append(out, model.KV{Key: k, Value: v})
			if p.isPunct(",") || p.isPunct(";") {
				p.advance()
			}
		}
		p.advance()
	}
	return out, nil
}

func (p *parser) node(id string) *model.Node {
	n := p.ids[id]
	if n == nil {
		n = &model.Node{Name: id, Op: firstLine(id), Group: append([]string(nil), p.groups...)}
		for _, d := range p.nodeDefaults {
			for _, k := range sortedKeys(d) {
				setAttr(n, k, d[k])
			}
		}
		p.ids[id] = n
		p.g.Nodes = append(p.g.Nodes, n)
		p.items++
	}
	if p.mentioned != nil {
		p.mentioned(n)
	}
	return n
}

func (p *parser) edge(from, to *model.Node, attrs []model.KV) {
	name := from.Name + "->" + to.Name
	for _, kv := range attrs {
		if kv.Key == "label" && kv.Value != "" {
			name = kv.Value
		}
	}
	v := &model.Value{Name: name, Producer: from, Consumers: []*model.Node{to}}
	from.Outputs = append(from.Outputs, v)
	to.Inputs = append(to.Inputs, v)
	p.g.Values = append(p.g.Values, v)
}

// setAttr records a DOT attribute; label sets the op shown in the box.
func setAttr(n *model.Node, k, v string) {
	if k == "label" {
		if op := firstLine(v); op != "" && op != `\N` {
			n.Op = op
		}
	}
	for i := range n.Attrs {
		if n.Attrs[i].Name == k {
			n.Attrs[i].String = v
			return
		}
	}
	n.Attrs = append(n.Attrs, model.Attr{Name: k, Kind: model.AttrString, String: v})
}

// firstLine cuts a DOT label at its first escaped or real line break.
func firstLine(s string) string {
	for _, sep := range []string{`\n`, `\l`, `\r`, "\n"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(s)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
