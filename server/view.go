package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/modelviz/modelviz/view"
)

// viewRequest selects what to lay out. Groups not listed stay collapsed,
// unless All (expand everything) or Initial (the model's default depth).
type viewRequest struct {
	Expanded []string `json:"expanded"`
	All      bool     `json:"all"`
	Initial  bool     `json:"initial"`
	Dir      string   `json:"direction"` // "TB" (default) or "LR"
	// Reveal adds the groups enclosing these nodes, so a search hit
	// inside a collapsed module can be shown.
	Reveal []nodeAt `json:"reveal"`
}

type nodeAt struct {
	Graph string `json:"graph"`
	Node  int32  `json:"node"`
}

const maxExpanded = 100000

func parseViewRequest(r *http.Request) (viewRequest, error) {
	var vr viewRequest
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&vr); err != nil {
			return vr, err
		}
	} else {
		q := r.URL.Query()
		for _, x := range q["expanded"] {
			if x != "" {
				vr.Expanded = append(vr.Expanded, x)
			}
		}
		vr.All = q.Get("all") == "1" || q.Get("all") == "true"
		vr.Initial = q.Get("initial") == "1" || q.Get("initial") == "true"
		vr.Dir = q.Get("direction")
	}
	vr.Dir = strings.ToUpper(vr.Dir)
	if vr.Dir != "LR" {
		vr.Dir = "TB"
	}
	if len(vr.Reveal) > 100 {
		vr.Reveal = vr.Reveal[:100]
	}
	if len(vr.Expanded) > maxExpanded {
		vr.Expanded = vr.Expanded[:maxExpanded]
	}
	return vr, nil
}

// sceneJSON is the Scene plus what the page needs to drive it.
type sceneJSON struct {
	*view.Scene
	Model string `json:"model"`
}

func (s *Server) apiView(w http.ResponseWriter, r *http.Request, e *entry) {
	vr, err := parseViewRequest(r)
	if err != nil {
		fail(w, http.StatusBadRequest, "bad view request: %v", err)
		return
	}
	sc, err := e.scene(vr)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "layout failed: %v", err)
		return
	}
	writeJSON(w, sceneJSON{Scene: sc, Model: e.id})
}
