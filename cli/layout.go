package cli

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/view"
)

func runLayout(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("layout", "layout FILE [-o out.json] [--flat | --depth N] [--direction TB|LR] [--input NAME=SHAPE]...", stderr)
	out := fs.String("o", "-", "write the layout JSON here (docs/json.md); - is stdout")
	flat := fs.Bool("flat", false, "expand every group and subgraph: one box per operator")
	depth := fs.Int("depth", 0, "expand groups above this nesting level; 0 shows the model as one box, 1 its top-level groups collapsed (default: automatic, everything for small models)")
	dir := fs.String("direction", "TB", "TB (top to bottom) or LR (left to right)")
	group := fs.String("group", "", "lay out only this module, with its inputs and outputs as pills: its name as summary prints it (features.3), its path (features/features.3) or group ID")
	attrs := fs.Bool("attributes", false, "show attribute rows in op boxes")
	weights := fs.Bool("weights", true, "show folded weights (W 8×4) in op boxes")
	names := fs.Bool("names", false, "show node names in op boxes")
	var inputs []string
	fs.Func("input", "override an input shape, e.g. x=1x3x224x224 (repeatable)", func(s string) error {
		inputs = append(inputs, s)
		return nil
	})
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "modelviz layout: need one model file: modelviz layout FILE -o out.json")
		return ExitUsage
	}
	depthSet := false
	fs.Visit(func(f *flag.Flag) { depthSet = depthSet || f.Name == "depth" })
	if *flat && depthSet {
		fmt.Fprintln(stderr, "modelviz layout: --flat and --depth exclude each other")
		return ExitUsage
	}
	if *depth < 0 {
		fmt.Fprintln(stderr, "modelviz layout: --depth: want a whole number 0 or more (--flat expands everything)")
		return ExitUsage
	}
	if *dir != "TB" && *dir != "LR" {
		fmt.Fprintf(stderr, "modelviz layout: --direction %q: want TB or LR\n", *dir)
		return ExitUsage
	}
	shapes, err := analysis.ParseInputs(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz layout: %v\n", err)
		return ExitUsage
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "modelviz layout: %v\n", err)
			return ExitBad
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "modelviz layout: %v\n", err)
			return ExitBad
		}
		defer pprof.StopCPUProfile()
	}

	m, info, code := openAnalyzed("layout", pos[0], shapes, stderr)
	if code >= 0 {
		return code
	}
	g := view.Build(m, info)
	opt := view.Options{Depth: view.DefaultDepth(g), Dir: *dir, Attributes: *attrs,
		Weights: *weights, Names: *names}
	if opt.Group, code = findGroup("layout", pos[0], g, *group, stderr); code >= 0 {
		return code
	}
	switch {
	case *flat:
		opt.Depth = -1
	case depthSet:
		opt.Depth = *depth
	case opt.Group != "":
		opt.Depth = view.DefaultGroupDepth(g, opt.Group)
	}
	sc, err := g.Layout(opt)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz layout: %s: %v\n", pos[0], err)
		return ExitBad
	}
	for _, w := range g.Warnings {
		fmt.Fprintf(stderr, "modelviz layout: warning: %s: %s\n", pos[0], w)
	}

	w := stdout
	var f *os.File
	if *out != "-" && *out != "" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintf(stderr, "modelviz layout: %v\n", err)
			return ExitBad
		}
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	err = json.NewEncoder(bw).Encode(sc)
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "modelviz layout: %v\n", err)
		return ExitBad
	}
	return ExitOK
}
