package pytorch

import (
	"fmt"
	"strconv"
	"strings"
)

// This file parses the Python subset TorchScript serializes (code/**.py):
// classes with annotated attributes and methods, functions, assignments,
// calls, if/for/while, return. It builds a syntax tree only; nothing runs.

type tokKind uint8

const (
	tEOF tokKind = iota
	tName
	tNum
	tStr
	tOp
	tNewline
	tIndent
	tDedent
)

type token struct {
	kind tokKind
	s    string
	line int
}

const (
	maxTokens    = 8 << 20
	maxExprDepth = 200
)

func lex(src string) ([]token, error) {
	var toks []token
	indents := []int{0}
	depth := 0 // bracket nesting: newlines inside are joins
	line := 1
	atLineStart := true
	i := 0
	for i < len(src) {
		if len(toks) > maxTokens {
			return nil, fmt.Errorf("code too long")
		}
		if atLineStart && depth == 0 {
			// Measure indentation; skip blank and comment lines.
			j, col := i, 0
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				if src[j] == '\t' {
					col = (col/8 + 1) * 8
				} else {
					col++
				}
				j++
			}
			if j < len(src) && (src[j] == '\n' || src[j] == '#' || src[j] == '\r') {
				for j < len(src) && src[j] != '\n' {
					j++
				}
				if j < len(src) {
					j++
					line++
				}
				i = j
				continue
			}
			if j >= len(src) {
				i = j
				break
			}
			i = j
			atLineStart = false
			if col > indents[len(indents)-1] {
				indents = append(indents, col)
				toks = append(toks, token{tIndent, "", line})
			}
			for col < indents[len(indents)-1] {
				indents = indents[:len(indents)-1]
				toks = append(toks, token{tDedent, "", line})
			}
			if col != indents[len(indents)-1] {
				return nil, fmt.Errorf("line %d: inconsistent indentation", line)
			}
		}
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
			if depth == 0 {
				toks = append(toks, token{tNewline, "", line - 1})
				atLineStart = true
			}
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			toks = append(toks, token{tName, src[i:j], line})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (isIdentChar(src[j]) || src[j] == '.' ||
				(src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			toks = append(toks, token{tNum, src[i:j], line})
			i = j
		case c == '"' || c == '\'':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", line, err)
			}
			toks = append(toks, token{tStr, s, line})
			line += strings.Count(src[i:i+n], "\n")
			i += n
		default:
			op := ""
			for _, cand := range []string{"**=", "//=", ">>=", "<<=", "->", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>"} {
				if strings.HasPrefix(src[i:], cand) {
					op = cand
					break
				}
			}
			if op == "" {
				if !strings.ContainsRune("()[]{},:.;=+-*/%<>&|^~@", rune(c)) {
					return nil, fmt.Errorf("line %d: unexpected character %q", line, c)
				}
				op = string(c)
			}
			switch op {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth > 0 {
					depth--
				}
			}
			toks = append(toks, token{tOp, op, line})
			i += len(op)
		}
	}
	if len(toks) > 0 && toks[len(toks)-1].kind != tNewline {
		toks = append(toks, token{tNewline, "", line})
	}
	for len(indents) > 1 {
		indents = indents[:len(indents)-1]
		toks = append(toks, token{tDedent, "", line})
	}
	return append(toks, token{tEOF, "", line}), nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// lexString reads a quoted literal (with escapes, or triple quotes).
