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
