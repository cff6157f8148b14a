package render

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/modelviz/modelviz/view"
)

// FuzzRender draws arbitrary scenes (as the layout JSON) in every format:
// errors are fine, panics and runaway work are not.
func FuzzRender(f *testing.F) {
	js, _ := json.Marshal(handScene())
	f.Add(js)
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.scene.json"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"width":1e300,"height":-1,"nodes":[{"x":1e308,"width":-5,"rows":[{"value":"\u0000\u27e8"}]}]}`))
	f.Add([]byte(`{"edges":[{"from":"a","to":"b","order":true,"points":[[0,0],[0,1e300],[1e-300,5],[3,5]]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s view.Scene
		if json.Unmarshal(data, &s) != nil {
			return
		}
		for _, fm := range []Format{FormatSVG, FormatDOT, FormatHTML} {
			var buf bytes.Buffer
			// (encoding/xml is slow under fuzzing instrumentation;
			// TestHostileScenes checks well-formedness.)
			if Write(&buf, &s, fm, Options{}) == nil && (!utf8.Valid(buf.Bytes()) || bytes.Contains(buf.Bytes(), []byte("NaN"))) {
				t.Fatalf("%v output is not valid UTF-8 or holds NaN", fm)
			}
		}
		// Small pictures only: a bitmap up to the 64 Mpx cap per input
		// would leave the fuzzer no time for anything else.
		Write(io.Discard, &s, FormatPNG, Options{Scale: 0.25})
		Write(io.Discard, &s, FormatPDF, Options{})
	})
}