func lexString(s string) (string, int, error) {
	q := s[:1]
	if strings.HasPrefix(s, q+q+q) {
		end := strings.Index(s[3:], q+q+q)
		if end < 0 {
			return "", 0, fmt.Errorf("unterminated string")
		}
		return s[3 : 3+end], end + 6, nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q[0]:
			return b.String(), i + 1, nil
		case c == '\n':
			return "", 0, fmt.Errorf("unterminated string")
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'x':
				if i+2 < len(s) {
					if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
						b.WriteByte(byte(v))
						i += 2
						continue
					}
				}
				b.WriteString("\\x")
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

// Syntax tree.

type expr interface{}

type (
	eName  struct{ Name string }
	eConst struct {
		Val  any // int64, float64, string, bool, nil
		Text string
	}
	eAttr struct {
		X    expr
		Name string
	}
	eCall struct {
		Fn     expr
		Args   []expr
		KwName []string
		Kwargs []expr
	}
	eTuple struct{ Items []expr }
	eList  struct{ Items []expr }
	eDict  struct{ Keys, Values []expr }
	eIndex struct{ X, Index expr }
	eSlice struct{ Lo, Hi, Step expr }
	eBin   struct {
		Op   string
		L, R expr
	}
	eUnary struct {
		Op string
		X  expr
	}
	eIfExp struct{ Cond, A, B expr }
)

type stmt interface{}

type (
	sAssign struct {
		Targets []expr // one target, or a tuple target's items
		Value   expr
		Op      string // augmented assignment operator, "" for =
	}
	sExpr   struct{ X expr }
	sReturn struct{ X expr }
	sIf     struct {
		Cond       expr
		Then, Else []stmt
	}
	sFor struct {
		Targets []expr
		Iter    expr
		Body    []stmt
	}
	sWhile struct {
		Cond expr
		Body []stmt
	}
	sRaise struct{ X expr }
	sOther struct{ What string } // pass, break, continue, assert...
)

type param struct {
	Name, Type string
	Default    expr
}

type funcDef struct {
	Name   string
	Params []param
	Ret    string
	Body   []stmt
}

type classDef struct {
	Name       string
	Base       string
	Params     []string // __parameters__
	Buffers    []string // __buffers__
	Consts     []param  // "name : Final[T] = value"
	Attrs      map[string]string
	Methods    map[string]*funcDef
	IsModule   bool
	qualPrefix string
}

type srcFile struct {
	Classes map[string]*classDef
	Funcs   map[string]*funcDef
}

type parser struct {
	toks  []token
	pos   int
	depth int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}
func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tOp && t.s == s
}
func (p *parser) isName(s string) bool {
	t := p.peek()
	return t.kind == tName && t.s == s
}
func (p *parser) expectOp(s string) error {
	if !p.isOp(s) {
		return p.errf("expected %q", s)
	}
	p.next()
	return nil
}
func (p *parser) errf(f string, a ...any) error {
	t := p.peek()
	got := t.s
	if t.kind == tNewline {
		got = "end of line"
	}
	return fmt.Errorf("line %d near %q: %s", t.line, got, fmt.Sprintf(f, a...))
}

