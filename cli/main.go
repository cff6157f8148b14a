// Package cli implements the modelviz command line. Each subcommand lives in
// its own file and is listed once in commands below.
package cli

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitBad   = 1 // the model file is bad (or another runtime failure)
	ExitUsage = 2
)

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is the one list of subcommands, in help order.
var commands []command

func init() {
	commands = []command{
		{"serve", "open the interactive viewer in the browser (default command)", runServe},
		{"inspect", "print a model's exact structure (text or --json)", runInspect},
		{"summary", "print a torchinfo-style table grouped by module", runSummary},
		{"layout", "write the laid-out graph as JSON", runLayout},
		{"render", "draw the graph to SVG, PNG, PDF, DOT or HTML", runRender},
		{"diff", "compare two models: nodes, op counts, weights", runDiff},
		{"version", "print the version", runVersion},
		{"help", "show help for a command", runHelp},
	}
}

// Main runs modelviz with args (without the program name) and returns the
// exit code. It never panics: a bug becomes a one-line error and exit 1.
func Main(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "modelviz: internal error: %v (please report this)\n", r)
			code = ExitBad
		}
	}()
	if len(args) == 0 {
		return runServe(nil, stdout, stderr)
	}
	switch args[0] {
	case "-h", "--help", "-help":
		return runHelp(nil, stdout, stderr)
	case "-v", "--version":
		return runVersion(nil, stdout, stderr)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	if strings.HasPrefix(args[0], "-") || looksLikeFile(args[0]) {
		// `modelviz FILE [flags]` is `modelviz serve FILE [flags]`.
		return runServe(args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "modelviz: unknown command %q; run 'modelviz help'\n", args[0])
	return ExitUsage
}

func looksLikeFile(s string) bool {
	return strings.ContainsAny(s, "./\\") || fileExists(s)
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		for _, c := range commands {
			if c.name == args[0] && c.name != "help" {
				return c.run([]string{"--help"}, stdout, stderr)
			}
		}
		fmt.Fprintf(stderr, "modelviz: unknown command %q\n", args[0])
		return ExitUsage
	}
	fmt.Fprintln(stdout, "modelviz: view neural-network models (ONNX, PyTorch, safetensors, GGUF)")
	fmt.Fprintln(stdout, "\nUsage:\n  modelviz [FILE]            open FILE (or the bundled example) in the browser\n  modelviz COMMAND [flags] FILE\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(stdout, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(stdout, "\nRun 'modelviz COMMAND --help' for a command's flags.")
	return ExitOK
}

// Version is set with -ldflags "-X github.com/modelviz/modelviz/cli.Version=...".
var Version = ""

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "version", stderr)
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "modelviz version: unexpected argument %q; run 'modelviz version --help'\n", pos[0])
		return ExitUsage
	}
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(stdout, "modelviz %s\n", v)
	return ExitOK
}
