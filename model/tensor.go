package model

import "errors"

// Tensor describes stored weights without holding them. Bytes are read only
// through Load, from the right offset of the model file or its external data
// file.
type Tensor struct {
	Name  string
	DType DType
	Dims  []int64
	// Location is "embedded" (in the model file), "external" (separate
	// file), "inline" (typed proto fields, decoded on Load) or "" if none.
	Location string
	// File, Offset and Length locate the raw bytes for "embedded" and
	// "external" tensors. File is absolute, already checked to lie inside
	// the model's folder.
	File   string
	Offset int64
	Length int64 // -1 when unknown (external data without a length)
	// ExternalLocation is the location string as written in the file.
	ExternalLocation string
	Sparse           bool
	// Warning is set when the tensor is unusable (missing external file,
	// size mismatch); the model itself is still fine.
	Warning string
	// Quant names a block-quantized storage type (GGUF "Q4_K", ...).
	Quant string
	// Loader returns the little-endian raw bytes (numpy layout for DType).
	// nil when no data is available.
	Loader func() ([]byte, error)
}

// ErrNoData is returned by Load for a tensor with nothing stored.
var ErrNoData = errors.New("tensor has no data")

// NumElements is the product of Dims; -1 if it overflows int64.
func (t *Tensor) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 {
			return -1
		}
		if d != 0 && n > (1<<62)/d {
			return -1
		}
		n *= d
	}
	return n
}

// Load reads the tensor's bytes. Callers must bound what they ask for:
// Length is known before Load is called.
func (t *Tensor) Load() ([]byte, error) {
	if t.Loader == nil {
		return nil, ErrNoData
	}
	return t.Loader()
}
