package cli

import (
	"bytes"
	"strings"
	"testing"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := run("help")
	if code != ExitOK {
		t.Fatalf("help exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out, "  "+c.name) {
			t.Errorf("help does not list %q:\n%s", c.name, out)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run("version")
	if code != ExitOK || !strings.HasPrefix(out, "modelviz ") {
		t.Fatalf("version: exit %d, %q", code, out)
	}
}

func TestVersionArgs(t *testing.T) {
	for _, args := range [][]string{{"version", "--help"}, {"help", "version"}} {
		code, out, errOut := run(args...)
		if code != ExitOK || strings.Contains(out, "modelviz ") || !strings.Contains(errOut, "Usage: modelviz version") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want usage on stderr", args, code, out, errOut)
		}
	}
	code, out, errOut := run("version", "extra")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, `"extra"`) {
		t.Errorf("version extra: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	code, _, errOut := run("frobnicate")
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "frobnicate") {
		t.Fatalf("want one line naming the command, got %q", errOut)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		code, _, errOut := run(c.name, "--help")
		if code != ExitOK {
			t.Errorf("%s --help: exit %d (%s)", c.name, code, errOut)
		}
	}
}
