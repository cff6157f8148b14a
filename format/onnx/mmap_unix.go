//go:build unix

package onnx

import (
	"os"
	"syscall"
)

// mapFile maps the file read-only; when mapping fails it reads it instead.
func mapFile(fh *os.File, size int64) ([]byte, func(), error) {
	b, err := syscall.Mmap(int(fh.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return readFile(fh, size)
	}
	return b, func() { syscall.Munmap(b) }, nil
}
