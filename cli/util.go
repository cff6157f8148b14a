package cli

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/model"
)

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// newFlags makes a FlagSet that prints its usage to stderr and never exits.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: modelviz %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args allowing flags after positional arguments
// (`modelviz inspect m.onnx --json`). It returns the positionals, and an
// exit code >= 0 when the caller should stop (help or usage error).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, ExitOK
			}
			return nil, ExitUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// openAnalyzed opens path for command cmd, prints the model's warnings,
// checks the --input overrides against its inputs and runs the analysis.
// A code >= 0 means the command should return it.
func openAnalyzed(cmd, path string, shapes map[string]model.Shape, stderr io.Writer) (*model.Model, *analysis.Info, int) {
	m, err := registry.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "modelviz: %v\n", err)
		return nil, nil, ExitBad
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(stderr, "modelviz: %s: warning: %s\n", path, w)
	}
	if err := analysis.CheckInputs(m, shapes); err != nil {
		fmt.Fprintf(stderr, "modelviz %s: %s: %v\n", cmd, path, err)
		return nil, nil, ExitUsage
	}
	return m, analysis.Analyze(m, analysis.Options{Inputs: shapes}), -1
}