func parseSource(src string) (*srcFile, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	f := &srcFile{Classes: map[string]*classDef{}, Funcs: map[string]*funcDef{}}
	for p.peek().kind != tEOF {
		switch {
		case p.peek().kind == tNewline:
			p.next()
		case p.isName("class"):
			c, err := p.class()
			if err != nil {
				return nil, err
			}
			f.Classes[c.Name] = c
		case p.isName("def"):
			fn, err := p.def()
			if err != nil {
				return nil, err
			}
			f.Funcs[fn.Name] = fn
		default:
			// Top-level statements (imports, constants): skip the line.
			if err := p.skipStatement(); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

func (p *parser) skipStatement() error {
	for p.peek().kind != tNewline && p.peek().kind != tEOF {
		p.next()
	}
	p.next()
	if p.peek().kind == tIndent {
		_, err := p.block()
		return err
	}
	return nil
}

// typeText reads a type annotation as text, up to a delimiter at depth 0.
func (p *parser) typeText(stops ...string) string {
	var b strings.Builder
	depth := 0
	for {
		t := p.peek()
		if t.kind == tEOF || t.kind == tNewline {
			break
		}
		if t.kind == tOp && depth == 0 {
			stop := false
			for _, s := range stops {
				if t.s == s {
					stop = true
				}
			}
			if stop {
				break
			}
		}
		if t.kind == tOp {
			switch t.s {
			case "[", "(":
				depth++
			case "]", ")":
				depth--
			}
		}
		if t.kind == tStr {
			b.WriteString(strconv.Quote(t.s))
		} else {
			b.WriteString(t.s)
		}
		if t.kind == tOp && t.s == "," {
			b.WriteByte(' ')
		}
		p.next()
	}
	return b.String()
}

func (p *parser) class() (*classDef, error) {
	p.next() // class
	name := p.next()
	if name.kind != tName {
		return nil, p.errf("class name expected")
	}
	c := &classDef{Name: name.s, Attrs: map[string]string{}, Methods: map[string]*funcDef{}}
	if p.isOp("(") {
		p.next()
		c.Base = p.typeText(")")
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	c.IsModule = c.Base == "Module"
	if err := p.expectOp(":"); err != nil {
		return nil, err
	}
	if p.peek().kind != tNewline {
		return nil, p.errf("class body expected")
	}
	p.next()
	if p.peek().kind != tIndent {
		return c, nil
	}
	p.next()
	for p.peek().kind != tDedent && p.peek().kind != tEOF {
		switch {
		case p.peek().kind == tNewline:
			p.next()
		case p.isName("def"):
			fn, err := p.def()
			if err != nil {
				return nil, err
			}
			c.Methods[fn.Name] = fn
		case p.peek().kind == tName && (p.peek().s == "__parameters__" || p.peek().s == "__buffers__"):
			which := p.next().s
			if err := p.expectOp("="); err != nil {
				return nil, err
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			var names []string
			if l, ok := e.(*eList); ok {
				for _, it := range l.Items {
					if s, ok := it.(*eConst); ok {
						if str, ok := s.Val.(string); ok {
							names = append(names, str)
						}
					}
				}
			}
			if which == "__parameters__" {
				c.Params = names
			} else {
				c.Buffers = names
			}
			p.next()
		case p.isName("__annotations__") && p.toks[p.pos+1].kind == tOp && p.toks[p.pos+1].s == "=":
			// __annotations__ = []: nothing to record.
			if err := p.skipStatement(); err != nil {
				return nil, err
			}
		case p.isName("__annotations__"):
			// __annotations__["0"] = __torch__.X: attribute types of
			// names that are not identifiers (Sequential children).
			p.next()
			if err := p.expectOp("["); err != nil {
				return nil, err
			}
			k := p.next()
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			if err := p.expectOp("="); err != nil {
				return nil, err
			}
			c.Attrs[k.s] = p.typeText()
			p.next()
		case p.peek().kind == tName && p.toks[p.pos+1].kind == tOp && p.toks[p.pos+1].s == ":":
			attr := p.next().s
			p.next()
			typ := p.typeText("=")
			c.Attrs[attr] = typ
			if p.isOp("=") {
				p.next()
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				c.Consts = append(c.Consts, param{Name: attr, Type: typ, Default: e})
			}
			p.next()
		default:
			if err := p.skipStatement(); err != nil {
				return nil, err
			}
		}
	}
	p.next()
	return c, nil
}

func (p *parser) def() (*funcDef, error) {
	p.next() // def
	name := p.next()
	if name.kind != tName {
		return nil, p.errf("function name expected")
	}
	fn := &funcDef{Name: name.s}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for !p.isOp(")") {
		if p.isOp("*") {
			p.next()
			if p.isOp(",") {
				p.next()
			}
			continue
		}
		t := p.next()
		if t.kind != tName {
			return nil, p.errf("parameter name expected")
		}
		pr := param{Name: t.s}
		if p.isOp(":") {
			p.next()
			pr.Type = p.typeText(",", ")", "=")
		}
		if p.isOp("=") {
			p.next()
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			pr.Default = e
		}
		fn.Params = append(fn.Params, pr)
		if p.isOp(",") {
			p.next()
		} else if !p.isOp(")") {
			return nil, p.errf("',' or ')' expected")
		}
	}
	p.next()
	if p.isOp("->") {
		p.next()
		fn.Ret = p.typeText(":")
	}
	if err := p.expectOp(":"); err != nil {
		return nil, err
	}
	body, err := p.suite()
	if err != nil {
		return nil, err
	}
	fn.Body = body
	return fn, nil
}

// suite is the body after a colon: an indented block or one simple line.
func (p *parser) suite() ([]stmt, error) {
	if p.peek().kind != tNewline {
		s, err := p.simple()
		if err != nil {
			return nil, err
		}
		return []stmt{s}, nil
	}
	p.next()
	if p.peek().kind != tIndent {
		return nil, p.errf("indented block expected")
	}
	return p.block()
}

func (p *parser) block() ([]stmt, error) {
	p.next() // INDENT
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExprDepth {
		return nil, p.errf("blocks nested too deeply")
	}
	var out []stmt
	for p.peek().kind != tDedent && p.peek().kind != tEOF {
		if p.peek().kind == tNewline {
			p.next()
			continue
		}
		s, err := p.statement()
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	p.next()
	return out, nil
}

func (p *parser) statement() (stmt, error) {
	switch {
	case p.isName("if"):
		p.next()
		return p.ifRest()
	case p.isName("for"):
		p.next()
		targets, err := p.targetList("in")
		if err != nil {
			return nil, err
		}
		if !p.isName("in") {
			return nil, p.errf("'in' expected")
		}
		p.next()
		it, err := p.exprList()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		body, err := p.suite()
		if err != nil {
			return nil, err
		}
		return &sFor{Targets: targets, Iter: it, Body: body}, nil
	case p.isName("while"):
		p.next()
		c, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		body, err := p.suite()
		if err != nil {
			return nil, err
		}
		return &sWhile{Cond: c, Body: body}, nil
	case p.isName("def"), p.isName("class"):
		// Nested definitions do not occur in serialized code; skip them.
		return nil, p.skipStatement()
	case p.isName("with"):
		// with blocks: run the body in place.
		for !p.isOp(":") && p.peek().kind != tEOF && p.peek().kind != tNewline {
			p.next()
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		body, err := p.suite()
		if err != nil {
			return nil, err
		}
		return &sIf{Cond: &eConst{Val: true, Text: "True"}, Then: body}, nil
	}
	return p.simple()
}

func (p *parser) ifRest() (stmt, error) {
	if err := p.enter(); err != nil { // elif chains recurse
		return nil, err
	}
	defer func() { p.depth-- }()
	c, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expectOp(":"); err != nil {
		return nil, err
	}
	then, err := p.suite()
	if err != nil {
		return nil, err
	}
	s := &sIf{Cond: c, Then: then}
	for p.peek().kind == tNewline {
		p.next()
	}
	switch {
	case p.isName("elif"):
		p.next()
		e, err := p.ifRest()
		if err != nil {
			return nil, err
		}
		s.Else = []stmt{e}
	case p.isName("else"):
		p.next()
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		s.Else, err = p.suite()
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) targetList(stop string) ([]expr, error) {
	var out []expr
	for {
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if !p.isOp(",") {
			return out, nil
		}
		p.next()
		if p.isName(stop) {
			return out, nil
		}
	}
}

func (p *parser) simple() (stmt, error) {
	t := p.peek()
	if t.kind == tName {
		switch t.s {
		case "pass", "break", "continue":
			p.next()
			return &sOther{What: t.s}, p.endLine()
		case "return":
			p.next()
			var x expr
			if p.peek().kind != tNewline {
				var err error
				if x, err = p.exprList(); err != nil {
					return nil, err
				}
			}
			return &sReturn{X: x}, p.endLine()
		case "raise":
			p.next()
			var x expr
			if p.peek().kind != tNewline {
				var err error
				if x, err = p.expr(); err != nil {
					return nil, err
				}
				if p.isName("from") {
					p.next()
					if _, err := p.expr(); err != nil {
						return nil, err
					}
				}
			}
			return &sRaise{X: x}, p.endLine()
		case "assert", "global", "nonlocal", "del", "import", "from":
			for p.peek().kind != tNewline && p.peek().kind != tEOF {
				p.next()
			}
			return &sOther{What: t.s}, p.endLine()
		}
	}
	lhs, err := p.exprList()
	if err != nil {
		return nil, err
	}
	if p.isOp(":") { // annotated assignment: x : T = v
		p.next()
		p.typeText("=")
	}
	if p.peek().kind == tOp {
		op := p.peek().s
		if op == "=" || (len(op) >= 2 && op[len(op)-1] == '=' && op != "==" && op != "!=" && op != "<=" && op != ">=") {
			p.next()
			rhs, err := p.exprList()
			if err != nil {
				return nil, err
			}
			// Chained a = b = v: keep the last value, first targets.
			for p.isOp("=") {
				p.next()
				if rhs, err = p.exprList(); err != nil {
					return nil, err
				}
			}
			targets := []expr{lhs}
			if tu, ok := lhs.(*eTuple); ok {
				targets = tu.Items
			}
			s := &sAssign{Targets: targets, Value: rhs}
			if op != "=" {
				s.Op = op[:len(op)-1]
			}
			return s, p.endLine()
		}
	}
	return &sExpr{X: lhs}, p.endLine()
}

func (p *parser) endLine() error {
	if p.isOp(";") {
		p.next()
	}
	if p.peek().kind == tNewline {
		p.next()
		return nil
	}
	if p.peek().kind == tEOF || p.peek().kind == tDedent {
		return nil
	}
	return p.errf("end of statement expected")
}

// exprList parses "a, b" into a tuple.
func (p *parser) exprList() (expr, error) {
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return e, nil
	}
	items := []expr{e}
	for p.isOp(",") {
		p.next()
		if p.peek().kind == tNewline || p.isOp("=") || p.isOp(")") || p.isOp(":") {
			break
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, e)
	}
	return &eTuple{Items: items}, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return p.errf("expression nested too deeply")
	}
	return nil
}

func (p *parser) expr() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	a, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.isName("if") {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.isName("else") {
			return nil, p.errf("'else' expected")
		}
		p.next()
		b, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &eIfExp{Cond: c, A: a, B: b}, nil
	}
	return a, nil
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	for err == nil && p.isName("or") {
		p.next()
		var r expr
		r, err = p.and()
		l = &eBin{Op: "or", L: l, R: r}
	}
	return l, err
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	for err == nil && p.isName("and") {
		p.next()
		var r expr
		r, err = p.not()
		l = &eBin{Op: "and", L: l, R: r}
	}
	return l, err
}

func (p *parser) not() (expr, error) {
	if p.isName("not") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		x, err := p.not()
		p.depth--
		return &eUnary{Op: "not", X: x}, err
	}
	return p.compare()
}

func (p *parser) compare() (expr, error) {
	l, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op := ""
		switch {
		case t.kind == tOp && (t.s == "==" || t.s == "!=" || t.s == "<" || t.s == ">" || t.s == "<=" || t.s == ">="):
			op = t.s
			p.next()
		case t.kind == tName && t.s == "is":
			p.next()
			op = "is"
			if p.isName("not") {
				p.next()
				op = "is not"
			}
		case t.kind == tName && t.s == "in":
			p.next()
			op = "in"
		case t.kind == tName && t.s == "not" && p.toks[p.pos+1].kind == tName && p.toks[p.pos+1].s == "in":
			p.next()
			p.next()
			op = "not in"
		default:
			return l, nil
		}
		r, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		l = &eBin{Op: op, L: l, R: r}
	}
}

var binLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}}

func (p *parser) binary(level int) (expr, error) {
	if level == len(binLevels) {
		return p.unary()
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		match := false
		if t.kind == tOp {
			for _, op := range binLevels[level] {
				if t.s == op {
					match = true
				}
			}
		}
		if !match {
			return l, nil
		}
		p.next()
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &eBin{Op: t.s, L: l, R: r}
	}
}

func (p *parser) unary() (expr, error) {
	if p.isOp("-") || p.isOp("+") || p.isOp("~") {
		op := p.next().s
		if err := p.enter(); err != nil {
			return nil, err
		}
		x, err := p.unary()
		p.depth--
		if err != nil {
			return nil, err
		}
		if c, ok := x.(*eConst); ok && op == "-" {
			switch v := c.Val.(type) {
			case int64:
				return &eConst{Val: -v, Text: "-" + c.Text}, nil
			case float64:
				return &eConst{Val: -v, Text: "-" + c.Text}, nil
			}
		}
		return &eUnary{Op: op, X: x}, nil
	}
	return p.power()
}

func (p *parser) power() (expr, error) {
	x, err := p.postfix()
	if err != nil {
		return nil, err
	}
	if p.isOp("**") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &eBin{Op: "**", L: x, R: r}, nil
	}
	return x, nil
}

