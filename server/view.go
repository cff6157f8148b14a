package server

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
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

const maxExpanded = 1_000_000

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
	body, err := e.sceneBytes(vr)
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "layout failed: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// key identifies a request's answer: the same request gives the same
// bytes (layouts are deterministic).
func (vr viewRequest) key() string {
	var exp []string
	if !vr.All && !(vr.Initial && len(vr.Reveal) == 0) {
		// Only then does the list matter (see layouter.options).
		exp = append([]string{}, vr.Expanded...)
		sort.Strings(exp)
	}
	b, _ := json.Marshal([]any{vr.All, vr.Initial, vr.Dir, exp, vr.Reveal})
	return string(b)
}

// maxMemoBytes bounds the encoded answers kept per model.
const maxMemoBytes = 256 << 20

// sceneBytes answers a view request from the memo of recent answers, else
// lays out and encodes. The first view is encoded when the model opens.
func (e *entry) sceneBytes(vr viewRequest) ([]byte, error) {
	k := vr.key()
	e.mu.Lock()
	if b, ok := e.memo[k]; ok {
		e.mu.Unlock()
		return b, nil
	}
	e.mu.Unlock()
	sc, err := e.scene(vr)
	if err != nil {
		return nil, err
	}
	b := appendScene(make([]byte, 0, 256*len(sc.Nodes)+4096), sc, e.id)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.memo == nil || len(e.memo) >= 4 || e.memoBytes+len(b) > maxMemoBytes {
		e.memo, e.memoBytes = map[string][]byte{}, 0
	}
	if len(b) <= maxMemoBytes {
		e.memo[k] = b
		e.memoBytes += len(b)
	}
	return b, nil
}
