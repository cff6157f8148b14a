package server

import (
	"net/http"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// fonts are the Go fonts the boxes were measured with (view/text.go), so
// text drawn in the page fits its box exactly.
var fonts = map[string][]byte{"goregular.ttf": goregular.TTF, "gobold.ttf": gobold.TTF}

func serveFont(w http.ResponseWriter, r *http.Request) {
	b, ok := fonts[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "font/ttf")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}
