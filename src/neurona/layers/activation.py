"""Activation: applies an activation function as a layer of its own."""

import numpy as np

from neurona import activations
from neurona.layers.base import Layer


class Activation(Layer):
    """outputs = activation(inputs), any shape."""

    can_skip_activation = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward(self, x, training=False, apply_activation=True):
        """`apply_activation=False` returns a copy of the inputs (the logits, for a fused loss,
        which writes its gradient over them: never over the layer below's arrays)."""
        if not apply_activation:
            logits = self._buffer("outputs", x.shape, x.dtype)
            np.copyto(logits, x)
            return logits
        self._inputs = x
        self._outputs = self.activation.forward(x, out=self._buffer("outputs", x.shape, x.dtype))
        return self._outputs

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        if not need_input_grad:
            return None
        if not through_activation:
            return grad_output
        grad_input = self._buffer("grad_inputs", grad_output.shape, grad_output.dtype)
        return self.activation.backward(grad_output, self._inputs, self._outputs, out=grad_input)

    def onnx_nodes(self, graph, current, prefix):
        return graph.activation(self.activation, current, prefix)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["activation"] = activations.deserialize(config["activation"])
        return cls(**config)

    def to_keras(self, dtype, style, context):
        """Keras' Activation, or LeakyReLU / ELU when the slope is not the default (Keras'
        Activation names its function only)."""
        from neurona.saving import keras_adapters as adapt

        base = adapt.base_to_keras(self, dtype)
        activation = self.activation
        if activation.name == "leaky_relu" and activation.alpha != activations.LeakyReLU().alpha:
            key = "negative_slope" if style == "keras3" else "alpha"
            return "LeakyReLU", {**base, key: activation.alpha}
        if activation.name == "elu" and activation.alpha != activations.ELU().alpha:
            return "ELU", {**base, "alpha": activation.alpha}
        return "Activation", {**base, "activation": activation.name}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """An Activation layer from Keras' Activation (ReLU, LeakyReLU, ELU and Softmax import
        as the layers of those names)."""
        from neurona.saving import keras_adapters as adapt

        activation = adapt.activation_from_keras(config.get("activation"), context)
        return adapt.layer_entry("Activation", config, {"activation": activations.serialize(activation)})
