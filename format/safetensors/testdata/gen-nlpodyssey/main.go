// Command gen-nlpodyssey writes ../nlpodyssey.safetensors with
// github.com/nlpodyssey/safetensors (BSD-2), a Go port of Hugging Face's
// Rust safetensors crate: an independent writer, so the reader is tested on
// bytes it did not lay out itself. It is a separate module under testdata,
// never linked into modelviz.
//
// Run: cd format/safetensors/testdata/gen-nlpodyssey && go run .
//
// Every tensor holds 0, 1, 2, ... in its dtype so tests can check bytes.
package main

import (
	"encoding/binary"
	"log"
	"math"
	"os"

	st "github.com/nlpodyssey/safetensors"
)

func view(dt st.DType, shape []uint64, fill func(b []byte, i int)) st.TensorView {
	n := uint64(1)
	for _, d := range shape {
		n *= d
	}
	b := make([]byte, n*dt.Size())
	for i := 0; i < int(n); i++ {
		fill(b, i)
	}
	v, err := st.NewTensorView(dt, shape, b)
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func main() {
	le := binary.LittleEndian
	tensors := map[string]st.TensorView{
		"model.embed_tokens.weight": view(st.F32, []uint64{16, 4}, func(b []byte, i int) { le.PutUint32(b[4*i:], math.Float32bits(float32(i))) }),
		"model.layers.0.mlp.up_proj.weight": view(st.F16, []uint64{8, 4}, func(b []byte, i int) {
			le.PutUint16(b[2*i:], f16(i))
		}),
		"model.layers.0.mlp.down_proj.weight": view(st.BF16, []uint64{4, 8}, func(b []byte, i int) {
			le.PutUint16(b[2*i:], uint16(math.Float32bits(float32(i))>>16))
		}),
		"model.layers.1.input_layernorm.weight":     view(st.F64, []uint64{4}, func(b []byte, i int) { le.PutUint64(b[8*i:], math.Float64bits(float64(i))) }),
		"model.layers.10.self_attn.rotary.inv_freq": view(st.F32, []uint64{2}, func(b []byte, i int) { le.PutUint32(b[4*i:], math.Float32bits(float32(i))) }),
		"model.layers.2.position_ids":               view(st.I64, []uint64{1, 6}, func(b []byte, i int) { le.PutUint64(b[8*i:], uint64(i)) }),
		"model.norm.mask":                           view(st.BOOL, []uint64{3}, func(b []byte, i int) { b[i] = byte(i % 2) }),
		"lm_head.scales":                            view(st.I8, []uint64{5}, func(b []byte, i int) { b[i] = byte(int8(-i)) }),
		"lm_head.zero":                              view(st.U16, []uint64{1}, func(b []byte, i int) { le.PutUint16(b, 0) }),
		"lm_head.q":                                 view(st.U8, []uint64{2, 2}, func(b []byte, i int) { b[i] = byte(i) }),
	}
	data, err := st.Serialize(tensors, map[string]string{"format": "pt", "writer": "nlpodyssey/safetensors"})
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("../nlpodyssey.safetensors", data, 0o644); err != nil {
		log.Fatal(err)
	}
}

// f16 is i as IEEE half precision (exact for small integers).
func f16(i int) uint16 {
	if i == 0 {
		return 0
	}
	e := 0
	for (1 << (e + 1)) <= i {
		e++
	}
	mant := (i - 1<<e) << (10 - e)
	return uint16((e+15)<<10 | mant)
}
