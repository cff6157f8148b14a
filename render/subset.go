package render

import (
	"encoding/binary"
	"errors"
	"sort"
)

// subsetTTF returns a copy of a TrueType font in which every glyph not in
// keep (nor a component of one) is emptied. Glyph numbers, cmap and
// metrics stay as they are, so the result is a valid font a few KB in
// size instead of ~150 KB: small enough to embed in every SVG.
func subsetTTF(ttf []byte, keep map[uint16]bool) ([]byte, error) {
	be := binary.BigEndian
	if len(ttf) < 12 {
		return nil, errors.New("font too short")
	}
	numTables := int(be.Uint16(ttf[4:]))
	if len(ttf) < 12+16*numTables {
		return nil, errors.New("font table directory truncated")
	}
	type table struct {
		tag  string
		data []byte
	}
	tables := make([]table, 0, numTables)
	find := map[string]int{}
	for i := 0; i < numTables; i++ {
		d := ttf[12+16*i:]
		off, n := int(be.Uint32(d[8:])), int(be.Uint32(d[12:]))
		if off < 0 || n < 0 || off+n > len(ttf) {
			return nil, errors.New("font table out of range")
		}
		find[string(d[:4])] = len(tables)
		tables = append(tables, table{string(d[:4]), ttf[off : off+n]})
	}
	hi, ok1 := find["head"]
	li, ok2 := find["loca"]
	gi, ok3 := find["glyf"]
	mi, ok4 := find["maxp"]
	if !ok1 || !ok2 || !ok3 || !ok4 || len(tables[hi].data) < 54 || len(tables[mi].data) < 6 {
		return nil, errors.New("not a TrueType font")
	}
	numGlyphs := int(be.Uint16(tables[mi].data[4:]))
	long := be.Uint16(tables[hi].data[50:]) == 1
	loca, glyf := tables[li].data, tables[gi].data
	span := func(g int) (int, int) {
		if long {
			if 4*g+8 > len(loca) {
				return 0, 0
			}
			return int(be.Uint32(loca[4*g:])), int(be.Uint32(loca[4*g+4:]))
		}
		if 2*g+4 > len(loca) {
			return 0, 0
		}
		return 2 * int(be.Uint16(loca[2*g:])), 2 * int(be.Uint16(loca[2*g+2:]))
	}
	glyph := func(g int) []byte {
		a, b := span(g)
		if a < 0 || b < a || b > len(glyf) {
			return nil
		}
		return glyf[a:b]
	}

	// Close keep under composite references.
	want := make([]bool, numGlyphs)
	var stack []int
	push := func(g int) {
		if g >= 0 && g < numGlyphs && !want[g] {
			want[g] = true
			stack = append(stack, g)
		}
	}
	push(0)
	ks := make([]int, 0, len(keep))
	for g := range keep {
		ks = append(ks, int(g))
	}
	sort.Ints(ks)
	for _, g := range ks {
		push(g)
	}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		d := glyph(g)
		if len(d) < 10 || int16(be.Uint16(d)) >= 0 {
			continue
		}
		p := 10
		for p+4 <= len(d) {
			flags := be.Uint16(d[p:])
			push(int(be.Uint16(d[p+2:])))
			p += 4
			if flags&1 != 0 { // ARG_1_AND_2_ARE_WORDS
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&8 != 0: // WE_HAVE_A_SCALE
				p += 2
			case flags&0x40 != 0: // X_AND_Y_SCALE
				p += 4
			case flags&0x80 != 0: // TWO_BY_TWO
				p += 8
			}
			if flags&0x20 == 0 { // MORE_COMPONENTS
				break
			}
		}
	}

	newGlyf := make([]byte, 0, 4096)
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := 0; g < numGlyphs; g++ {
		be.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if want[g] {
			newGlyf = append(newGlyf, glyph(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	be.PutUint32(newLoca[4*numGlyphs:], uint32(len(newGlyf)))
	head := append([]byte(nil), tables[hi].data...)
	be.PutUint16(head[50:], 1) // long loca
	be.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	tables[hi].data, tables[li].data, tables[gi].data = head, newLoca, newGlyf
	// Glyph names are not needed to draw: post version 3 drops them.
	if pi, ok := find["post"]; ok && len(tables[pi].data) >= 32 {
		post := append([]byte(nil), tables[pi].data[:32]...)
		be.PutUint32(post, 0x00030000)
		tables[pi].data = post
	}

	// Write the font: directory, then tables 4-byte aligned, in the
	// original order (tags are already sorted in the Go fonts).
	size := 12 + 16*numTables
	for _, t := range tables {
		size += (len(t.data) + 3) &^ 3
	}
	out := make([]byte, size)
	copy(out, ttf[:12])
	off := 12 + 16*numTables
	headOff := 0
	for i, t := range tables {
		d := out[12+16*i:]
		copy(d, t.tag)
		be.PutUint32(d[4:], checksum(t.data))
		be.PutUint32(d[8:], uint32(off))
		be.PutUint32(d[12:], uint32(len(t.data)))
		if t.tag == "head" {
			headOff = off
		}
		copy(out[off:], t.data)
		off += (len(t.data) + 3) &^ 3
	}
	be.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out, nil
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}
