package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/model"
)

// summaryInputs collects repeated --input NAME=SHAPE flags.
type summaryInputs []string

func (f *summaryInputs) String() string     { return strings.Join(*f, " ") }
func (f *summaryInputs) Set(s string) error { *f = append(*f, s); return nil }

func runSummary(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("summary", "summary [--depth N] [--json] [--input NAME=1x3x224x224]... FILE", stderr)
	depth := fs.Int("depth", 3, "show modules down to this nesting level; deeper ones are summed into their ancestors")
	asJSON := fs.Bool("json", false, "print JSON (documented in docs/json.md) instead of the table")
	var inputs summaryInputs
	fs.Var(&inputs, "input", "set a graph input's shape, e.g. x=1x3x224x224 or ids=1,seq (repeatable; a bare shape sets the first input)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "modelviz summary: want exactly one FILE; run 'modelviz summary --help'")
		return ExitUsage
	}
	if *depth < 0 {
		fmt.Fprintln(stderr, "modelviz summary: --depth must be >= 0")
		return ExitUsage
	}
	shapes, err := analysis.ParseInputs(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz summary: %v\n", err)
		return ExitUsage
	}
	m, info, code := openAnalyzed("summary", pos[0], shapes, stderr)
	if code >= 0 {
		return code
	}
	s := buildSummary(m, info, pos[0], *depth)
	bw := bufio.NewWriter(stdout)
	if *asJSON {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		err = enc.Encode(s.json())
	} else {
		s.writeText(bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "modelviz summary: %v\n", err)
		return ExitBad
	}
	return ExitOK
}

// sumRow is one line of the table: the model, a module, or an op worth
// its own line.
type sumRow struct {
	depth    int
	name     string
	path     []string
	op       string
	shape    model.Shape
	hasShape bool
	params   int64
	macs     int64
	hasMACs  bool
	unknown  int // ops in the row whose MACs are unknown (counted as 0)
	children []*sumRow
	nodes    []*model.Node // ops directly in this module (graph models)
	last     *model.Node   // last op of the subtree in file order
	isLast   bool          // last child of its parent (tree drawing)
	isOp     bool          // a row for one op, not a module
}

type summary struct {
	m        *model.Model
	info     *analysis.Info
	file     string
	maxDepth int
	root     *sumRow
	rows     []*sumRow // visible rows, in tree order
	byDType  []dtypeParams
}

type dtypeParams struct {
	dtype  string
	params int64
	bytes  int64
}

func buildSummary(m *model.Model, info *analysis.Info, file string, maxDepth int) *summary {
	s := &summary{m: m, info: info, file: file, maxDepth: maxDepth}
	base := filepath.Base(file)
	if ext := filepath.Ext(base); ext != "" && len(base) > len(ext) {
		base = strings.TrimSuffix(base, ext)
	}
	s.root = &sumRow{name: base, op: "Model", hasMACs: true}
	total := info.Total()
	s.root.params, s.root.macs = total.Params, total.MACs
	s.root.unknown = info.UnknownMACsOps()

	nodes := 0
	for _, g := range m.Graphs {
		if g != nil {
			nodes += len(g.Nodes)
		}
	}
	switch {
	case nodes > 0:
		s.buildFromGraph(m.Graphs[0])
	case m.Modules != nil:
		s.root.hasMACs = false
		s.buildFromModules(s.root, m.Modules, 0)
		if t := m.Modules.Type; t != "" {
			s.root.op = shortType(t)
		}
	}
	s.flatten(s.root)
	s.byDType = paramsByDType(m)
	return s
}

// A node that only computes shapes, or holds a constant, is not a layer.
func plumbing(n *model.Node, info *analysis.Info) bool {
	if n.Op == "Constant" {
		return true
	}
	c := info.Cost(n)
	if c.MACs > 0 || c.Params > 0 {
		return false
	}
	if n.Op == "Identity" && len(n.Inputs) == 1 && n.Inputs[0] != nil && n.Inputs[0].Initializer != nil {
		return true // an alias of a shared weight
	}
	for _, v := range n.Outputs {
		if v == nil {
			continue
		}
		if t := info.Type(v); t == nil || t.Kind != model.TensorType || (t.DType != model.Int64 && t.DType != model.Int32 && t.DType != model.Bool) {
			return false
		}
	}
	return true
}

