package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/modelviz/modelviz/diff"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/model"
)

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", "diff [--json] [--weights] A B", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON (docs/json.md)")
	weights := fs.Bool("weights", false, "also compare weight values (reads every tensor)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "modelviz diff: need two model files: modelviz diff A B")
		return ExitUsage
	}
	var ms [2]*model.Model
	for i, p := range pos {
		m, err := registry.Open(p)
		if err != nil {
			fmt.Fprintf(stderr, "modelviz: %v\n", err)
			return ExitBad
		}
		ms[i] = m
	}
	r := diff.Compare(ms[0], ms[1], diff.Options{Weights: *weights})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "modelviz diff: %v\n", err)
			return ExitBad
		}
		return ExitOK
	}
	writeDiff(stdout, r)
	return ExitOK
}

func writeDiff(w io.Writer, r *diff.Report) {
	for _, s := range []struct {
		tag  string
		side diff.Side
	}{{"A", r.A}, {"B", r.B}} {
		fmt.Fprintf(w, "%s: %s (%s, %d nodes, %d weights, %s params)\n", s.tag, s.side.Path,
			s.side.Format, s.side.Nodes, s.side.Weights, commas(s.side.Params))
	}
	if r.Empty() {
		fmt.Fprintln(w, "no structural differences")
		return
	}
	if d := r.B.Params - r.A.Params; d != 0 {
		sign := "+"
		if d < 0 {
			sign, d = "-", -d
		}
		fmt.Fprintf(w, "params: %s%s\n", sign, commas(d))
	}
	fmt.Fprintf(w, "\nnodes: %d added, %d removed, %d changed\n", len(r.NodesAdded), len(r.NodesRemoved), len(r.NodesChanged))
	for _, n := range r.NodesAdded {
		fmt.Fprintf(w, "  + %s (%s)\n", n.Name, n.Op)
	}
	for _, n := range r.NodesRemoved {
		fmt.Fprintf(w, "  - %s (%s)\n", n.Name, n.Op)
	}
	for _, n := range r.NodesChanged {
		fmt.Fprintf(w, "  ~ %s: %s\n", n.Name, strings.Join(n.Changes, "; "))
	}
	if len(r.Ops) > 0 {
		fmt.Fprintln(w, "\nop counts (A -> B):")
		for _, o := range r.Ops {
			fmt.Fprintf(w, "  %-24s %d -> %d\n", o.Op, o.A, o.B)
		}
	}
	fmt.Fprintf(w, "\nweights: %d added, %d removed, %d changed\n", len(r.WeightsAdded), len(r.WeightsRemoved), len(r.WeightsChanged))
	for _, t := range r.WeightsAdded {
		fmt.Fprintf(w, "  + %s %s %s\n", t.Name, t.DType, model.Fixed(t.Shape...))
	}
	for _, t := range r.WeightsRemoved {
		fmt.Fprintf(w, "  - %s %s %s\n", t.Name, t.DType, model.Fixed(t.Shape...))
	}
	for _, c := range r.WeightsChanged {
		if c.RenamedTo != "" {
			fmt.Fprintf(w, "  ~ %s: renamed to %s\n", c.Name, c.RenamedTo)
		}
		switch {
		case c.Values && c.MaxAbs >= 0:
			fmt.Fprintf(w, "  ~ %s: values differ (max |a-b| %.6g)\n", c.Name, c.MaxAbs)
		case c.Values:
			fmt.Fprintf(w, "  ~ %s: values differ\n", c.Name)
		case c.A.DType != c.B.DType || fmt.Sprint(c.A.Shape) != fmt.Sprint(c.B.Shape):
			fmt.Fprintf(w, "  ~ %s: %s %s -> %s %s\n", c.Name, c.A.DType, model.Fixed(c.A.Shape...), c.B.DType, model.Fixed(c.B.Shape...))
		}
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
}
