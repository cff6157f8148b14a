package cli

import (
	"fmt"
	"io"
)

// TODO(owner of layout): replace this placeholder with the real command.
func runLayout(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "modelviz layout: not implemented yet")
	return ExitBad
}
