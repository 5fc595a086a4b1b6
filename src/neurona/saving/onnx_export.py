"""Export a model for inference as an ONNX graph (`neurona export model --format onnx`).

The graph takes `input` of shape (batch, *input_shape) and gives `output` of shape
(batch, units), in the model's float type. Dense becomes MatMul + Add, Flatten becomes
Flatten(axis=1), activations their ONNX operators (GELU written with Erf, exact as ours),
and Dropout disappears (it is the identity at inference). In float64 models GELU's Erf
runs in float32, as onnxruntime has no double Erf. Needs the `onnx` package (extra
`onnx`), imported only here; check the result with onnxruntime.
"""

import math

import numpy as np

import neurona
from neurona.utils.atomic import atomic_path

_DEFAULT_OPSET = 17


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
    graph = _Graph(onnx, np.dtype(model.dtype))
    current = "input"
    for index, layer in enumerate(model.layers):
        current = graph.layer(layer, index, current)
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
    def __init__(self, onnx, dtype):
        self.onnx = onnx
        self.dtype = dtype
        self.nodes = []
        self.initializers = []

    def constant(self, name, value):
        array = np.asarray(value, dtype=self.dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op, inputs, output, **attributes):
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def layer(self, layer, index, current):
        kind = type(layer).__name__
        prefix = f"{index}_{layer.name}"
        if kind in ("Dropout", "InputLayer"):
            return current
        if kind == "Flatten":
            return self.node("Flatten", [current], f"{prefix}/flatten", axis=1)
        if kind == "Dense":
            kernel = self.constant(f"{prefix}/kernel", layer.params["kernel"])
            current = self.node("MatMul", [current, kernel], f"{prefix}/matmul")
            if layer.use_bias:
                bias = self.constant(f"{prefix}/bias", layer.params["bias"])
                current = self.node("Add", [current, bias], f"{prefix}/bias_add")
            return self.activation(layer.activation, current, prefix)
        if kind == "Activation":
            return self.activation(layer.activation, current, prefix)
        raise ValueError(f"Layer {layer.name!r} of type {kind} has no ONNX export.")

    def activation(self, activation, current, prefix):
        name = activation.name
        output = f"{prefix}/{name}"
        if name == "linear":
            return current
        simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
        if name in simple:
            return self.node(simple[name], [current], output)
        if name == "softmax":
            return self.node("Softmax", [current], output, axis=-1)
        if name == "leaky_relu":
            return self.node("LeakyRelu", [current], output, alpha=activation.alpha)
        if name == "elu":
            return self.node("Elu", [current], output, alpha=activation.alpha)
        if name == "gelu":
            # x * 0.5 * (1 + erf(x / sqrt(2))): the exact GELU, available before opset 20's Gelu.
            scaled = self.node("Div", [current, self.constant(f"{prefix}/sqrt2", math.sqrt(2.0))], f"{output}/scaled")
            if self.dtype == np.float64:
                # onnxruntime has no double Erf: evaluate it in float32 (error ~1e-7).
                as_float = self.node("Cast", [scaled], f"{output}/as_float", to=self.onnx.TensorProto.FLOAT)
                erf = self.node("Cast", [self.node("Erf", [as_float], f"{output}/erf32")], f"{output}/erf",
                                to=self.onnx.TensorProto.DOUBLE)
            else:
                erf = self.node("Erf", [scaled], f"{output}/erf")
            one_plus = self.node("Add", [erf, self.constant(f"{prefix}/one", 1.0)], f"{output}/one_plus")
            half = self.node("Mul", [one_plus, self.constant(f"{prefix}/half", 0.5)], f"{output}/cdf")
            return self.node("Mul", [current, half], output)
        raise ValueError(f"Activation {name!r} has no ONNX export.")
