// Package examples bundles the model that modelviz opens when it is given
// no file. iris.onnx is ../shared/corpus/iris.onnx: the seed tutorial's
// 4-8-3 Iris MLP exported by torch.onnx.export (PyTorch 1.13, opset 14);
// its generator script lives with the shared corpus.
package examples

import _ "embed"

// Iris is examples/iris.onnx.
//
//go:embed iris.onnx
var Iris []byte

// IrisName is the file name shown for the bundled example.
const IrisName = "iris.onnx"
