"""GaussianNoise: adds N(0, stddev^2) noise in training (a regulariser); the identity at
inference."""

import numpy as np

from neurona import backend
from neurona.layers.base import Layer


class GaussianNoise(Layer):
    """`GaussianNoise(stddev, seed=None)`; the noise follows the per-epoch seeds, as Dropout's
    masks do, so a resumed run draws what a straight one would have."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float, np.integer, np.floating)) or stddev < 0:
            raise ValueError(f"GaussianNoise layer {self.name!r} expects stddev >= 0. Received: stddev={stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed
        self._rng = None

    def build(self, input_shape):
        self._rng = backend.make_rng(self.seed)
        super().build(input_shape)

    def reseed(self, key):
        own = [self.seed] if isinstance(self.seed, (int, np.integer)) else []
        self._rng = np.random.default_rng(own + list(key))

    def forward(self, x, training=False):
        if not training or self.stddev == 0:
            return x
        if self._rng is None:
            self._rng = backend.make_rng(self.seed)
        noise = self._buffer("noise", x.shape, x.dtype)
        if noise.dtype in (np.float32, np.float64):
            self._rng.standard_normal(out=noise, dtype=noise.dtype)
        else:  # float16: drawn in float32, as Dropout draws its uniforms
            noise[...] = self._rng.standard_normal(x.shape, dtype=np.float32)
        noise *= noise.dtype.type(self.stddev)
        noise += x
        return noise

    def backward(self, grad_output, need_input_grad=True):
        return grad_output if need_input_grad else None

    def onnx_nodes(self, graph, current, prefix):
        return current

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev,
                "seed": int(self.seed) if isinstance(self.seed, (int, np.integer)) else None}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "GaussianNoise", {**adapt.base_to_keras(self, dtype), "stddev": self.stddev,
                                 "seed": self.get_config()["seed"]}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        seed = config.get("seed")
        return adapt.layer_entry("GaussianNoise", config, {
            "stddev": config.get("stddev"),
            "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None})
