package analysis

import (
	"github.com/modelviz/modelviz/model"
)

// Less common ops: signal processing, losses, Unique, MaxUnpool.

func (c *nctx) unique() {
	s := c.shape(0)
	dt := c.dtype(0)
	if s == nil {
		c.set(0, dt, nil)
		return
	}
	if c.attr("axis") == nil {
		// Over the flattened input: the count of distinct values is known
		// when the input is folded.
		n := unknownDim
		if cv := c.smallAll(0); cv != nil {
			seen := map[float64]bool{}
			if f, ok := cv[0].floats(); ok {
				for _, v := range f {
					seen[v] = true
				}
				n = kd(int64(len(seen)))
			}
		}
		c.set(0, dt, model.Shape{n})
		c.set(1, model.Int64, model.Shape{n})
		c.set(2, model.Int64, model.Shape{dimsProduct(s)})
		c.set(3, model.Int64, model.Shape{n})
		return
	}
	ax, ok := normAxis(c.attrInt("axis", 0), len(s))
	if !ok {
		return
	}
	out := cloneShape(s)
	out[ax] = unknownDim
	c.set(0, dt, out)
	c.set(1, model.Int64, model.Shape{unknownDim})
	c.set(2, model.Int64, model.Shape{s[ax]})
	c.set(3, model.Int64, model.Shape{unknownDim})
}

// scalarInput is input i as one known integer (a 0-D or 1-element tensor).
func (c *nctx) scalarInput(i int) (int64, bool) {
	cv := c.small(i)
	if cv == nil || cv.size() != 1 {
		return 0, false
	}
	return cv.int(0)
}

func (c *nctx) signal(op string) {
	outDT := model.DType(c.attrInt("output_datatype", int64(model.Float32)))
	switch op {
	case "BlackmanWindow", "HammingWindow", "HannWindow":
		n := unknownDim
		if v, ok := c.scalarInput(0); ok && v >= 0 {
			n = kd(v)
		}
		c.set(0, outDT, model.Shape{n})
	case "MelWeightMatrix":
		bins, dft := unknownDim, unknownDim
		if v, ok := c.scalarInput(0); ok && v >= 0 {
			bins = kd(v)
		}
		if v, ok := c.scalarInput(1); ok && v >= 0 {
			dft = kd(v/2 + 1)
		}
		c.set(0, outDT, model.Shape{dft, bins})
	case "DFT":
		s := c.shape(0)
		if len(s) < 2 {
			return
		}
		ax, ok := normAxis(c.attrInt("axis", 1), len(s)-1)
		if !ok {
			return
		}
		out := cloneShape(s)
		n := s[ax]
		if c.has(1) {
			n = unknownDim
			if v, ok := c.scalarInput(1); ok && v >= 0 {
				n = kd(v)
			}
		}
		if c.attrInt("onesided", 0) != 0 {
			n = dimAdd(dimDiv(n, kd(2), false), kd(1))
		}
		out[ax] = n
		out[len(out)-1] = kd(2)
		c.set(0, c.dtype(0), out)
	case "STFT":
		s := c.shape(0)
		if len(s) != 3 {
			return
		}
		step, okStep := c.scalarInput(1)
		flen := unknownDim
		if v, ok := c.scalarInput(3); ok && v > 0 {
			flen = kd(v)
		} else if w := c.shape(2); len(w) == 1 {
			flen = w[0]
		}
		frames := unknownDim
		if okStep && step > 0 && s[1].Known && flen.Known && s[1].Value >= flen.Value {
			frames = kd((s[1].Value-flen.Value)/step + 1)
		}
		bins := flen
		if c.attrInt("onesided", 1) != 0 {
			bins = dimAdd(dimDiv(flen, kd(2), false), kd(1))
		}
		c.set(0, c.dtype(0), model.Shape{s[0], frames, bins, kd(2)})
	}
}

func (c *nctx) loss(op string) {
	s, lab := c.shape(0), c.shape(1)
	dt := c.dtype(0)
	if c.attrString("reduction", "mean") == "none" {
		c.set(0, dt, cloneShape(lab))
	} else {
		c.set(0, dt, model.Shape{})
	}
	if op == "SoftmaxCrossEntropyLoss" {
		c.set(1, dt, cloneShape(s))
	}
}

func (c *nctx) maxUnpool() {
	x := c.shape(0)
	dt := c.dtype(0)
	if c.has(2) { // output_shape given: its values, or unknown dims
		if d, ok := c.cst(2).asDims(); ok && len(d) == len(x) {
			c.set(0, dt, model.Shape(cloneShape(d)))
		} else {
			c.set(0, dt, unknownShape(len(x)))
		}
		return
	}
	kernel, ok := c.attrInts("kernel_shape")
	if len(x) < 3 || !ok || len(kernel) != len(x)-2 {
		c.set(0, dt, unknownShape(len(x)))
		return
	}
	strides, _ := c.attrInts("strides")
	pads, _ := c.attrInts("pads")
	nsp := len(x) - 2
	out := model.Shape{x[0], x[1]}
	for i := 0; i < nsp; i++ {
		st := int64(1)
		if i < len(strides) {
			st = strides[i]
		}
		var pb, pe int64
		if len(pads) == 2*nsp {
			pb, pe = pads[i], pads[i+nsp]
		}
		in := x[2+i]
		if !in.Known || st <= 0 || st > maxDimSize || kernel[i] > maxDimSize || abs64(pb)+abs64(pe) > maxDimSize {
			out = append(out, unknownDim)
			continue
		}
		v := (in.Value-1)*st + kernel[i] - pb - pe
		if v < 0 {
			out = append(out, unknownDim)
			continue
		}
		out = append(out, kd(v))
	}
	c.set(0, dt, out)
}
