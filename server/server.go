// Package server is the local web viewer behind `modelviz serve`: a JSON API
// over opened models plus the embedded page from package web. It binds to
// loopback by default and refuses requests whose Host header names any
// other site, so a web page cannot reach it through DNS rebinding.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/model"
	"github.com/modelviz/modelviz/web"
)

// DefaultAddr is where the viewer listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8080"

// maxRequestBody bounds every POST body except uploads.
const maxRequestBody = 16 << 20

// DefaultMaxUpload bounds a model uploaded from the page.
const DefaultMaxUpload = 2 << 30

// Options configure a Server.
type Options struct {
	Addr      string // host:port; port 0 or a busy port picks a free one
	MaxUpload int64  // bytes; 0 means DefaultMaxUpload
	// Example is set when the viewer was started without a file: the page
	// then greets the user and offers to open one.
	Example bool
	Logf    func(format string, args ...any)
	// Progress, when set, hears each phase of opening a file: "reading",
	// "analysing", "laying out", then "done".
	Progress func(name, phase string)
}

// Server holds the opened models. Its methods are safe for concurrent use.
type Server struct {
	opt Options

	mu     sync.Mutex
	models []*entry
	next   int
	hosts  map[string]bool // allowed Host names (lower case, no port)
	anyIP  bool            // bound to 0.0.0.0 / ::: any IP literal is fine
	url    string
	tmpDir string // uploads live here; removed on Close

	handler http.Handler
}

// New makes a server with no models yet.
func New(opt Options) *Server {
	if opt.Addr == "" {
		opt.Addr = DefaultAddr
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = DefaultMaxUpload
	}
	if opt.Logf == nil {
		opt.Logf = log.Printf
	}
	s := &Server{opt: opt, hosts: map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}}
	s.handler = s.routes()
	return s
}

// Add registers an opened model and returns its id.
func (s *Server) Add(m *model.Model, name string) string {
	e := newEntry(m, name)
	id := s.add(e)
	e.sceneBytes(viewRequest{Initial: true, Dir: "TB"})
	return id
}

// AddError registers a file that failed to open, so the page can show why.
func (s *Server) AddError(name string, err error) string {
	return s.add(&entry{name: name, err: err})
}

// Open opens path with the registry and adds it; a bad file is added as an
// error entry and its error returned.
func (s *Server) Open(path string) (string, error) {
	return s.OpenAs(path, filepath.Base(path))
}

// OpenAs is Open with the name the page shows. It also lays out the
// first view, so the page's first request is answered from memory.
func (s *Server) OpenAs(path, name string) (string, error) {
	return s.open(path, name, false)
}

// open opens path; hidePath names the file in errors by name alone (for
// uploads, whose path is our temp folder).
func (s *Server) open(path, name string, hidePath bool) (string, error) {
	prog := func(phase string) {
		if s.opt.Progress != nil {
			s.opt.Progress(name, phase)
		}
	}
	prog("reading")
	m, err := registry.Open(path)
	if err != nil {
		prog("done")
		var re *registry.Error
		if errors.As(err, &re) && hidePath {
			err = &registry.Error{Path: name, Err: re.Err}
		}
		return s.AddError(name, err), err
	}
	prog("analysing")
	e, err := safely(func() *entry { return newEntry(m, name) })
	if err != nil {
		prog("done")
		err = &registry.Error{Path: name, Err: err}
		return s.AddError(name, err), err
	}
	id := s.add(e)
	prog("laying out")
	safely(func() []byte { b, _ := e.sceneBytes(viewRequest{Initial: true, Dir: "TB"}); return b })
	prog("done")
	return id, nil
}

// safely turns a panic (a bug meeting a hostile file) into an error, so
// one bad model never takes the viewer down.
func safely[T any](f func() T) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v (please report this)", r)
		}
	}()
	return f(), nil
}

func (s *Server) add(e *entry) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	e.id = "m" + strconv.Itoa(s.next)
	s.models = append(s.models, e)
	return e.id
}

func (s *Server) model(id string) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.models {
		if e.id == id {
			return e
		}
	}
	return nil
}

