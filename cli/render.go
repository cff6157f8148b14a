package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/render"
	"github.com/modelviz/modelviz/view"
)

const renderUsage = `render FILE -o OUT [flags]

Draws the model's graph. The format comes from OUT's extension (.svg,
.png, .pdf, .dot, .html) unless --format is given; "-o -" writes to
standard output and needs --format.`

func runRender(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("render", renderUsage, stderr)
	out := fs.String("o", "", "output file (required); - for standard output")
	format := fs.String("format", "", "svg, png, pdf, dot or html (default: from the -o extension)")
	flat := fs.Bool("flat", false, "expand every group and draw every operator")
	depth, depthSet := 0, false
	fs.Func("depth", "expand groups above nesting level `N`: 0 draws the model as one box, 1 its top-level modules collapsed (default: the deepest view of at most 300 boxes)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("want a whole number 0 or more")
		}
		depth, depthSet = n, true
		return nil
	})
	dir := fs.String("direction", "TB", "TB (top to bottom) or LR (left to right)")
	attrs := fs.Bool("attributes", false, "show operator attributes in the boxes")
	weights := fs.Bool("weights", true, "show weight shapes in the boxes (W 8×4)")
	names := fs.Bool("names", false, "show node names in the boxes")
	theme := fs.String("theme", "light", "light or dark")
	scale := fs.Float64("scale", 2, "PNG pixels per unit (1 = CSS pixel size)")
	group := fs.String("group", "", "draw only this module, with its inputs and outputs as pills: its name as summary prints it (features.3), its path (features/features.3) or group ID")
	title := fs.String("title", "", "title drawn above the graph")
	textPaths := fs.Bool("text-paths", false, "SVG: draw text as glyph outlines, for tools that ignore embedded fonts (Inkscape, librsvg)")
	var inputs inputFlags
	fs.Var(&inputs, "input", "set a graph input's shape, e.g. x=1x3x224x224 (repeatable)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "modelviz render: "+format+"; run 'modelviz render --help'\n", a...)
		return ExitUsage
	}
	if len(pos) != 1 {
		return usage("want exactly one FILE")
	}
	if *out == "" {
		return usage("missing -o OUT")
	}
	var f render.Format
	var err error
	switch {
	case *format != "":
		if f, err = render.ParseFormat(*format); err != nil {
			return usage("%v", err)
		}
	case *out == "-":
		return usage("-o - needs --format")
	default:
		var ok bool
		if f, ok = render.FormatFromPath(*out); !ok {
			return usage("cannot tell the format of %q from its extension: use --format svg|png|pdf|dot|html", *out)
		}
	}
	if *flat && depthSet {
		return usage("use --flat or --depth, not both")
	}
	d := strings.ToUpper(*dir)
	if d != "TB" && d != "LR" {
		return usage("--direction %q: want TB or LR", *dir)
	}
	th := strings.ToLower(*theme)
	if th != "light" && th != "dark" {
		return usage("--theme %q: want light or dark", *theme)
	}
	if !(*scale > 0 && *scale <= 64) {
		return usage("--scale must be in (0, 64]")
	}
	shapes, err := analysis.ParseInputs(inputs)
	if err != nil {
		return usage("%v", err)
	}

	m, info, code := openAnalyzed("render", pos[0], shapes, stderr)
	if code >= 0 {
		return code
	}
	g := view.Build(m, info)
	vo := view.DefaultOptions(g)
	vo.Dir, vo.Attributes, vo.Weights, vo.Names = d, *attrs, *weights, *names
	if vo.Group, code = findGroup("render", pos[0], g, *group, stderr); code >= 0 {
		return code
	}
	switch {
	case *flat:
		vo.Depth = -1
	case depthSet:
		vo.Depth = depth
	case vo.Group != "":
		vo.Depth = view.DefaultGroupDepth(g, vo.Group)
	}
	scene, err := g.Layout(vo)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz render: %s: %v\n", pos[0], renderLine(err.Error()))
		return ExitBad
	}
	t := *title
	if t == "" && f == render.FormatHTML {
		t = filepath.Base(pos[0]) // the page's title; not drawn
	}
	opt := render.Options{
		Theme: th, Scale: *scale, Title: t, TextPaths: *textPaths,
		Warn:    func(msg string) { fmt.Fprintf(stderr, "modelviz render: warning: %s\n", msg) },
		Details: render.ModelDetails(m, info),
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, scene, f, opt); err != nil {
		fmt.Fprintf(stderr, "modelviz render: %s: %v\n", pos[0], renderLine(err.Error()))
		return ExitBad
	}
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(*out, buf.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "modelviz render: %v\n", renderLine(err.Error()))
		return ExitBad
	}
	return ExitOK
}

// findGroup resolves --group to a group ID; a name that matches no group
// is a usage error naming close ones. An empty name is no group.
func findGroup(cmd, path string, g *view.Graph, name string, stderr io.Writer) (string, int) {
	if name == "" {
		return "", -1
	}
	id, err := g.FindGroup(name)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz %s: %s: %s\n", cmd, path, renderLine(err.Error()))
		return "", ExitUsage
	}
	return id, -1
}

func renderLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
