package server

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/model"
)

// maxStatBytes bounds how much of one tensor the viewer reads to summarise
// it; larger tensors can still be downloaded.
const maxStatBytes = 512 << 20

// maxNpyBytes bounds a .npy download (it is built in memory).
const maxNpyBytes = 4 << 30

// histBins is the histogram resolution shown in the panel.
const histBins = 40

// Stats summarise a numeric tensor.
type Stats struct {
	Count    int64   `json:"count"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Mean     float64 `json:"mean"`
	Std      float64 `json:"std"`
	Sparsity float64 `json:"sparsity"` // fraction of exact zeros
	NaN      int64   `json:"nan,omitempty"`
	Inf      int64   `json:"inf,omitempty"`
	Hist     []int64 `json:"histogram"`
	HistMin  float64 `json:"histogram_min"`
	HistMax  float64 `json:"histogram_max"`
}

// decoder reads element i of raw little-endian bytes as float64.
type decoder struct {
	size int // bytes per element
	at   func(b []byte) float64
}

func f16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

// decoderFor returns how to read d, or ok=false when d is not a plain
// numeric type (strings, sub-byte and quantized types).
func decoderFor(d model.DType) (decoder, bool) {
	le := binary.LittleEndian
	switch d {
	case model.Float32:
		return decoder{4, func(b []byte) float64 { return float64(math.Float32frombits(le.Uint32(b))) }}, true
	case model.Float64:
		return decoder{8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }}, true
	case model.Float16:
		return decoder{2, func(b []byte) float64 { return f16(le.Uint16(b)) }}, true
	case model.BFloat16:
		return decoder{2, func(b []byte) float64 { return float64(math.Float32frombits(uint32(le.Uint16(b)) << 16)) }}, true
	case model.Int8:
		return decoder{1, func(b []byte) float64 { return float64(int8(b[0])) }}, true
	case model.Uint8:
		return decoder{1, func(b []byte) float64 { return float64(b[0]) }}, true
	case model.Bool:
		return decoder{1, func(b []byte) float64 {
			if b[0] != 0 {
				return 1
			}
			return 0
		}}, true
	case model.Int16:
		return decoder{2, func(b []byte) float64 { return float64(int16(le.Uint16(b))) }}, true
	case model.Uint16:
		return decoder{2, func(b []byte) float64 { return float64(le.Uint16(b)) }}, true
	case model.Int32:
		return decoder{4, func(b []byte) float64 { return float64(int32(le.Uint32(b))) }}, true
	case model.Uint32:
		return decoder{4, func(b []byte) float64 { return float64(le.Uint32(b)) }}, true
	case model.Int64:
		return decoder{8, func(b []byte) float64 { return float64(int64(le.Uint64(b))) }}, true
	case model.Uint64:
		return decoder{8, func(b []byte) float64 { return float64(le.Uint64(b)) }}, true
	}
	return decoder{}, false
}

// loadTensor reads t's bytes, refusing what is too big or inconsistent.
func loadTensor(t *model.Tensor, limit int64) ([]byte, error) {
	if t.Warning != "" {
		return nil, fmt.Errorf("%s", t.Warning)
	}
	if t.Length > limit {
		return nil, fmt.Errorf("tensor is %d bytes, more than the viewer reads (%d)", t.Length, limit)
	}
	b, err := t.Load()
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("tensor is %d bytes, more than the viewer reads (%d)", len(b), limit)
	}
	return b, nil
}

// computeStats summarises every element in b; two passes keep memory flat.
func computeStats(b []byte, dec decoder) Stats {
	n := len(b) / dec.size
	st := Stats{Count: int64(n), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	var finite int64
	var zeros int64
	for i := 0; i < n; i++ {
		v := dec.at(b[i*dec.size:])
		switch {
		case math.IsNaN(v):
			st.NaN++
			continue
		case math.IsInf(v, 0):
			st.Inf++
			continue
		}
		if v == 0 {
			zeros++
		}
		finite++
		sum += v
		st.Min = math.Min(st.Min, v)
		st.Max = math.Max(st.Max, v)
	}
	if finite == 0 {
		st.Min, st.Max = 0, 0
		st.Hist = make([]int64, 0)
		return st
	}
	st.Mean = sum / float64(finite)
	var ss float64
	st.Hist = make([]int64, histBins)
	st.HistMin, st.HistMax = st.Min, st.Max
	width := (st.Max - st.Min) / histBins
	for i := 0; i < n; i++ {
		v := dec.at(b[i*dec.size:])
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		d := v - st.Mean
		ss += d * d
		k := 0
		if width > 0 {
			k = int((v - st.Min) / width)
		}
		if k >= histBins {
			k = histBins - 1
		}
		st.Hist[k]++
	}
	st.Std = math.Sqrt(ss / float64(finite))
	if n > 0 {
		st.Sparsity = float64(zeros) / float64(n)
	}
	return st
}

// jsonNum makes a float JSON-safe: NaN and ±Inf become strings.
func jsonNum(v float64) any {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return v
}

// npyDescr is numpy's dtype string for d; "" when numpy has no such type
// (bfloat16, float8...), in which case values are written as float32.
func npyDescr(d model.DType) string {
	switch d {
	case model.Float32:
		return "<f4"
	case model.Float64:
		return "<f8"
	case model.Float16:
		return "<f2"
	case model.Int8:
		return "|i1"
	case model.Uint8:
		return "|u1"
	case model.Bool:
		return "|b1"
	case model.Int16:
		return "<i2"
	case model.Uint16:
		return "<u2"
	case model.Int32:
		return "<i4"
	case model.Uint32:
		return "<u4"
	case model.Int64:
		return "<i8"
	case model.Uint64:
		return "<u8"
	case model.Complex64:
		return "<c8"
	case model.Complex128:
		return "<c16"
	}
	return ""
}

// writeNpy writes a NumPy v1.0 file holding raw (already in numpy layout
// for t.DType); types numpy lacks are converted to float32.
func writeNpy(w io.Writer, t *model.Tensor, raw []byte) error {
	descr := npyDescr(t.DType)
	if descr == "" {
		dec, ok := decoderFor(t.DType)
		if !ok {
			return fmt.Errorf("cannot convert %s to a NumPy type", t.DType)
		}
		n := len(raw) / dec.size
		out := make([]byte, 4*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(float32(dec.at(raw[i*dec.size:]))))
		}
		raw, descr = out, "<f4"
	}
	var shape strings.Builder
	shape.WriteByte('(')
	for i, d := range t.Dims {
		if i > 0 {
			shape.WriteString(", ")
		}
		shape.WriteString(strconv.FormatInt(d, 10))
	}
	if len(t.Dims) == 1 {
		shape.WriteByte(',')
	}
	shape.WriteByte(')')
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape.String())
	// Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
	total := 10 + len(hdr) + 1
	pad := (64 - total%64) % 64
	hdr += strings.Repeat(" ", pad) + "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&buf, binary.LittleEndian, uint16(len(hdr)))
	buf.WriteString(hdr)
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	_, err := w.Write(raw)
	return err
}
