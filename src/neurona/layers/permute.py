"""Permute: reorder the axes of each sample, as Keras' Permute((2, 1)) (axes count from 1)."""

import numpy as np

from neurona.layers.base import Layer


class Permute(Layer):
    """`dims` is a permutation of 1..rank: output axis i is input axis dims[i-1]."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(int(d) for d in dims)
        except (TypeError, ValueError):
            dims = None
        if not dims or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute layer {self.name!r} expects dims as a permutation of 1..rank (the batch "
                             f"axis is 0 and stays first). Received: dims={dims!r}")
        self.dims = dims

    def compute_output_shape(self, input_shape):
        if len(input_shape) != len(self.dims):
            raise ValueError(f"Permute layer {self.name!r} has dims={self.dims} for inputs of rank {len(self.dims) + 1}. "
                             f"Received inputs of shape (batch, {', '.join(map(str, input_shape))}).")
        return tuple(input_shape[d - 1] for d in self.dims)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        super().build(input_shape)

    def forward(self, x, training=False):
        return np.ascontiguousarray(np.transpose(x, (0,) + self.dims))

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        inverse = np.argsort((0,) + self.dims)
        return np.ascontiguousarray(np.transpose(grad_output, inverse))

    def onnx_nodes(self, graph, current, prefix):
        return graph.node("Transpose", [graph.to_nhwc(current, prefix)], f"{prefix}/permute", perm=[0, *self.dims])

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Permute", {**adapt.base_to_keras(self, dtype), "dims": list(self.dims)}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Permute", config, {"dims": config.get("dims")})
