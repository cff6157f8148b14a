// Package opmeta knows operators: which category each belongs to (for
// colouring and grouping), where its documentation lives, and the names of
// its inputs. It covers every ai.onnx, ai.onnx.ml and
// ai.onnx.preview.training operator, plus the ATen and torch.nn names that
// PyTorch graphs and module trees use.
//
// Categories (one word each, stable; docs/architecture.md lists them):
//
//	layer       weighted compute: Conv, Gemm, MatMul, LSTM, Attention, Embedding
//	activation  Relu, Sigmoid, Softmax, Gelu, Clip...
//	pool        MaxPool, AveragePool, GlobalAveragePool, RoiAlign...
//	norm        BatchNormalization, LayerNormalization, LRN...
//	dropout     Dropout
//	elementwise arithmetic, comparison, logic, Cast, Where...
//	shape       data movement: Reshape, Transpose, Concat, Slice, Gather...
//	reduce      ReduceMean, ArgMax, TopK, CumSum...
//	control     If, Loop, Scan
//	sequence    Sequence*, Optional*
//	constant    Constant, ConstantOfShape, random generators, windows
//	quant       QuantizeLinear, DequantizeLinear...
//	ml          classic ML and text ops (ai.onnx.ml, TfIdfVectorizer...)
//	training    losses and optimizers (ai.onnx.preview.training)
//	custom      any other domain (com.microsoft, user ops)
//	unknown     a name in a standard domain we do not know
//
// The drawn graph adds "io" for graph inputs and outputs and "group" for
// collapsed modules.
package opmeta

import "strings"

// Category names.
const (
	Layer       = "layer"
	Activation  = "activation"
	Pool        = "pool"
	Norm        = "norm"
	Dropout     = "dropout"
	Elementwise = "elementwise"
	Shape       = "shape"
	Reduce      = "reduce"
	Control     = "control"
	Sequence    = "sequence"
	Constant    = "constant"
	Quant       = "quant"
	ML          = "ml"
	Training    = "training"
	Custom      = "custom"
	Unknown     = "unknown"
	IO          = "io"
	Group       = "group"
)

// Categories lists every category, in a fixed order (for legends).
var Categories = []string{Layer, Activation, Pool, Norm, Dropout, Elementwise,
	Shape, Reduce, Control, Sequence, Constant, Quant, ML, Training, Custom,
	Unknown, IO, Group}

// onnxOps lists the ai.onnx operators by category, including ones newer
// than the python onnx the input-name table was generated from, and
// deprecated ones old files still use.
var onnxOps = map[string]string{
	Layer: `Conv ConvTranspose ConvInteger QLinearConv DeformConv Gemm MatMul
		MatMulInteger QLinearMatMul LSTM GRU RNN Einsum Attention DFT STFT Col2Im
		GRUUnit Affine`,
	Activation: `Relu LeakyRelu PRelu Sigmoid Tanh Elu Selu Celu HardSigmoid HardSwish
		Softplus Softsign ThresholdedRelu Softmax LogSoftmax Hardmax Gelu Mish Swish
		Shrink Clip ParametricSoftplus ScaledTanh`,
	Pool: `AveragePool MaxPool GlobalAveragePool GlobalMaxPool GlobalLpPool LpPool
		MaxRoiPool MaxUnpool RoiAlign`,
	Norm: `BatchNormalization InstanceNormalization LayerNormalization
		GroupNormalization LRN LpNormalization MeanVarianceNormalization
		RMSNormalization SpatialBN ImageScaler`,
	Dropout: `Dropout`,
	Elementwise: `Add Sub Mul Div Pow Sqrt Exp Log Neg Abs Reciprocal Floor Ceil Round
		Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh Erf Sign Mod Max Min
		Mean Sum And Or Xor Not Equal Greater GreaterOrEqual Less LessOrEqual Where
		IsInf IsNaN BitShift BitwiseAnd BitwiseOr BitwiseXor BitwiseNot Cast CastLike
		BitCast Det RotaryEmbedding`,
	Shape: `Reshape Transpose Concat Split Slice Gather GatherElements GatherND
		Scatter ScatterElements ScatterND Squeeze Unsqueeze Flatten Expand Tile Pad
		Shape Size Identity Resize Upsample DepthToSpace SpaceToDepth Compress
		NonZero OneHot Range Trilu Unique ReverseSequence CenterCropPad GridSample
		AffineGrid EyeLike Crop DynamicSlice TensorScatter`,
	Reduce: `ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean
		ReduceMin ReduceProd ReduceSum ReduceSumSquare ArgMax ArgMin TopK CumSum
		CumProd NonMaxSuppression`,
	Control: `If Loop Scan SequenceMap`,
	Sequence: `SequenceAt SequenceConstruct SequenceEmpty SequenceErase
		SequenceInsert SequenceLength ConcatFromSequence SplitToSequence Optional
		OptionalGetElement OptionalHasElement`,
	Constant: `Constant ConstantOfShape RandomNormal RandomNormalLike RandomUniform
		RandomUniformLike Bernoulli Multinomial HammingWindow HannWindow
		BlackmanWindow MelWeightMatrix GivenTensorFill ConstantFill`,
	Quant: `QuantizeLinear DequantizeLinear DynamicQuantizeLinear`,
	ML: `StringNormalizer TfIdfVectorizer RegexFullMatch StringConcat StringSplit
		ImageDecoder`,
	Training: `NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss`,
}