func (p *parser) postfix() (expr, error) {
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("."):
			p.next()
			t := p.next()
			if t.kind != tName {
				return nil, p.errf("attribute name expected")
			}
			x = &eAttr{X: x, Name: t.s}
		case p.isOp("("):
			p.next()
			c := &eCall{Fn: x}
			for !p.isOp(")") {
				if p.peek().kind == tName && p.toks[p.pos+1].kind == tOp && p.toks[p.pos+1].s == "=" {
					c.KwName = append(c.KwName, p.next().s)
					p.next()
					v, err := p.expr()
					if err != nil {
						return nil, err
					}
					c.Kwargs = append(c.Kwargs, v)
				} else {
					if p.isOp("*") || p.isOp("**") {
						p.next()
					}
					v, err := p.expr()
					if err != nil {
						return nil, err
					}
					c.Args = append(c.Args, v)
				}
				if p.isOp(",") {
					p.next()
				} else if !p.isOp(")") {
					return nil, p.errf("',' or ')' expected")
				}
			}
			p.next()
			x = c
		case p.isOp("["):
			p.next()
			idx, err := p.subscript()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			x = &eIndex{X: x, Index: idx}
		default:
			return x, nil
		}
	}
}

func (p *parser) subscript() (expr, error) {
	var items []expr
	for {
		var e expr
		var err error
		if p.isOp(":") || p.isOp("]") || p.isOp(",") {
			e = nil
		} else if e, err = p.expr(); err != nil {
			return nil, err
		}
		if p.isOp(":") {
			sl := &eSlice{Lo: e}
			p.next()
			if !p.isOp("]") && !p.isOp(",") && !p.isOp(":") {
				if sl.Hi, err = p.expr(); err != nil {
					return nil, err
				}
			}
			if p.isOp(":") {
				p.next()
				if !p.isOp("]") && !p.isOp(",") {
					if sl.Step, err = p.expr(); err != nil {
						return nil, err
					}
				}
			}
			e = sl
		}
		items = append(items, e)
		if !p.isOp(",") {
			break
		}
		p.next()
		if p.isOp("]") {
			break
		}
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &eTuple{Items: items}, nil
}

func (p *parser) atom() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := p.next()
	switch t.kind {
	case tName:
		switch t.s {
		case "None":
			return &eConst{Val: nil, Text: "None"}, nil
		case "True":
			return &eConst{Val: true, Text: "True"}, nil
		case "False":
			return &eConst{Val: false, Text: "False"}, nil
		}
		return &eName{Name: t.s}, nil
	case tNum:
		s := strings.ReplaceAll(t.s, "_", "")
		if v, err := strconv.ParseInt(s, 0, 64); err == nil {
			return &eConst{Val: v, Text: t.s}, nil
		}
		if f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(s, "j"), "J"), 64); err == nil {
			return &eConst{Val: f, Text: t.s}, nil
		}
		return &eConst{Val: t.s, Text: t.s}, nil // huge ints: keep the text
	case tStr:
		s := t.s
		for p.peek().kind == tStr { // implicit concatenation
			s += p.next().s
		}
		return &eConst{Val: s, Text: strconv.Quote(s)}, nil
	case tOp:
		switch t.s {
		case "(":
			if p.isOp(")") {
				p.next()
				return &eTuple{}, nil
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(")") {
				p.next()
				return e, nil
			}
			items := []expr{e}
			for p.isOp(",") {
				p.next()
				if p.isOp(")") {
					break
				}
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				items = append(items, e)
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return &eTuple{Items: items}, nil
		case "[":
			l := &eList{}
			for !p.isOp("]") {
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				if p.isName("for") {
					return nil, p.errf("comprehensions are not TorchScript")
				}
				l.Items = append(l.Items, e)
				if p.isOp(",") {
					p.next()
				} else if !p.isOp("]") {
					return nil, p.errf("',' or ']' expected")
				}
			}
			p.next()
			return l, nil
		case "{":
			d := &eDict{}
			for !p.isOp("}") {
				k, err := p.expr()
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				d.Keys = append(d.Keys, k)
				d.Values = append(d.Values, v)
				if p.isOp(",") {
					p.next()
				} else if !p.isOp("}") {
					return nil, p.errf("',' or '}' expected")
				}
			}
			p.next()
			return d, nil
		}
	}
	p.pos--
	return nil, p.errf("expression expected")
}
