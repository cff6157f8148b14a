package cli

import (
	"fmt"
	"io"
)

// TODO(owner of render): replace this placeholder with the real command.
func runRender(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "modelviz render: not implemented yet")
	return ExitBad
}
