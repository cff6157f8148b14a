package cli

import (
	"fmt"
	"io"
)

// TODO(owner of summary): replace this placeholder with the real command.
func runSummary(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "modelviz summary: not implemented yet")
	return ExitBad
}
