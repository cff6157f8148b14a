// Command modelviz opens neural-network model files and shows their graph.
package main

import (
	"os"

	"github.com/modelviz/modelviz/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
