package cli

import (
	"fmt"
	"io"
)

// TODO(owner of inspect): replace this placeholder with the real command.
func runInspect(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "modelviz inspect: not implemented yet")
	return ExitBad
}