func (s *summary) buildFromGraph(g *model.Graph) {
	if g == nil {
		return
	}
	if len(g.Outputs) > 0 {
		if t := s.info.Type(g.Outputs[0]); t != nil && t.Kind == model.TensorType {
			s.root.shape, s.root.hasShape = t.Shape, true
		}
	}
	mods := map[string]*sumRow{}
	for _, n := range g.Nodes {
		if n == nil {
			continue
		}
		parent := s.root
		for k := 1; k <= len(n.Group); k++ {
			key := strings.Join(n.Group[:k], "\x00")
			r := mods[key]
			if r == nil {
				r = &sumRow{depth: k, name: n.Group[k-1], path: n.Group[:k], hasMACs: true}
				c := s.info.GroupCost(n.Group[:k])
				r.params, r.macs = c.Params, c.MACs
				r.unknown = s.info.GroupUnknownMACs(n.Group[:k])
				mods[key] = r
				parent.children = append(parent.children, r)
			}
			r.last = n
			parent = r
		}
		if len(n.Group) > 0 {
			parent.nodes = append(parent.nodes, n)
			continue
		}
		if !plumbing(n, s.info) {
			s.root.children = append(s.root.children, s.nodeRow(n, 1))
		}
	}
	for _, r := range mods {
		s.finishModule(r)
	}
}

