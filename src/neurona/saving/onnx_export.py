"""Export a model for inference as an ONNX graph (`neurona export model --format onnx`).

Sequential and functional models with one output. The graph takes `input` of shape
(batch, *input_shape) and gives `output` of shape (batch, *output_shape), in the model's float
type; images stay channels last (NHWC) on both sides. Each layer writes its own nodes
(`Layer.onnx_nodes(graph, current, prefix)`, given a `_Graph`; a model writes its layers',
a merge layer reads a list of tensors); what each becomes:

    Dense                   MatMul, Add (the bias), then its activation
    Activation              the activation's operator (GELU written with Erf, exact as
                            ours; softmax over the last axis, channels last)
    Conv2D                  Conv (kernel HWIO → OIHW; explicit pads [top, left, bottom,
                            right], the odd pixel bottom/right; strides, dilations), then
                            its activation
    MaxPooling2D            MaxPool, with the same explicit pads
    AveragePooling2D        AveragePool(count_include_pad=0): 'same' divides by real
                            pixels only
    GlobalAveragePooling2D  ReduceMean over height and width (keepdims as set)
    GlobalMaxPooling2D      ReduceMax over height and width (keepdims as set)
    BatchNormalization      BatchNormalization (inference) with the layer's epsilon and
                            moving statistics; ones/zeros for gamma/beta when scale/center
                            are off; a channel axis other than the last moved to 1 and back
    Rescaling               Mul, Add (the offset, when nonzero)
    Flatten                 Flatten(axis=1), in channels-last order
    Reshape                 Reshape to [0, *shape] (0: the batch as it comes), channels last
    ZeroPadding2D           Pad with zeros
    Dropout                 nothing (it is the identity at inference)
    Add, Subtract, Multiply Add, Sub, Mul (chained over the inputs)
    Average                 Sum, then Div by the number of inputs
    Maximum, Minimum        Max, Min
    Concatenate             Concat along the same axis, channels last

ONNX's Conv, pooling and BatchNormalization read channels first (NCHW): the graph keeps
track of the current tensor's layout and adds a Transpose only where it changes, so a run
of spatial layers stays NCHW and turns back to NHWC once, before Flatten, Reshape, Dense,
softmax or the output. In float64 models the operators onnxruntime has no double kernel
for (Erf, Conv, AveragePool) run in float32 between Casts (error ~1e-7). Needs the `onnx`
package (extra `onnx`), imported only here; check the result with onnxruntime.
"""

import math

import numpy as np

import neurona
from neurona.utils.atomic import atomic_path

_DEFAULT_OPSET = 17
_MINIMUM_OPSET = 13  # Softmax over one axis, Pad and Reshape with tensor inputs

NHWC, NCHW = "NHWC", "NCHW"

# Operators onnxruntime's CPU provider has no double kernel for: float64 models run them in float32.
_FLOAT32_ONLY = frozenset({"Conv", "AveragePool", "Erf"})


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'neurona[onnx]'.") from None
    return onnx


def export(model, filepath, overwrite=True, opset=_DEFAULT_OPSET):
    """Write `model` (built) to `filepath` as ONNX, atomically."""
    onnx = _onnx()
    if not model.built:
        raise ValueError(f"Model {model.name!r} must be built before export: call model.build(input_shape).")
    if opset < _MINIMUM_OPSET:
        raise ValueError(f"ONNX export needs opset {_MINIMUM_OPSET} or later. Received: opset={opset}")
    if isinstance(model.output_shape, list):
        raise ValueError(f"ONNX export writes models with one output. Model {model.name!r} has "
                         f"{len(model.output_shape)}.")
    graph = _Graph(onnx, np.dtype(model.dtype), opset)
    current = model.onnx_nodes(graph, "input", "")
    current = graph.to_nhwc(current, "output")
    graph.nodes.append(onnx.helper.make_node("Identity", [current], ["output"], name="output"))
    elem_type = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(model.dtype))
    inputs = [onnx.helper.make_tensor_value_info("input", elem_type, ["batch", *model.input_shape])]
    outputs = [onnx.helper.make_tensor_value_info("output", elem_type, ["batch", *model.output_shape])]
    onnx_graph = onnx.helper.make_graph(graph.nodes, model.name, inputs, outputs, graph.initializers)
    onnx_model = onnx.helper.make_model(
        onnx_graph,
        producer_name="neurona",
        producer_version=neurona.__version__,
        opset_imports=[onnx.helper.make_opsetid("", opset)],
    )
    onnx_model.ir_version = min(onnx_model.ir_version, 8)  # readable by onnxruntime >= 1.10
    onnx.checker.check_model(onnx_model)
    data = onnx_model.SerializeToString()
    with atomic_path(filepath, overwrite, durable=True) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(data)


