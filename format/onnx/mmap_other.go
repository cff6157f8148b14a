//go:build !unix

package onnx

import "os"

func mapFile(fh *os.File, size int64) ([]byte, func(), error) {
	return readFile(fh, size)
}
