//go:build unix

package registry

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFIFO: a named pipe is refused at once instead of blocking the open.
func TestFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.onnx")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	if _, err := Open(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("got %v", err)
	}
}