// finishModule picks a module row's op label and output shape, and gives
// its costly direct ops their own rows when it also has child modules.
func (s *summary) finishModule(r *sumRow) {
	if r.last != nil && len(r.last.Outputs) > 0 && r.last.Outputs[0] != nil {
		if t := s.info.Type(r.last.Outputs[0]); t != nil && t.Kind == model.TensorType {
			r.shape, r.hasShape = t.Shape, true
		}
	}
	// Distinct op types, those doing MACs first.
	var ops, costly []string
	seen := map[string]bool{}
	for _, n := range r.nodes {
		if n.Op == "Constant" || seen[n.Op] {
			continue
		}
		seen[n.Op] = true
		ops = append(ops, n.Op)
		if s.info.Cost(n).MACs > 0 {
			costly = append(costly, n.Op)
		}
	}
	if len(ops) > 3 && len(costly) > 0 {
		rest := ops[:0:0]
		for _, o := range ops {
			if !contains(costly, o) {
				rest = append(rest, o)
			}
		}
		ops = append(costly, rest...)
	}
	switch {
	case len(r.children) > 0:
		var extra []*sumRow
		for _, n := range r.nodes {
			if c := s.info.Cost(n); c.MACs > 0 || c.Params > 0 {
				extra = append(extra, s.nodeRow(n, r.depth+1))
			}
		}
		r.children = mergeByOrder(r.children, extra)
	case len(ops) == 0:
	case len(ops) <= 3:
		r.op = strings.Join(ops, "+")
	default:
		r.op = strings.Join(ops[:2], "+") + fmt.Sprintf("+%d more", len(ops)-2)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mergeByOrder interleaves op rows with module rows by file order.
func mergeByOrder(mods, ops []*sumRow) []*sumRow {
	if len(ops) == 0 {
		return mods
	}
	first := func(r *sumRow) int32 {
		if len(r.nodes) > 0 {
			return r.nodes[0].ID
		}
		if r.last != nil {
			return r.last.ID
		}
		return 1<<31 - 1
	}
	out := append(append([]*sumRow{}, mods...), ops...)
	sort.SliceStable(out, func(i, j int) bool { return first(out[i]) < first(out[j]) })
	return out
}

func (s *summary) nodeRow(n *model.Node, depth int) *sumRow {
	name := n.Name
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	if name == "" {
		name = n.Op
	}
	c := s.info.Cost(n)
	r := &sumRow{depth: depth, name: name, op: n.Op, params: c.Params, macs: c.MACs, hasMACs: true,
		nodes: []*model.Node{n}, last: n, isOp: true, path: n.Group}
	if s.info.UnknownMACs(n) {
		r.unknown = 1
	}
	if len(n.Outputs) > 0 && n.Outputs[0] != nil {
		if t := s.info.Type(n.Outputs[0]); t != nil && t.Kind == model.TensorType {
			r.shape, r.hasShape = t.Shape, true
		}
	}
	return r
}

func (s *summary) buildFromModules(r *sumRow, mod *model.Module, depth int) {
	r.params = s.info.ModuleCost(mod).Params
	for _, ch := range mod.Children {
		if ch == nil {
			continue
		}
		c := &sumRow{depth: depth + 1, name: ch.Name, op: shortType(ch.Type)}
		if ch.Path != "" {
			c.path = strings.Split(ch.Path, ".")
		}
		if len(ch.Children) == 0 && len(ch.Tensors) > 0 && c.op == "" {
			c.op = tensorKinds(ch)
		}
		s.buildFromModules(c, ch, depth+1)
		r.children = append(r.children, c)
	}
}

// tensorKinds names the tensors of a module without a class ("weight+bias").
// Items of a plain list or tuple (names 0, 1, ...) are counted instead
// ("2 tensors"), so a numbered row does not read as an op named "0".
func tensorKinds(mod *model.Module) string {
	numbered := 0
	for _, v := range mod.Tensors {
		if v != nil {
			n := v.Name[strings.LastIndexByte(v.Name, '.')+1:]
			if _, err := strconv.Atoi(n); err == nil {
				numbered++
			}
		}
	}
	if numbered == len(mod.Tensors) && numbered > 0 {
		if numbered == 1 {
			return "tensor"
		}
		return fmt.Sprintf("%d tensors", numbered)
	}
	var names []string
	for i, v := range mod.Tensors {
		if i == 3 {
			names = append(names, "...")
			break
		}
		if v != nil {
			n := v.Name
			if j := strings.LastIndexByte(n, '.'); j >= 0 {
				n = n[j+1:]
			}
			names = append(names, n)
		}
	}
	return strings.Join(names, "+")
}

// shortType keeps the class name of a dotted type path.
func shortType(t string) string {
	if i := strings.LastIndexByte(t, '.'); i >= 0 && i < len(t)-1 {
		return t[i+1:]
	}
	return t
}

func (s *summary) flatten(r *sumRow) {
	if r.depth > s.maxDepth {
		return
	}
	s.rows = append(s.rows, r)
	for i, c := range r.children {
		c.isLast = i == len(r.children)-1
	}
	for _, c := range r.children {
		s.flatten(c)
	}
}

func paramsByDType(m *model.Model) []dtypeParams {
	acc := map[string]*dtypeParams{}
	seen := map[*model.Tensor]bool{}
	add := func(t *model.Tensor) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		n := t.NumElements()
		if n < 0 {
			return
		}
		name := t.DType.String()
		if t.Quant != "" {
			name = t.Quant
		}
		d := acc[name]
		if d == nil {
			d = &dtypeParams{dtype: name}
			acc[name] = d
		}
		d.params += n
		if bits := int64(t.DType.Bits()); bits > 0 && t.Quant == "" {
			d.bytes += (n*bits + 7) / 8
		} else if t.Length > 0 {
			d.bytes += t.Length
		}
	}
	if len(m.Graphs) > 0 && m.Graphs[0] != nil && len(m.Graphs[0].Initializers) > 0 {
		for _, v := range m.Graphs[0].Initializers {
			if v != nil {
				add(v.Initializer)
			}
		}
	} else if m.Modules != nil {
		var walk func(*model.Module, int)
		walk = func(mod *model.Module, d int) {
			if d > 256 {
				return
			}
			for _, v := range mod.Tensors {
				if v != nil {
					add(v.Initializer)
				}
			}
			for _, c := range mod.Children {
				if c != nil {
					walk(c, d+1)
				}
			}
		}
		walk(m.Modules, 0)
	}
	out := make([]dtypeParams, 0, len(acc))
	for _, d := range acc {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].params != out[j].params {
			return out[i].params > out[j].params
		}
		return out[i].dtype < out[j].dtype
	})
	return out
}

// Text output.

