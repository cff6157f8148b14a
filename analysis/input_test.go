package analysis

import (
	"testing"
)

func TestParseInput(t *testing.T) {
	good := []struct{ in, name, shape string }{
		{"x=1x3x224x224", "x", "1×3×224×224"},
		{"input_ids=batch,seq", "input_ids", "batch×seq"},
		{"a=b=2×3", "a=b", "2×3"},
		{"1x3x8x8", "", "1×3×8×8"},
		{"s=", "s", "()"},
		{"s=()", "s", "()"},
		{"t=?x4", "t", "?×4"},
		{"ids=1xseq", "ids", "1×seq"},
		{"x=0x5", "x", "0×5"},
	}
	for _, c := range good {
		name, sh, err := ParseInput(c.in)
		if err != nil {
			t.Errorf("ParseInput(%q): %v", c.in, err)
			continue
		}
		if name != c.name || sh.String() != c.shape {
			t.Errorf("ParseInput(%q) = %q %s, want %q %s", c.in, name, sh, c.name, c.shape)
		}
	}
	bad := []string{"", "=1x2", "x=1xx2", "x=-1", "x=1x2.5", "x=99999999999999999999", "x=1x$"}
	for _, s := range bad {
		if _, _, err := ParseInput(s); err == nil {
			t.Errorf("ParseInput(%q): no error", s)
		}
	}
	if _, err := ParseInputs([]string{"x=1", "x=2"}); err == nil {
		t.Error("duplicate name accepted")
	}
}
