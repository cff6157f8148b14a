package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

type uploadJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Error string `json:"error,omitempty"`
}

// apiUpload takes a model file as the raw request body (the page sends the
// picked or dropped File), streams it to a private temp folder, and opens
// it. The name only picks the extension and the title.
func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("name"))
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	if r.ContentLength > s.opt.MaxUpload {
		fail(w, http.StatusRequestEntityTooLarge, "file is larger than the %d-byte upload limit", s.opt.MaxUpload)
		return
	}
	dir, err := s.uploadDir()
	if err != nil {
		fail(w, http.StatusInternalServerError, "cannot store upload: %v", err)
		return
	}
	sub, err := os.MkdirTemp(dir, "u")
	if err != nil {
		fail(w, http.StatusInternalServerError, "cannot store upload: %v", err)
		return
	}
	path := filepath.Join(sub, safeFileName(name))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		fail(w, http.StatusInternalServerError, "cannot store upload: %v", err)
		return
	}
	_, err = io.Copy(f, http.MaxBytesReader(w, r.Body, s.opt.MaxUpload))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(sub)
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			fail(w, http.StatusRequestEntityTooLarge, "file is larger than the %d-byte upload limit", s.opt.MaxUpload)
			return
		}
		fail(w, http.StatusBadRequest, "upload failed: %v", err)
		return
	}
	id, err := s.open(path, name, true)
	out := uploadJSON{ID: id, Name: name}
	if err != nil {
		// The path is ours, not the user's: show the name they know.
		out.Error = err.Error()
		os.RemoveAll(sub)
	}
	writeJSON(w, out)
}

func (s *Server) uploadDir() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tmpDir == "" {
		d, err := os.MkdirTemp("", "modelviz-uploads-"+strconv.Itoa(os.Getpid())+"-")
		if err != nil {
			return "", err
		}
		s.tmpDir = d
	}
	return s.tmpDir, nil
}
