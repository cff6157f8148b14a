package cli

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelviz/modelviz/internal/testutil"
)

// TestServeHelper is not a test: TestServe runs the test binary with
// MODELVIZ_SERVE_HELPER set so that `modelviz serve` runs in a process of
// its own that can be sent Ctrl-C.
func TestServeHelper(t *testing.T) {
	args := os.Getenv("MODELVIZ_SERVE_HELPER")
	if args == "" {
		t.Skip("helper process only")
	}
	os.Exit(Main(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

func startServe(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelper$")
	cmd.Env = append(os.Environ(), "MODELVIZ_SERVE_HELPER="+strings.Join(args, "\x1f"), "CI=true")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "http://") {
				line <- sc.Text()
				return
			}
		}
		close(line)
	}()
	select {
	case l := <-line:
		u := regexp.MustCompile(`http://[^ ]+/`).FindString(l)
		if u == "" {
			t.Fatalf("no URL in %q", l)
		}
		return cmd, u
	case <-time.After(20 * time.Second):
		t.Fatal("serve printed no URL")
	}
	return nil, ""
}

func TestServeExampleAndCtrlC(t *testing.T) {
	cmd, url := startServe(t, "serve", "--addr", "127.0.0.1:0")
	resp, err := http.Get(url + "api/models")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Models  []struct{ Name, Format string }
		Example bool
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if !list.Example || len(list.Models) != 1 || list.Models[0].Name != "iris.onnx" || list.Models[0].Format != "onnx" {
		t.Errorf("models = %+v", list)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after Ctrl-C: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown 10 s after Ctrl-C")
	}
}

func TestServeBadFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.onnx")
	os.WriteFile(bad, []byte("\x08\x07\x12\xffjunk"), 0o600)
	code, _, errOut := run("serve", "--no-browser", "--addr", "127.0.0.1:0", bad)
	if code != ExitBad || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, bad) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// A malformed --addr is a usage error, found before any file is opened.
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	for _, f := range []string{bad, iris} {
		code, out, errOut := run("serve", "--addr", "nonsense", f, "--no-browser")
		if code != ExitUsage || out != "" || !strings.Contains(errOut, `--addr "nonsense"`) || strings.Contains(errOut, "bad.onnx") {
			t.Errorf("bad --addr with %s: exit %d, stdout %q, stderr %q", f, code, out, errOut)
		}
	}
}

func TestHasDisplay(t *testing.T) {
	t.Setenv("CI", "true")
	if hasDisplay() {
		t.Error("display reported under CI")
	}
	t.Setenv("CI", "")
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if hasDisplay() && runtime.GOOS == "linux" {
		t.Error("display reported without DISPLAY")
	}
}

func TestProgressBar(t *testing.T) {
	var buf strings.Builder
	p := &progress{w: &buf, tty: true}
	p.phase("big.onnx", "reading")
	p.start = time.Now().Add(-2 * time.Second) // as if the file were slow
	p.phase("big.onnx", "analysing")
	p.phase("big.onnx", "laying out")
	p.phase("big.onnx", "done")
	out := buf.String()
	for _, want := range []string{"loading big.onnx [========", "analysing", "laying out", "\r\033[K", "opened big.onnx in 2.0 s\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q: %q", want, out)
		}
	}
	// Not a terminal: only the summary of a slow load.
	buf.Reset()
	p = &progress{w: &buf}
	p.phase("x.onnx", "reading")
	p.phase("x.onnx", "done")
	if buf.Len() != 0 {
		t.Errorf("fast load on a pipe printed %q", buf.String())
	}
}
