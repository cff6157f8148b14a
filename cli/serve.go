package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/modelviz/modelviz/examples"
	"github.com/modelviz/modelviz/server"
)

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", "serve [FILE...] [--addr HOST:PORT] [--no-browser]", stderr)
	addr := fs.String("addr", server.DefaultAddr, "address to listen on; a busy port or port 0 picks a free one")
	noBrowser := fs.Bool("no-browser", false, "do not open a browser (also off when there is no display or CI is set)")
	maxUpload := fs.Int64("max-upload", server.DefaultMaxUpload, "largest file the page may upload, in bytes")
	files, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		fmt.Fprintf(stderr, "modelviz serve: --addr %q: want HOST:PORT such as 127.0.0.1:8080 (%v)\n", *addr, err)
		return ExitUsage
	}
	prog := newProgress(stderr)
	s := server.New(server.Options{Addr: *addr, MaxUpload: *maxUpload, Example: len(files) == 0,
		Progress: prog.phase, Logf: func(f string, a ...any) { fmt.Fprintf(stderr, "modelviz serve: "+f+"\n", a...) }})
	defer s.Close()

	if len(files) == 0 {
		dir, err := os.MkdirTemp("", "modelviz-example-")
		if err != nil {
			fmt.Fprintf(stderr, "modelviz serve: %v\n", err)
			return ExitBad
		}
		defer os.RemoveAll(dir)
		p := filepath.Join(dir, examples.IrisName)
		if err := os.WriteFile(p, examples.Iris, 0o600); err != nil {
			fmt.Fprintf(stderr, "modelviz serve: %v\n", err)
			return ExitBad
		}
		if _, err := s.OpenAs(p, examples.IrisName); err != nil {
			fmt.Fprintf(stderr, "modelviz: %v\n", err)
			return ExitBad
		}
	}
	bad := 0
	for _, f := range files {
		if _, err := s.Open(f); err != nil {
			fmt.Fprintf(stderr, "modelviz: %v\n", err)
			bad++
		}
	}
	if bad > 0 && bad == len(files) {
		return ExitBad
	}

	ln, err := s.Listen()
	if err != nil {
		fmt.Fprintf(stderr, "modelviz serve: cannot listen on %s: %v\n", *addr, err)
		return ExitBad
	}
	url := s.URL()
	fmt.Fprintf(stdout, "modelviz: viewer at %s (Ctrl-C to stop)\n", url)
	if !*noBrowser && hasDisplay() {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(stderr, "modelviz serve: could not open a browser (%v); open %s yourself\n", err, url)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := s.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "modelviz serve: %v\n", err)
		return ExitBad
	}
	return ExitOK
}

// hasDisplay reports whether a browser window could appear.
func hasDisplay() bool {
	if os.Getenv("CI") != "" {
		return false
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// progress draws a one-line bar on stderr while files load. The phases of
// opening a file are its steps; between updates a ticker keeps the elapsed
// time moving so a slow phase does not look hung. Nothing is drawn when
// stderr is not a terminal, except a summary for slow loads.
type progress struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	name  string
	step  int
	label string
	start time.Time
	stop  chan struct{}
}

var phases = []string{"reading", "analysing", "laying out", "done"}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) phase(name, phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if phase == "reading" {
		p.name, p.start = name, time.Now()
		if p.tty {
			p.stop = make(chan struct{})
			go p.tick(p.stop)
		}
	}
	for i, ph := range phases {
		if ph == phase {
			p.step = i
		}
	}
	p.label = phase
	if phase == "done" {
		if p.stop != nil {
			close(p.stop)
			p.stop = nil
		}
		el := time.Since(p.start)
		if p.tty {
			fmt.Fprintf(p.w, "\r\033[K")
		}
		if el > time.Second {
			fmt.Fprintf(p.w, "modelviz: opened %s in %.1f s\n", p.name, el.Seconds())
		}
		return
	}
	p.drawLocked()
}

func (p *progress) tick(stop chan struct{}) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.stop == stop {
				p.drawLocked()
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) drawLocked() {
	if !p.tty || time.Since(p.start) < 300*time.Millisecond {
		return
	}
	const width = 24
	filled := width * p.step / (len(phases) - 1)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r\033[Kloading %s [%s] %s %.1f s", p.name, bar, p.label, time.Since(p.start).Seconds())
}
