package render

import (
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/opmeta"
)

// luminance is WCAG 2's relative luminance of an opaque colour.
func luminance(c rgba) float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}

// contrast is WCAG 2's contrast ratio of two opaque colours, 1 to 21.
func contrast(a, b rgba) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastFormula(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"#000000", "#ffffff", 21}, {"#777777", "#ffffff", 4.48}, {"#767676", "#ffffff", 4.54}, {"#336699", "#336699", 1}} {
		if got := contrast(hex(c.a), hex(c.b)); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// TestHeaderContrast: every header a picture can show carries its text at
// WCAG AA (4.5:1) in both themes: each category (and its aliases), ops of
// no known category, collapsed modules, and subgraph boxes (control).
func TestHeaderContrast(t *testing.T) {
	const aa = 4.5
	for _, th := range []*theme{lightTheme, darkTheme} {
		names := append([]string{}, opmeta.Categories...)
		for k := range th.categories {
			names = append(names, k)
		}
		for k := range categoryAliases {
			names = append(names, k)
		}
		names = append(names, "", "no-such-category")
		for _, cat := range names {
			c := th.headerColor(cat)
			if r := contrast(th.headerText, c); r < aa {
				t.Errorf("%s theme, category %q: header %s with text %s is %.2f:1, want >= %.1f", th.name, cat, c.css(), th.headerText.css(), r, aa)
			}
		}
		for what, c := range map[string]rgba{"collapsed group": th.collHead, "other": th.other} {
			if r := contrast(th.headerText, c); r < aa {
				t.Errorf("%s theme, %s: header %s with text %s is %.2f:1, want >= %.1f", th.name, what, c.css(), th.headerText.css(), r, aa)
			}
		}
		// Text on the box bodies, pills, background and group tint.
		for what, p := range map[string][2]rgba{
			"row key":     {th.rowKey, th.nodeFill},
			"row value":   {th.rowText, th.nodeFill},
			"edge label":  {th.edgeLabel, th.bg},
			"pill text":   {th.ioText, th.ioFill},
			"pill row":    {th.ioRow, th.ioFill},
			"group title": {th.groupText, blend(blend(th.bg, th.groupFill), th.groupFill)},
		} {
			if r := contrast(p[0], p[1]); r < aa {
				t.Errorf("%s theme, %s: %s on %s is %.2f:1, want >= %.1f", th.name, what, p[0].css(), p[1].css(), r, aa)
			}
		}
	}
}

// TestWebPaletteInSync: the web viewer (web/style.css) colours boxes with
// the same category palette as the static renders, light and dark, and
// its own io and group headers meet AA too.
func TestWebPaletteInSync(t *testing.T) {
	b, err := os.ReadFile("../web/style.css")
	if err != nil {
		t.Skipf("web/style.css: %v", err)
	}
	css := string(b)
	i := strings.Index(css, "@media (prefers-color-scheme: dark)")
	if i < 0 {
		t.Fatal("web/style.css: no dark block")
	}
	re := regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})\b`)
	vars := func(s string) map[string]string {
		m := map[string]string{}
		for _, v := range re.FindAllStringSubmatch(s, -1) {
			m[v[1]] = strings.ToLower(v[2])
		}
		return m
	}
	for _, c := range []struct {
		th   *theme
		vars map[string]string
	}{{lightTheme, vars(css[:i])}, {darkTheme, vars(css[i:])}} {
		head, ok := c.vars["head-text"]
		if !ok {
			t.Fatalf("%s: web/style.css has no --head-text", c.th.name)
		}
		for _, cat := range opmeta.Categories {
			got, ok := c.vars["c-"+cat]
			if !ok {
				t.Errorf("%s: web/style.css has no --c-%s", c.th.name, cat)
				continue
			}
			if want, ok := c.th.categories[cat]; ok && got != want.css() {
				t.Errorf("%s: web/style.css --c-%s is %s, render/theme.go says %s", c.th.name, cat, got, want.css())
			}
			if r := contrast(hex(head), hex(got)); r < 4.5 {
				t.Errorf("%s: web --c-%s %s with --head-text %s is %.2f:1, want >= 4.5", c.th.name, cat, got, head, r)
			}
		}
	}
}