class _Graph:
    """The ONNX graph being written: its nodes, constants, and the current tensor's layout.

    `layout` is NHWC while the current tensor is as the model sees it (any rank), NCHW when it
    is a 4-D image with its channels moved first; `to_nchw` and `to_nhwc` move it, only when
    needed. Layers that change the layout leave `layout` describing the tensor they return.
    """

    def __init__(self, onnx, dtype, opset=_DEFAULT_OPSET):
        self.onnx = onnx
        self.dtype = dtype
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self.layout = NHWC

    def constant(self, name, value, dtype=None):
        """An initializer holding `value`, in the model's float type unless `dtype` is given."""
        array = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op, inputs, output, **attributes):
        """The node `op` from `inputs` to the tensor `output` (also its name); returns `output`."""
        if self.dtype == np.float64 and op in _FLOAT32_ONLY:
            tensor = self.onnx.TensorProto
            inputs = [self._append("Cast", [name], f"{output}/input{i}_float32", to=tensor.FLOAT)
                      for i, name in enumerate(inputs)]
            result = self._append(op, inputs, f"{output}/float32", **attributes)
            return self._append("Cast", [result], output, to=tensor.DOUBLE)
        return self._append(op, inputs, output, **attributes)

    def _append(self, op, inputs, output, **attributes):
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    # Layouts -------------------------------------------------------------------------------

    def to_nchw(self, current, prefix):
        """The current 4-D image, channels first (a Transpose unless it already is)."""
        if self.layout == NCHW:
            return current
        self.layout = NCHW
        return self.node("Transpose", [current], f"{prefix}/to_nchw", perm=[0, 3, 1, 2])

    def to_nhwc(self, current, prefix):
        """The current tensor as the model sees it (a Transpose if it is channels first)."""
        if self.layout == NHWC:
            return current
        self.layout = NHWC
        return self.node("Transpose", [current], f"{prefix}/to_nhwc", perm=[0, 2, 3, 1])

    def conv_kernel(self, name, kernel):
        """A Keras kernel (kh, kw, in, out) as ONNX's (out, in, kh, kw)."""
        return self.constant(name, np.transpose(kernel, (3, 2, 0, 1)))

    def window_attributes(self, layer, dilations=True):
        """kernel_shape, strides, pads [top, left, bottom, right] (and dilations) of a 2-D layer,
        from its geometry: the odd padding pixel goes bottom and right, as Keras pads."""
        g = layer.geometry
        height, width = layer.input_shape[0], layer.input_shape[1]
        bottom = max(0, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1 - height - g.top)
        right = max(0, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1 - width - g.left)
        attributes = {"kernel_shape": [g.kh, g.kw], "strides": [g.sh, g.sw], "pads": [g.top, g.left, bottom, right]}
        if dilations:
            attributes["dilations"] = [g.dh, g.dw]
        return attributes

    def image_axes(self):
        """The height and width axes of the current 4-D image, in its layout."""
        return [2, 3] if self.layout == NCHW else [1, 2]

    def reduce(self, op, current, axes, output, keepdims):
        """ReduceMean/ReduceMax over `axes` (an input from opset 18, an attribute before)."""
        if self.opset >= 18:
            axes_name = self.constant(f"{output}/axes", axes, np.int64)
            return self.node(op, [current, axes_name], output, keepdims=int(keepdims))
        return self.node(op, [current], output, axes=list(axes), keepdims=int(keepdims))

    # Activations ---------------------------------------------------------------------------

    def activation(self, activation, current, prefix):
        name = activation.name
        output = f"{prefix}/{name}"
        if name == "linear":
            return current
        simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
        if name in simple:
            return self.node(simple[name], [current], output)
        if name == "softmax":
            return self.node("Softmax", [self.to_nhwc(current, prefix)], output, axis=-1)
        if name == "leaky_relu":
            return self.node("LeakyRelu", [current], output, alpha=activation.alpha)
        if name == "elu":
            return self.node("Elu", [current], output, alpha=activation.alpha)
        if name == "gelu":
            # x * 0.5 * (1 + erf(x / sqrt(2))): the exact GELU, available before opset 20's Gelu.
            scaled = self.node("Div", [current, self.constant(f"{prefix}/sqrt2", math.sqrt(2.0))], f"{output}/scaled")
            erf = self.node("Erf", [scaled], f"{output}/erf")
            one_plus = self.node("Add", [erf, self.constant(f"{prefix}/one", 1.0)], f"{output}/one_plus")
            half = self.node("Mul", [one_plus, self.constant(f"{prefix}/half", 0.5)], f"{output}/cdf")
            return self.node("Mul", [current, half], output)
        raise ValueError(f"Activation {name!r} has no ONNX export.")
