package cli

import (
	"fmt"
	"io"
)

// TODO(owner of serve): replace this placeholder with the real command.
func runServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "modelviz serve: not implemented yet")
	return ExitBad
}