// commas formats n with thousands separators: 1,234,567.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// human formats bytes: 4.94 MB (powers of 1000, like torchinfo).
func human(b int64) string {
	switch {
	case b >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(b)/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.2f MB", float64(b)/1e6)
	case b >= 1e3:
		return fmt.Sprintf("%.2f kB", float64(b)/1e3)
	}
	return fmt.Sprintf("%d B", b)
}

// giga formats a count with a unit: 0.349 G, 2.52 K.
func giga(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e8:
		return strconv.FormatFloat(f/1e9, 'f', 3, 64) + " G"
	case f >= 1e5:
		return strconv.FormatFloat(f/1e6, 'f', 3, 64) + " M"
	case f >= 1e3:
		return strconv.FormatFloat(f/1e3, 'f', 2, 64) + " K"
	}
	return strconv.FormatInt(n, 10)
}

// countText is "349,151,936 (0.349 G)", or just the number when small.
func countText(n int64) string {
	g := giga(n)
	if g == strconv.FormatInt(n, 10) {
		return commas(n)
	}
	return commas(n) + " (" + g + ")"
}

func width(s string) int { return utf8.RuneCountInString(s) }

func pad(s string, w int, right bool) string {
	n := w - width(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

func clip(s string, w int) string {
	if width(s) <= w {
		return s
	}
	r := []rune(s)
	return string(r[:w-1]) + "…"
}

// layerLabels draws the tree: "├─ name", "│  └─ name".
func (s *summary) layerLabels() []string {
	labels := make([]string, len(s.rows))
	var stack []bool // for each ancestor depth >= 1: is it a last child
	for i, r := range s.rows {
		if r.depth == 0 {
			labels[i] = r.name
			continue
		}
		if len(stack) >= r.depth {
			stack = stack[:r.depth-1]
		}
		for len(stack) < r.depth-1 {
			stack = append(stack, false)
		}
		var b strings.Builder
		for _, last := range stack {
			if last {
				b.WriteString("   ")
			} else {
				b.WriteString("│  ")
			}
		}
		if r.isLast {
			b.WriteString("└─ ")
		} else {
			b.WriteString("├─ ")
		}
		b.WriteString(r.name)
		labels[i] = b.String()
		stack = append(stack, r.isLast)
	}
	return labels
}

func (r *sumRow) shapeText() string {
	if !r.hasShape {
		if r.hasMACs {
			return "?" // an op's output whose shape is unknown
		}
		return ""
	}
	return r.shape.String()
}

func (s *summary) writeText(w io.Writer) {
	labels := s.layerLabels()
	head := []string{"Layer", "Op", "Output Shape", "Params", "MACs"}
	cells := make([][]string, len(s.rows))
	wd := make([]int, len(head))
	for i, h := range head {
		wd[i] = width(h)
	}
	limits := []int{60, 24, 32, 20, 24}
	for i, r := range s.rows {
		macs := "--"
		switch {
		case r.hasMACs && r.unknown > 0 && r.macs == 0:
			macs = "?"
		case r.hasMACs && r.unknown > 0:
			macs = commas(r.macs) + "+?" // a lower bound
		case r.hasMACs:
			macs = commas(r.macs)
		}
		cells[i] = []string{labels[i], r.op, r.shapeText(), commas(r.params), macs}
		for j, c := range cells[i] {
			c = clip(c, limits[j])
			cells[i][j] = c
			wd[j] = max(wd[j], width(c))
		}
	}
	total := 0
	for _, x := range wd {
		total += x
	}
	total += 2 * (len(wd) - 1)
	rule := strings.Repeat("=", total)
	line := func(c []string) {
		var b strings.Builder
		for j, x := range c {
			if j > 0 {
				b.WriteString("  ")
			}
			right := j >= 3
			if j == len(c)-1 {
				b.WriteString(pad(x, wd[j], right))
			} else {
				b.WriteString(pad(x, wd[j], right))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(w, rule)
	line(head)
	fmt.Fprintln(w, rule)
	for _, c := range cells {
		line(c)
	}
	fmt.Fprintln(w, rule)
	s.writeFooter(w)
	fmt.Fprintln(w, rule)
}

func (s *summary) writeFooter(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	t := s.info.Total()
	if len(s.m.Graphs) > 0 && s.m.Graphs[0] != nil && len(s.m.Graphs[0].Inputs) > 0 {
		var parts []string
		for _, v := range s.m.Graphs[0].Inputs {
			if v == nil {
				continue
			}
			part := v.Name
			if ty := s.info.Type(v); ty != nil && ty.Kind == model.TensorType {
				part += " " + ty.DType.String() + " " + ty.Shape.String()
			}
			parts = append(parts, part)
		}
		if len(parts) > 8 {
			parts = append(parts[:8], fmt.Sprintf("... %d more", len(parts)-8))
		}
		p("Inputs: %s\n", strings.Join(parts, ", "))
	}
	p("Total params: %s\n", commas(t.Params))
	if len(s.byDType) > 0 {
		var parts []string
		var bytes int64
		for _, d := range s.byDType {
			parts = append(parts, fmt.Sprintf("%s %s (%s)", d.dtype, commas(d.params), human(d.bytes)))
			bytes += d.bytes
		}
		p("Params by dtype: %s\n", strings.Join(parts, ", "))
		p("Params size: %s\n", human(bytes))
	}
	if s.root.hasMACs {
		macs, flops := countText(t.MACs), countText(satDouble(t.MACs))
		act, peak := human(t.ActivationBytes), human(s.info.PeakActivationBytes())
		if s.root.unknown > 0 {
			if t.MACs == 0 {
				macs, flops = "?", "?"
			} else {
				macs, flops = macs+" + ?", flops+" + ?"
			}
			if t.ActivationBytes == 0 {
				act, peak = "?", "?"
			}
		}
		p("Total MACs: %s; FLOPs = 2 × MACs: %s\n", macs, flops)
		p("Activations (all op outputs): %s; estimated peak: %s\n", act, peak)
		if a := s.info.Assumed(); len(a) > 0 {
			names := make([]string, 0, len(a))
			unknown := false
			for _, x := range a {
				if x == "" {
					unknown = true
					continue
				}
				names = append(names, x)
			}
			if unknown {
				names = append(names, "unknown dims")
			}
			p("Costs take %s as 1: set them with --input NAME=SHAPE\n", strings.Join(names, ", "))
		}
		if n := s.root.unknown; n > 0 {
			p("MACs unknown for %d %s (? above, left out of the totals): %s\n", n, plural(n, "op", "ops"), s.unknownWhy())
		}
	} else {
		p("MACs: unknown (the file has no operators)\n")
	}
	if len(s.m.Opsets) > 0 {
		var parts []string
		for _, o := range s.m.Opsets {
			d := o.Domain
			if d == "" {
				d = "ai.onnx"
			}
			parts = append(parts, fmt.Sprintf("%s %d", d, o.Version))
		}
		p("Opsets: %s\n", strings.Join(parts, ", "))
	}
	head := s.m.Format
	if s.m.Kind != "" {
		head += " (" + s.m.Kind + ")"
	}
	if prod := strings.TrimSpace(s.m.Producer + " " + s.m.ProducerVersion); prod != "" {
		p("Format: %s; producer: %s\n", head, prod)
	} else {
		p("Format: %s\n", head)
	}
}

func satDouble(n int64) int64 {
	if n > (1<<63-1)/2 {
		return 1<<63 - 1
	}
	return 2 * n
}

// JSON output (docs/json.md, "modelviz summary --json FILE").

type jSummary struct {
	Format   string            `json:"format"`
	Kind     string            `json:"kind,omitempty"`
	Producer string            `json:"producer"`
	Opsets   map[string]int64  `json:"opsets"`
	Totals   jSummaryTotals    `json:"totals"`
	ByDType  []jSummaryDType   `json:"params_by_dtype"`
	Assumed  []string          `json:"assumed_dims"`
	Depth    int               `json:"depth"`
	Rows     []jSummaryRow     `json:"rows"`
	Inputs   []jSummaryIOShape `json:"inputs"`
}

type jSummaryTotals struct {
	Params              int64  `json:"params"`
	MACs                *int64 `json:"macs"`
	FLOPs               *int64 `json:"flops"`
	MACsUnknownOps      int    `json:"macs_unknown_ops"`
	ActivationBytes     int64  `json:"activation_bytes"`
	PeakActivationBytes int64  `json:"peak_activation_bytes"`
	ParamBytes          int64  `json:"param_bytes"`
}

type jSummaryDType struct {
	DType  string `json:"dtype"`
	Params int64  `json:"params"`
	Bytes  int64  `json:"bytes"`
}

type jSummaryRow struct {
	Depth       int      `json:"depth"`
	Name        string   `json:"name"`
	Path        []string `json:"path"`
	Op          string   `json:"op"`
	OutputShape []any    `json:"output_shape"`
	Params      int64    `json:"params"`
	MACs        *int64   `json:"macs"`
	MACsUnknown bool     `json:"macs_unknown,omitempty"`
	Node        string   `json:"node,omitempty"`
}

type jSummaryIOShape struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []any  `json:"shape"`
}

func summaryShape(s model.Shape, ok bool) []any {
	if !ok || s == nil {
		return nil
	}
	out := make([]any, len(s))
	for i, d := range s {
		switch {
		case d.Known:
			out[i] = d.Value
		case d.Param != "":
			out[i] = d.Param
		}
	}
	return out
}

func (s *summary) json() *jSummary {
	t := s.info.Total()
	j := &jSummary{
		Format:   s.m.Format,
		Kind:     s.m.Kind,
		Producer: strings.TrimSpace(s.m.Producer + " " + s.m.ProducerVersion),
		Opsets:   map[string]int64{},
		Depth:    s.maxDepth,
		Assumed:  append([]string{}, s.info.Assumed()...),
		ByDType:  []jSummaryDType{},
		Rows:     []jSummaryRow{},
		Inputs:   []jSummaryIOShape{},
	}
	for _, o := range s.m.Opsets {
		j.Opsets[o.Domain] = o.Version
	}
	j.Totals = jSummaryTotals{Params: t.Params, ActivationBytes: t.ActivationBytes,
		PeakActivationBytes: s.info.PeakActivationBytes(), MACsUnknownOps: s.root.unknown}
	if s.root.hasMACs {
		macs, flops := t.MACs, satDouble(t.MACs)
		j.Totals.MACs, j.Totals.FLOPs = &macs, &flops
	}
	for _, d := range s.byDType {
		j.ByDType = append(j.ByDType, jSummaryDType{DType: d.dtype, Params: d.params, Bytes: d.bytes})
		j.Totals.ParamBytes += d.bytes
	}
	if len(s.m.Graphs) > 0 && s.m.Graphs[0] != nil {
		for _, v := range s.m.Graphs[0].Inputs {
			if v == nil {
				continue
			}
			io := jSummaryIOShape{Name: v.Name}
			if ty := s.info.Type(v); ty != nil {
				io.DType = ty.DType.String()
				io.Shape = summaryShape(ty.Shape, ty.Kind == model.TensorType)
			}
			j.Inputs = append(j.Inputs, io)
		}
	}
	for _, r := range s.rows {
		row := jSummaryRow{Depth: r.depth, Name: r.name, Path: append([]string{}, r.path...), Op: r.op,
			OutputShape: summaryShape(r.shape, r.hasShape), Params: r.params}
		if r.hasMACs {
			v := r.macs
			row.MACs = &v
			row.MACsUnknown = r.unknown > 0
		}
		if r.isOp {
			row.Node = r.nodes[0].Name
		}
		j.Rows = append(j.Rows, row)
	}
	return j
}

// unknownWhy says why some MACs are unknown and how to fix it: the main
// graph's inputs without a recorded shape (no --input either), or else
// shapes that inference could not follow.
func (s *summary) unknownWhy() string {
	var missing []string
	if len(s.m.Graphs) > 0 && s.m.Graphs[0] != nil {
		for _, v := range s.m.Graphs[0].Inputs {
			if v == nil {
				continue
			}
			if t := s.info.Type(v); t == nil || t.Kind != model.TensorType || t.Shape == nil {
				missing = append(missing, v.Name)
			}
		}
	}
	if len(missing) == 0 {
		return "the shapes they read could not be inferred"
	}
	return fmt.Sprintf("input shapes are not recorded in this file; set them with --input %s=SHAPE (e.g. %s=1x3x224x224)", missing[0], missing[0])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
