package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/modelviz/modelviz/render"
)

type exportRequest struct {
	viewRequest
	Format string `json:"format"`
	Theme  string `json:"theme"`
}

// apiExport draws the current view with the same renderer as
// `modelviz render`.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request, e *entry) {
	var xr exportRequest
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&xr); err != nil {
			fail(w, http.StatusBadRequest, "bad export request: %v", err)
			return
		}
		xr.Dir = strings.ToUpper(xr.Dir)
		if xr.Dir != "LR" {
			xr.Dir = "TB"
		}
	} else {
		vr, err := parseViewRequest(r)
		if err != nil {
			fail(w, http.StatusBadRequest, "bad export request: %v", err)
			return
		}
		xr.viewRequest = vr
		xr.Format = r.URL.Query().Get("format")
		xr.Theme = r.URL.Query().Get("theme")
	}
	if xr.Theme != "dark" {
		xr.Theme = "light"
	}
	var ctype string
	switch xr.Format {
	case "svg":
		ctype = "image/svg+xml"
	case "png":
		ctype = "image/png"
	case "pdf":
		ctype = "application/pdf"
	default:
		fail(w, http.StatusBadRequest, "format must be svg, png or pdf")
		return
	}
	f, err := render.ParseFormat(xr.Format)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	sc, err := e.scene(xr.viewRequest)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "layout failed: %v", err)
		return
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, sc, f, render.Options{Theme: xr.Theme, Title: e.name}); err != nil {
		fail(w, http.StatusUnprocessableEntity, "render failed: %v", err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(strings.TrimSuffix(e.name, "."+extOf(e.name)))+"."+xr.Format+`"`)
	w.Write(buf.Bytes())
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return ""
}
