"""Dropout: inverted dropout during training, the identity at inference."""

import numpy as np

from neurona import backend
from neurona.kernels import dropout as dropout_kernels
from neurona.layers.base import Layer


class Dropout(Layer):
    """Zero each input with probability `rate` in training and scale the rest by 1 / (1 - rate).

    Args:
        rate: fraction of inputs to drop, in [0, 1).
        seed: int or Generator for the masks; None draws from NumPy's seed at build time.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(rate, (int, float)) and 0 <= rate < 1):
            raise ValueError(f"Dropout expects a rate in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self._rng = None

    def build(self, input_shape):
        self._rng = backend.make_rng(self.seed)
        super().build(input_shape)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        mask = self._buffer("mask", x.shape, x.dtype)
        outputs = self._buffer("outputs", x.shape, x.dtype)
        dropout_kernels.dropout_mask(x, self._uniform(x.shape, x.dtype), self.rate, mask, outputs)
        self._mask = mask
        return outputs

    def reseed(self, key):
        """Start a new mask sequence from `key` (a list of ints), mixed with the layer's own seed."""
        own = [self.seed] if isinstance(self.seed, (int, np.integer)) else []
        self._rng = np.random.default_rng(own + list(key))

    def _uniform(self, shape, dtype):
        """Uniform numbers in [0, 1) from the layer's generator, in a reused buffer (float32
        for float16 inputs, so that both kernel paths draw the same masks)."""
        draw_dtype = np.float64 if dtype == np.float64 else np.float32
        uniform = self._buffer("uniform", shape, np.dtype(draw_dtype))
        self._rng.random(out=uniform, dtype=draw_dtype)
        return uniform

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        if self._mask is None:
            return grad_output
        return np.multiply(grad_output, self._mask, out=self._buffer("grad_inputs", grad_output.shape, grad_output.dtype))

    def onnx_nodes(self, graph, current, prefix):
        return current

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": _int_seed(self.seed)}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Dropout", {**adapt.base_to_keras(self, dtype), "rate": self.rate, "noise_shape": None,
                           "seed": _int_seed(self.seed)}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """Keras' Dropout; a noise_shape (masks shared along axes) is refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.require_off(config, ("noise_shape",), context)
        seed = config.get("seed")
        return adapt.layer_entry("Dropout", config, {
            "rate": config.get("rate"), "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None})


def _int_seed(seed):
    """An integer seed as a plain int (for JSON configs); a Generator or None gives None."""
    return int(seed) if isinstance(seed, (int, np.integer)) else None
