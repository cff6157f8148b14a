package render

import (
	"bytes"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDOTLooksLikeOurs: DOT boxes keep their fills inside their rounded
// borders (no cell has a fill of its own: those are square), header-only
// boxes have one outline at most, and nested clusters get deeper tints.
func TestDOTLooksLikeOurs(t *testing.T) {
	for _, th := range []string{"light", "dark"} {
		var buf bytes.Buffer
		if err := DOT(&buf, handScene(), Options{Theme: th}); err != nil {
			t.Fatal(err)
		}
		s := buf.String()
		if strings.Contains(s, "<td bgcolor") {
			t.Errorf("%s: a table cell has its own (square) fill", th)
		}
		// Softmax has no rows: filled with its header colour, no border.
		soft := regexp.MustCompile(`"n1" \[label=<<table ([^>]*)>`).FindStringSubmatch(s)
		if soft == nil || !strings.Contains(soft[1], `border="0"`) || strings.Contains(soft[1], "gradient") {
			t.Errorf("%s: header-only box: %q", th, soft)
		}
		fills := map[string]rgba{}
		for _, m := range regexp.MustCompile(`subgraph "cluster_([^"]+)" \{\s*label=[^;]*; labeljust=l; style="rounded,filled"; fillcolor="(#[0-9a-f]{6})"`).FindAllStringSubmatch(s, -1) {
			fills[m[1]] = hex(m[2])
		}
		outer, inner := fills["g:encoder"], fills["g:encoder.attn"]
		if len(fills) != 2 || outer == inner {
			t.Errorf("%s: cluster fills %v: want the nested one tinted deeper", th, fills)
		}
		bg := lightTheme.bg
		if th == "dark" {
			bg = darkTheme.bg
		}
		if contrast(inner, bg) <= contrast(outer, bg) {
			t.Errorf("%s: nested cluster %s is no further from the background than its parent %s", th, inner.css(), outer.css())
		}
	}
}

// TestDOTHeaderGradient: in Graphviz's own rendering the switch from the
// header colour to the body colour falls where the header row ends, one
// border width plus dotHeadH below the box's top.
func TestDOTHeaderGradient(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz not installed")
	}
	var buf bytes.Buffer
	if err := DOT(&buf, handScene(), Options{}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`<linearGradient [^>]*y1="([-0-9.]+)"[^>]*y2="([-0-9.]+)"[^>]*>\s*<stop offset="[0-9.]+"[^>]*/>\s*<stop offset="([0-9.]+)"`)
	ms := re.FindAllSubmatch(out, -1)
	if len(ms) != 3 { // MatMul, LayerNormalization, decoder
		t.Fatalf("%d gradients in dot's SVG, want 3", len(ms))
	}
	for _, m := range ms {
		y1, _ := strconv.ParseFloat(string(m[1]), 64)
		y2, _ := strconv.ParseFloat(string(m[2]), 64)
		f, _ := strconv.ParseFloat(string(m[3]), 64)
		h := math.Abs(y2 - y1)
		if at, want := f*h, dotBorder+dotHeadH; math.Abs(at-want) > 0.5 {
			t.Errorf("box %gpt tall switches colour %.2fpt from its top, want %g (rows taller than %g?)", h, at, want, dotRowH)
		}
	}
}
