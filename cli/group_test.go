package cli

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/view"
)

func layoutScene(t *testing.T, args ...string) *view.Scene {
	t.Helper()
	code, stdout, stderr := run(append([]string{"layout"}, args...)...)
	if code != ExitOK {
		t.Fatalf("layout %q: exit %d: %s", args, code, stderr)
	}
	var sc view.Scene
	if err := json.Unmarshal([]byte(stdout), &sc); err != nil {
		t.Fatal(err)
	}
	return &sc
}

// --group takes the module's name as summary prints it, its path and its
// ID, draws its border as pills, and a name that matches nothing is a
// usage error suggesting close ones.
func TestGroupForms(t *testing.T) {
	mb := testutil.Corpus(t, "mobilenet_v3_small.onnx")
	var first string
	for _, name := range []string{"features.3", "features/features.3", "g:features/features.3", "/features/features.3/"} {
		sc := layoutScene(t, mb, "--group", name)
		sc.Stats.Ms = 0
		b, _ := json.Marshal(sc)
		if first == "" {
			first = string(b)
		} else if string(b) != first {
			t.Errorf("--group %s draws differently from --group features.3", name)
		}
	}
	sc := layoutScene(t, mb, "--group", "features.3")
	ids := map[string]string{}
	for _, b := range sc.Nodes {
		ids[b.ID] = b.Kind
	}
	var in, out int
	for _, e := range sc.Edges {
		if ids[e.From] == "input" && e.To == "/features/features.3/block/block.0/block.0.0/Conv" {
			in++
		}
		if e.From == "/features/features.3/Add" && ids[e.To] == "output" {
			out++
		}
	}
	if in != 1 || out != 1 || sc.Nodes[0].Kind != "input" || sc.Nodes[len(sc.Nodes)-1].Kind != "output" {
		t.Errorf("features.3: %d pill edges into the first conv, %d out of the Add; boxes %v", in, out, ids)
	}

	dir := t.TempDir()
	o := filepath.Join(dir, "f3.png")
	if code, _, stderr := run("render", mb, "--group", "features.3", "-o", o); code != ExitOK {
		t.Fatalf("render --group features.3: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
		t.Error(err)
	}

	for _, c := range []struct{ cmd, group, want string }{
		{"render", "features.33", `no group "features.33" (did you mean features.3, features.0, features.1?)`},
		{"layout", "features.33", `no group "features.33" (did you mean features.3, features.0, features.1?)`},
		{"render", "block", `group name "block" is ambiguous: features.1.block, features.2.block, features.3.block and 8 more`},
		{"layout", "nothing-like-it", `no group "nothing-like-it"`},
	} {
		args := []string{c.cmd, mb, "--group", c.group}
		if c.cmd == "render" {
			args = append(args, "-o", filepath.Join(dir, "x.svg"))
		}
		code, stdout, stderr := run(args...)
		want := "modelviz " + c.cmd + ": " + mb + ": " + c.want + "\n"
		if code != ExitUsage || stdout != "" || stderr != want {
			t.Errorf("%s --group %s: exit %d, %q; want 2, %q", c.cmd, c.group, code, stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.svg")); err == nil {
		t.Error("a bad --group wrote a file")
	}
}

// --depth 0, 1, 2... each draw more of a model with that many levels.
func TestDepthCounts(t *testing.T) {
	for _, c := range []struct {
		file string
		want []int
	}{
		{"mobilenet_v3_small.onnx", []int{3, 6, 20, 28, 58, 124}},
		{"gpt_decoder_48l.onnx", []int{3, 60, 308, 3380, 3764}},
	} {
		p := testutil.Corpus(t, c.file)
		var got []int
		for d := range c.want {
			got = append(got, len(layoutScene(t, p, "--depth", strconv.Itoa(d)).Nodes))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: boxes at --depth 0..%d: %v, want %v", c.file, len(c.want)-1, got, c.want)
		}
	}
	// Without --depth a group opens as deep as fits, counting from it.
	gpt := testutil.Corpus(t, "gpt_decoder_48l.onnx")
	a, b := layoutScene(t, gpt, "--group", "h.0"), layoutScene(t, gpt, "--group", "h.0", "--flat")
	if len(a.Nodes) != len(b.Nodes) || len(a.Nodes) != 80 {
		t.Errorf("--group h.0: %d boxes, --flat %d, want 80", len(a.Nodes), len(b.Nodes))
	}
}
