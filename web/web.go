// Package web holds the viewer's static assets (plain JS, CSS and HTML, no
// build step), embedded so the binary serves them without files on disk.
package web

import (
	"embed"
	"io/fs"
)

//go:embed index.html app.js style.css
var files embed.FS

// FS is the asset tree served at the site root.
func FS() fs.FS { return files }
