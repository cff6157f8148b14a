package onnx

import (
	"io"
	"os"
)

// readFile is the fallback when the file cannot be memory-mapped.
func readFile(fh *os.File, size int64) ([]byte, func(), error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(fh, 0, size), b); err != nil {
		return nil, nil, err
	}
	return b, func() {}, nil
}
