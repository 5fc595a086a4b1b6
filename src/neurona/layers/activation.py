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

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["activation"] = activations.deserialize(config["activation"])
        return cls(**config)
