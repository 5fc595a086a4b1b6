"""Flatten: (batch, d1, d2, ...) → (batch, d1 * d2 * ...), a view, no copy."""

import math

from neurona.layers.base import Layer


class Flatten(Layer):
    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False):
        self._input_shape = x.shape
        # The sample size is given explicitly: -1 cannot be inferred for an empty batch.
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, grad_output, need_input_grad=True):
        return grad_output.reshape(self._input_shape) if need_input_grad else None

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Flatten", {**adapt.base_to_keras(self, dtype), "data_format": "channels_last"}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """Keras' Flatten; channels_first (which flattens in another order) is refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.data_format_from_keras(config, context)
        return adapt.layer_entry("Flatten", config, {})

    def onnx_nodes(self, graph, current, prefix):
        return graph.node("Flatten", [graph.to_nhwc(current, prefix)], f"{prefix}/flatten", axis=1)