var mlOps = `ArrayFeatureExtractor Binarizer CastMap CategoryMapper DictVectorizer
	FeatureVectorizer Imputer LabelEncoder LinearClassifier LinearRegressor
	Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler TreeEnsemble
	TreeEnsembleClassifier TreeEnsembleRegressor ZipMap`

var trainingOps = `Adagrad Adam Gradient Momentum`

// torchOps maps lower-cased ATen function and torch.nn class names (after
// stripping namespaces and overloads) to categories. Lower-cased ONNX names
// are tried too, so only names ONNX lacks, or means otherwise, are listed.
var torchOps = map[string]string{
	Layer: `conv1d conv2d conv3d convolution _convolution conv_transpose1d
		conv_transpose2d conv_transpose3d convtranspose1d convtranspose2d
		convtranspose3d linear bilinear lazylinear identity_linear addmm mm bmm
		baddbmm matmul addmv mv dot lstm gru rnn rnn_tanh rnn_relu lstmcell
		grucell rnncell embedding embeddingbag embedding_bag multiheadattention
		multi_head_attention_forward scaled_dot_product_attention transformer
		transformerencoderlayer transformerdecoderlayer`,
	Activation: `relu_ relu6 gelu silu sigmoid_ tanh_ hardtanh hardtanh_ leaky_relu
		leaky_relu_ hardswish_ hardsigmoid_ softmax2d glu logsigmoid softmin
		tanhshrink softshrink hardshrink rrelu threshold elu_ selu_ celu_ mish_
		silu_ _softmax _log_softmax log_softmax`,
	Pool: `max_pool1d max_pool2d max_pool3d max_pool2d_with_indices avg_pool1d
		avg_pool2d avg_pool3d adaptive_avg_pool1d adaptive_avg_pool2d
		adaptive_avg_pool3d adaptive_max_pool1d adaptive_max_pool2d
		adaptive_max_pool3d maxpool1d maxpool2d maxpool3d avgpool1d avgpool2d
		avgpool3d adaptiveavgpool1d adaptiveavgpool2d adaptiveavgpool3d
		adaptivemaxpool1d adaptivemaxpool2d adaptivemaxpool3d lppool1d lppool2d
		fractionalmaxpool2d pixel_shuffle pixelshuffle pixel_unshuffle pixelunshuffle`,
	Norm: `batch_norm batchnorm1d batchnorm2d batchnorm3d _native_batch_norm_legit
		_native_batch_norm_legit_no_training native_batch_norm layer_norm layernorm
		native_layer_norm group_norm groupnorm native_group_norm instance_norm
		instancenorm1d instancenorm2d instancenorm3d localresponsenorm rmsnorm
		rms_norm syncbatchnorm normalize`,
	Dropout: `dropout dropout_ native_dropout dropout1d dropout2d dropout3d
		alphadropout feature_dropout`,
	Elementwise: `add_ sub_ mul_ div_ rsub rsqrt true_divide floor_divide remainder
		clamp clamp_min clamp_max eq ne gt ge lt le logical_and logical_or
		logical_not logical_xor bitwise_and bitwise_or bitwise_not minimum maximum
		masked_fill masked_fill_ to type_as _to_copy copy_ fill_ zero_ erf exp_
		log1p expm1 square addcmul addcdiv lerp`,
	Shape: `view reshape permute transpose_ t contiguous cat stack chunk split_with_sizes
		unbind narrow select index index_select index_put scatter gather flatten
		unflatten squeeze_ unsqueeze_ expand_as repeat repeat_interleave slice
		view_as clone alias detach upsample upsample_nearest2d upsample_bilinear2d
		interpolate pad constant_pad_nd reflection_pad2d replication_pad2d
		zeropad2d constantpad2d reflectionpad2d replicationpad2d roll flip
		tril triu arange _unsafe_view numel sym_size getitem`,
	Reduce: `mean sum_ amax amin var std norm argmax argmin cumsum prod
		all any topk sort`,
	Control: `cond while_loop`,
	Constant: `zeros ones full zeros_like ones_like full_like empty empty_like
		rand randn randint rand_like randn_like scalar_tensor tensor lift_fresh_copy`,
	Quant: `quantize_per_tensor quantize_per_channel dequantize fake_quantize_per_tensor_affine
		fake_quantize_per_channel_affine quantstub dequantstub`,
	Training: `cross_entropy crossentropyloss nll_loss nllloss mse_loss mseloss
		l1_loss l1loss binary_cross_entropy bceloss bcewithlogitsloss
		smooth_l1_loss huberloss kl_div kldivloss`,
}

