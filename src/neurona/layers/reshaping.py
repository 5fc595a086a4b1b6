"""Layers that only move values: Reshape and ZeroPadding2D."""

import math

import numpy as np

from neurona.layers import spatial
from neurona.layers.base import Layer


class Reshape(Layer):
    """Reshape each sample to `target_shape` (batch axis excluded; one entry may be -1), in
    C order, as Keras does: `Reshape((28, 28, 1))` turns flat MNIST rows into images."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            shape = tuple(target_shape)
        except TypeError:
            shape = None
        if (not shape or not all(isinstance(dim, (int, np.integer)) and not isinstance(dim, bool)
                                 and (dim > 0 or dim == -1) for dim in shape)
                or sum(dim == -1 for dim in shape) > 1):
            raise ValueError(
                f"Reshape layer {self.name!r} expects target_shape as a tuple of positive integers, with at "
                f"most one -1. Received: target_shape={target_shape!r}"
            )
        self.target_shape = tuple(int(dim) for dim in shape)

    def compute_output_shape(self, input_shape):
        size = math.prod(input_shape)
        known = math.prod(dim for dim in self.target_shape if dim != -1)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(
                    f"Reshape layer {self.name!r} cannot reshape inputs of shape {tuple(input_shape)} "
                    f"({size} values) to target_shape={self.target_shape}."
                )
            return tuple(size // known if dim == -1 else dim for dim in self.target_shape)
        if known != size:
            raise ValueError(
                f"Reshape layer {self.name!r} cannot reshape inputs of shape {tuple(input_shape)} ({size} values) "
                f"to target_shape={self.target_shape} ({known} values)."
            )
        return self.target_shape

    def build(self, input_shape):
        self._output_shape = self.compute_output_shape(input_shape)
        super().build(input_shape)

    def forward(self, x, training=False):
        self._input_shape = x.shape
        return x.reshape((x.shape[0],) + self._output_shape)

    def backward(self, grad_output, need_input_grad=True):
        return grad_output.reshape(self._input_shape) if need_input_grad else None

    def onnx_nodes(self, graph, current, prefix):
        # 0 keeps the batch dimension as it comes; the sample's shape is fully resolved (no -1).
        shape = graph.constant(f"{prefix}/shape", [0, *self._output_shape], np.int64)
        return graph.node("Reshape", [graph.to_nhwc(current, prefix), shape], f"{prefix}/reshape")

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Reshape", {**adapt.base_to_keras(self, dtype), "target_shape": list(self.target_shape)}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Reshape", config, {"target_shape": config.get("target_shape")})


class ZeroPadding2D(Layer):
    """Zeros around each image: `padding` is an int, (rows, cols) for both sides, or
    ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = spatial.check_data_format(data_format, self)
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
            padding = ((padding, padding), (padding, padding))
        elif (isinstance(padding, (tuple, list)) and len(padding) == 2
              and all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in padding)):
            padding = ((padding[0], padding[0]), (padding[1], padding[1]))
        try:
            pairs = tuple(spatial.int_tuple(pair, "padding", self, minimum=0) for pair in padding)
        except TypeError:
            pairs = ()
        if len(pairs) != 2:
            raise ValueError(
                f"ZeroPadding2D layer {self.name!r} expects padding as an int, (rows, cols) or "
                f"((top, bottom), (left, right)). Received: padding={padding!r}"
            )
        self.padding = pairs

    def compute_output_shape(self, input_shape):
        height, width, channels = spatial.image_shape(input_shape, self)
        (top, bottom), (left, right) = self.padding
        return (height + top + bottom, width + left + right, channels)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        super().build(input_shape)

    def forward(self, x, training=False):
        (top, bottom), (left, right) = self.padding
        n, h, w, c = x.shape
        out = self._buffer("outputs", (n, h + top + bottom, w + left + right, c), x.dtype)
        out[...] = 0
        out[:, top:top + h, left:left + w] = x
        return out

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        (top, _), (left, _) = self.padding
        n, h, w, c = grad_output.shape
        height, width = self.input_shape[0], self.input_shape[1]
        return np.ascontiguousarray(grad_output[:, top:top + height, left:left + width])

    def onnx_nodes(self, graph, current, prefix):
        (top, bottom), (left, right) = self.padding
        if graph.layout == "NCHW":
            pads = [0, 0, top, left, 0, 0, bottom, right]
        else:
            pads = [0, top, left, 0, 0, bottom, right, 0]
        return graph.node("Pad", [current, graph.constant(f"{prefix}/pads", pads, np.int64)], f"{prefix}/pad",
                          mode="constant")

    def get_config(self):
        return {**super().get_config(), "padding": [list(pair) for pair in self.padding],
                "data_format": self.data_format}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "ZeroPadding2D", {**adapt.base_to_keras(self, dtype),
                                 "padding": [list(pair) for pair in self.padding], "data_format": "channels_last"}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("ZeroPadding2D", config, {
            "padding": config.get("padding", (1, 1)), "data_format": adapt.data_format_from_keras(config, context)})
