"""Rescaling: outputs = inputs * scale + offset, e.g. Rescaling(1 / 255) for raw pixels."""

import numpy as np

from neurona.layers.base import Layer


class Rescaling(Layer):
    """Multiply by `scale` and add `offset` (floats), inside the model, as Keras' Rescaling."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("scale", scale), ("offset", offset)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise ValueError(f"Rescaling layer {self.name!r} expects a number for {argument}. "
                                 f"Received: {argument}={value!r}")
        self.scale = float(scale)
        self.offset = float(offset)

    def forward(self, x, training=False):
        out = self._buffer("outputs", x.shape, x.dtype)
        np.multiply(x, x.dtype.type(self.scale), out=out)
        if self.offset:
            out += x.dtype.type(self.offset)
        return out

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        return np.multiply(grad_output, grad_output.dtype.type(self.scale),
                           out=self._buffer("grad_inputs", grad_output.shape, grad_output.dtype))

    def onnx_nodes(self, graph, current, prefix):
        current = graph.node("Mul", [current, graph.constant(f"{prefix}/scale", self.scale)], f"{prefix}/mul")
        if self.offset:
            current = graph.node("Add", [current, graph.constant(f"{prefix}/offset", self.offset)], f"{prefix}/add")
        return current

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Rescaling", {**adapt.base_to_keras(self, dtype), "scale": self.scale, "offset": self.offset}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Rescaling", config,
                                 {"scale": config.get("scale"), "offset": config.get("offset", 0.0)})