func (s *Server) list() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*entry(nil), s.models...)
}

// Listen binds the configured address. When the port is taken it falls
// back to a free port on the same host rather than failing.
func (s *Server) Listen() (net.Listener, error) {
	host, port, err := net.SplitHostPort(s.opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("bad --addr %q: %v", s.opt.Addr, err)
	}
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil && port != "0" && errors.Is(err, syscall.EADDRINUSE) {
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return nil, err
	}
	s.bound(host, ln.Addr().(*net.TCPAddr))
	return ln, nil
}

func (s *Server) bound(host string, a *net.TCPAddr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := strings.ToLower(strings.Trim(host, "[]"))
	if h == "" || (a.IP.IsUnspecified() && net.ParseIP(h) != nil) {
		s.anyIP = true
		h = "localhost"
	} else {
		s.hosts[h] = true
	}
	s.url = "http://" + net.JoinHostPort(h, strconv.Itoa(a.Port)) + "/"
}

// URL is the page's address once Listen has run.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Handler serves the page and the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// No WriteTimeout: a large .npy download may legitimately take long.
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// A long download is still running: the user asked to stop.
		err = hs.Close()
	}
	s.Close()
	return err
}

// Close removes uploaded files.
func (s *Server) Close() {
	s.mu.Lock()
	d := s.tmpDir
	s.tmpDir = ""
	s.mu.Unlock()
	if d != "" {
		os.RemoveAll(d)
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	assets := http.FileServerFS(web.FS())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(web.FS(), "index.html")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	})
	mux.Handle("GET /app.js", assets)
	mux.Handle("GET /style.css", assets)
	mux.HandleFunc("GET /fonts/{name}", serveFont)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /api/models", s.apiModels)
	mux.HandleFunc("POST /api/upload", s.apiUpload)
	mux.HandleFunc("GET /api/models/{id}", s.withModel(s.apiMeta))
	mux.HandleFunc("GET /api/models/{id}/view", s.withModel(s.apiView))
	mux.HandleFunc("POST /api/models/{id}/view", s.withModel(s.apiView))
	mux.HandleFunc("GET /api/models/{id}/node", s.withModel(s.apiNode))
	mux.HandleFunc("GET /api/models/{id}/value", s.withModel(s.apiValue))
	mux.HandleFunc("GET /api/models/{id}/module", s.withModel(s.apiModule))
	mux.HandleFunc("GET /api/models/{id}/search", s.withModel(s.apiSearch))
	mux.HandleFunc("GET /api/models/{id}/tensor", s.withModel(s.apiTensor))
	mux.HandleFunc("GET /api/models/{id}/tensor.npy", s.withModel(s.apiNpy))
	mux.HandleFunc("GET /api/models/{id}/export", s.withModel(s.apiExport))
	mux.HandleFunc("POST /api/models/{id}/export", s.withModel(s.apiExport))
	return s.guard(mux)
}

// guard applies the checks every request must pass: an allowed Host (DNS
// rebinding), a same-origin marker on writes (CSRF) and a body limit.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.opt.Logf("internal error on %s: %v", r.URL.Path, v)
				fail(w, http.StatusInternalServerError, "internal error: %v (please report this)", v)
			}
		}()
		if !s.hostAllowed(r.Host) {
			http.Error(w, "forbidden: this viewer only answers to localhost", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// A custom header cannot be sent cross-origin without a CORS
			// preflight, which this server never approves.
			if r.Header.Get("X-Modelviz") == "" {
				http.Error(w, "forbidden: missing X-Modelviz header", http.StatusForbidden)
				return
			}
			if r.URL.Path != "/api/upload" {
				// Room for the expanded-group list of a model with ~300k modules.
				r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
			}
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hosts[host] {
		return true
	}
	return s.anyIP && net.ParseIP(host) != nil
}

// SetHosts is for tests that serve through httptest: it allows the given
// host names as if the server were bound to them.
func (s *Server) SetHosts(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.hosts[strings.ToLower(n)] = true
	}
}