var (
	onnxCat  = map[string]string{}
	mlCat    = map[string]string{}
	trainCat = map[string]string{}
	lowerCat = map[string]string{} // lower-cased ONNX names, then torch names
)

func init() {
	for cat, names := range onnxOps {
		for _, n := range strings.Fields(names) {
			onnxCat[n] = cat
			lowerCat[strings.ToLower(n)] = cat
		}
	}
	for _, n := range strings.Fields(mlOps) {
		mlCat[n] = ML
	}
	for _, n := range strings.Fields(trainingOps) {
		trainCat[n] = Training
	}
	for cat, names := range torchOps {
		for _, n := range strings.Fields(names) {
			lowerCat[n] = cat // PyTorch meaning wins: aten mean reduces
		}
	}
}

// standard reports whether domain is ai.onnx.
func standard(domain string) bool { return domain == "" || domain == "ai.onnx" }

func torchDomain(domain string) bool {
	switch domain {
	case "aten", "prim", "torch", "pytorch", "torch.nn", "quantized", "_operator":
		return true
	}
	return false
}

// Category gives op's category. Names from the ai.onnx domain are looked up
// exactly, then as PyTorch names ("aten::conv2d", "aten.relu.default",
// "torch.nn.modules.linear.Linear", "Linear"); any other domain is
// "custom" unless it is ai.onnx.ml, ai.onnx.preview.training or a PyTorch
// namespace.
func Category(domain, op string) string {
	switch {
	case standard(domain):
		if c, ok := onnxCat[op]; ok {
			return c
		}
		if c := torchCategory(op); c != "" {
			return c
		}
		return Unknown
	case domain == "ai.onnx.ml":
		if c, ok := mlCat[op]; ok {
			return c
		}
		return Unknown
	case domain == "ai.onnx.preview.training":
		if c, ok := trainCat[op]; ok {
			return c
		}
		return Unknown
	case torchDomain(domain):
		if c := torchCategory(op); c != "" {
			return c
		}
		return Unknown
	}
	return Custom
}

// torchCategory strips namespaces, overloads and in-place suffixes from a
// PyTorch name and looks the rest up case-insensitively.
func torchCategory(op string) string {
	s := op
	var cands []string
	stripped := false
	for _, p := range []string{"aten::", "prim::", "torch.ops.aten.", "aten.", "prim."} {
		if strings.HasPrefix(s, p) {
			s, stripped = s[len(p):], true
			break
		}
	}
	first, last := s, s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		first = s[:i] // "relu.default", "add.Tensor": an overload follows
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		last = s[i+1:] // "torch.nn.modules.conv.Conv2d": the class is last
	}
	switch {
	case stripped:
		cands = []string{first}
	case strings.HasPrefix(s, "torch."):
		cands = []string{last}
	default:
		cands = []string{first, last}
	}
	for _, c := range cands {
		c = strings.ToLower(c)
		if cat, ok := lowerCat[c]; ok {
			return cat
		}
		if t := strings.TrimSuffix(c, "_"); t != c {
			if cat, ok := lowerCat[t]; ok {
				return cat
			}
		}
	}
	return ""
}

// DocURL is the operator's documentation page, or "" when there is none.
func DocURL(domain, op string) string {
	switch {
	case standard(domain):
		if _, ok := onnxCat[op]; ok {
			return "https://onnx.ai/onnx/operators/onnx__" + op + ".html"
		}
	case domain == "ai.onnx.ml":
		if _, ok := mlCat[op]; ok {
			return "https://onnx.ai/onnx/operators/onnx_aionnxml_" + op + ".html"
		}
	case domain == "ai.onnx.preview.training":
		if _, ok := trainCat[op]; ok {
			return "https://onnx.ai/onnx/operators/onnx_aionnxpreviewtraining_" + op + ".html"
		}
	}
	if strings.HasPrefix(op, "torch.nn.") && torchCategory(op) != "" {
		cls := op[strings.LastIndexByte(op, '.')+1:]
		return "https://pytorch.org/docs/stable/generated/torch.nn." + cls + ".html"
	}
	return ""
}

// InputName is the formal name of input i of op ("X", "W", "scale"), or ""
// when the schema is unknown or has no such input.
func InputName(domain, op string, i int) string {
	key := op
	if !standard(domain) {
		key = domain + "::" + op
	}
	names := inputNames[key]
	if i < 0 || len(names) == 0 {
		return ""
	}
	if i < len(names) {
		return strings.TrimSuffix(names[i], "...")
	}
	if last := names[len(names)-1]; strings.HasSuffix(last, "...") {
		return strings.TrimSuffix(last, "...")
	}
	return ""
}
