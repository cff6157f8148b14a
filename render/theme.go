package render

import (
	"fmt"
	"strings"
)

// rgba is a straight (not premultiplied) colour.
type rgba struct{ R, G, B, A uint8 }

func hex(s string) rgba {
	var c rgba
	c.A = 255
	fmt.Sscanf(strings.TrimPrefix(s, "#"), "%02x%02x%02x", &c.R, &c.G, &c.B)
	return c
}

func (c rgba) alpha(a float64) rgba { c.A = uint8(a*255 + 0.5); return c }

// css is "#rrggbb"; the alpha goes into a separate opacity attribute.
func (c rgba) css() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// theme is every colour of a picture.
type theme struct {
	name       string
	bg         rgba
	nodeFill   rgba // body of an op box, under its rows
	nodeStroke rgba
	headerText rgba
	rowKey     rgba
	rowText    rgba
	edge       rgba
	edgeLabel  rgba
	ioFill     rgba
	ioStroke   rgba
	ioText     rgba
	ioRow      rgba
	groupFill  rgba // expanded group; nested groups stack the tint
	groupLine  rgba
	groupText  rgba
	collHead   rgba // collapsed group header
	collFill   rgba
	collStroke rgba
	categories map[string]rgba
	other      rgba // ops without a known category
}

// Category colours follow Netron's palette where it has one (layer blue,
// activation red, pooling and normalization greens, shape browns), so
// Netron users read our pictures without a legend. Every one carries the
// white header text at WCAG AA contrast (4.5:1, TestHeaderContrast), so
// the dark theme's are mid-tones, not the lighter tints a dark page
// invites. web/style.css repeats both lists as its --c-* variables
// (TestWebPaletteInSync).
var lightCats = map[string]rgba{
	"layer":       hex("#335588"),
	"activation":  hex("#8a2d24"),
	"pool":        hex("#335533"),
	"norm":        hex("#2f6650"),
	"dropout":     hex("#454770"),
	"elementwise": hex("#3f444c"),
	"shape":       hex("#6c4f47"),
	"reduce":      hex("#3d5c5c"),
	"control":     hex("#7b3f9e"),
	"sequence":    hex("#5a4a7a"),
	"constant":    hex("#6b6b6b"),
	"quant":       hex("#7a4a00"),
	"ml":          hex("#1f5f7a"),
	"training":    hex("#7a2f5a"),
	"custom":      hex("#a35f00"),
	"unknown":     hex("#505050"),
}

var darkCats = map[string]rgba{
	"layer":       hex("#4775bc"),
	"activation":  hex("#b04a3f"),
	"pool":        hex("#448245"),
	"norm":        hex("#378265"),
	"dropout":     hex("#6568a8"),
	"elementwise": hex("#5c636e"),
	"shape":       hex("#906d5c"),
	"reduce":      hex("#4f7a7a"),
	"control":     hex("#9958c0"),
	"sequence":    hex("#7c68a8"),
	"constant":    hex("#757575"),
	"quant":       hex("#8b5500"),
	"ml":          hex("#287da0"),
	"training":    hex("#a84a80"),
	"custom":      hex("#b35f00"),
	"unknown":     hex("#575757"),
}

var lightTheme = &theme{
	name:       "light",
	bg:         hex("#ffffff"),
	nodeFill:   hex("#ffffff"),
	nodeStroke: hex("#8c96a3"),
	headerText: hex("#ffffff"),
	rowKey:     hex("#1d2530"),
	rowText:    hex("#3b4552"),
	edge:       hex("#59616b"),
	edgeLabel:  hex("#4a525c"),
	ioFill:     hex("#eef1f5"),
	ioStroke:   hex("#7f8a97"),
	ioText:     hex("#1d2530"),
	ioRow:      hex("#505a66"),
	groupFill:  hex("#3c64a0").alpha(0.045),
	groupLine:  hex("#3c64a0").alpha(0.45),
	groupText:  hex("#2c4a78"),
	collHead:   hex("#3e5570"),
	collFill:   hex("#f3f6fa"),
	collStroke: hex("#3e5570"),
	categories: lightCats,
	other:      hex("#3a3f47"),
}

var darkTheme = &theme{
	name:       "dark",
	bg:         hex("#1b1e23"),
	nodeFill:   hex("#262a31"),
	nodeStroke: hex("#59626e"),
	headerText: hex("#ffffff"),
	rowKey:     hex("#e3e8ee"),
	rowText:    hex("#b7c0cb"),
	edge:       hex("#9aa3ad"),
	edgeLabel:  hex("#aab3bd"),
	ioFill:     hex("#2e333b"),
	ioStroke:   hex("#7d8895"),
	ioText:     hex("#e8edf2"),
	ioRow:      hex("#b7c0cb"),
	groupFill:  hex("#8fb4ff").alpha(0.06),
	groupLine:  hex("#8fb4ff").alpha(0.45),
	groupText:  hex("#a9c4f5"),
	collHead:   hex("#4d6a8c"),
	collFill:   hex("#262c35"),
	collStroke: hex("#6f8fb5"),
	categories: darkCats,
	other:      hex("#555b65"),
}

// categoryAliases maps other spellings (Netron's) to opmeta's names.
var categoryAliases = map[string]string{
	"pooling":       "pool",
	"normalization": "norm",
	"conv":          "layer",
	"linear":        "layer",
	"math":          "elementwise",
	"logic":         "elementwise",
	"tensor":        "shape",
	"transform":     "shape",
	"controlflow":   "control",
	"control flow":  "control",
	"quantization":  "quant",
	"reduction":     "reduce",
}

// headerColor picks the header colour for a category name.
func (t *theme) headerColor(cat string) rgba {
	c := strings.ToLower(strings.TrimSpace(cat))
	if a, ok := categoryAliases[c]; ok {
		c = a
	}
	if col, ok := t.categories[c]; ok {
		return col
	}
	return t.other
}

func themeByName(name string) (*theme, error) {
	switch strings.ToLower(name) {
	case "", "light":
		return lightTheme, nil
	case "dark":
		return darkTheme, nil
	}
	return nil, fmt.Errorf("unknown theme %q (want light or dark)", name)
}
