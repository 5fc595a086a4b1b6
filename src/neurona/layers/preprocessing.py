"""Normalization: (x - mean) / sqrt(variance), per feature, with statistics from `adapt(data)`
or given, as Keras' Normalization layer.

The statistics are non-trainable weights, as Keras keeps them: `mean`, `variance` (shaped
like the kept axes) and `count` (the samples adapt saw), so files carry them.
"""

import numpy as np

from neurona import initializers
from neurona.layers.base import Layer

# Keras divides by max(sqrt(variance), epsilon) so that constant features give 0, not inf.
_EPSILON = 1e-7


class Normalization(Layer):
    """Args:
        axis: the axis (or axes) kept apart, counted with the batch axis (-1: the last);
            statistics are computed over every other axis.
        mean, variance: fixed statistics instead of `adapt`.
        invert: undo the normalisation instead (x * std + mean).
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization layer {self.name!r}: pass both mean and variance, or neither.")
        self.given_mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.given_variance = None if variance is None else np.asarray(variance, dtype=np.float64)
        self.invert = bool(invert)

    def _kept(self, input_shape):
        rank = len(input_shape) + 1
        kept = []
        for axis in self.axis:
            index = axis + rank if axis < 0 else axis
            if not 1 <= index < rank:
                raise ValueError(f"Normalization layer {self.name!r}: axis {axis} is not a feature axis of inputs "
                                 f"(batch, {', '.join(map(str, input_shape))}).")
            kept.append(index)
        return sorted(kept)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        kept = self._kept(input_shape)
        shape = tuple(input_shape[index - 1] for index in kept)
        self._broadcast = tuple(input_shape[i - 1] if i in kept else 1 for i in range(1, len(input_shape) + 1))
        self.add_weight("mean", shape, initializers.get("zeros"), trainable=False)
        self.add_weight("variance", shape, initializers.get("ones"), trainable=False)
        self.add_weight("count", (), initializers.get("zeros"), trainable=False)
        if self.given_mean is not None:
            self.params["mean"][...] = np.broadcast_to(self.given_mean, shape)
            self.params["variance"][...] = np.broadcast_to(self.given_variance, shape)
        super().build(input_shape)

    def adapt(self, data, batch_size=None, steps=None):
        """Compute the mean and variance of `data` (samples along the first axis)."""
        data = np.asarray(data, dtype=np.float64)
        if not self.built:
            self.build(data.shape[1:])
        if data.shape[1:] != tuple(self.input_shape):
            raise ValueError(f"Normalization layer {self.name!r} was built for samples of shape {self.input_shape}; "
                             f"adapt received data of shape {data.shape}.")
        kept = self._kept(self.input_shape)
        reduce = tuple(axis for axis in range(data.ndim) if axis not in kept)
        self.params["mean"][...] = data.mean(axis=reduce).reshape(self.params["mean"].shape)
        self.params["variance"][...] = data.var(axis=reduce).reshape(self.params["variance"].shape)
        self.params["count"][...] = data.shape[0]

    def _statistics(self, dtype):
        mean = self.params["mean"].reshape(self._broadcast).astype(dtype)
        std = np.maximum(np.sqrt(self.params["variance"]), _EPSILON).reshape(self._broadcast).astype(dtype)
        return mean, std

    def forward(self, x, training=False):
        mean, std = self._statistics(x.dtype)
        return x * std + mean if self.invert else (x - mean) / std

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        _, std = self._statistics(grad_output.dtype)
        return grad_output * std if self.invert else grad_output / std

    def onnx_nodes(self, graph, current, prefix):
        mean, std = self._statistics(graph.dtype)
        current = graph.to_nhwc(current, prefix)
        mean_name, std_name = graph.constant(f"{prefix}/mean", mean), graph.constant(f"{prefix}/std", std)
        if self.invert:
            return graph.node("Add", [graph.node("Mul", [current, std_name], f"{prefix}/scaled"), mean_name],
                              f"{prefix}/inverted")
        return graph.node("Div", [graph.node("Sub", [current, mean_name], f"{prefix}/centered"), std_name],
                          f"{prefix}/normalized")

    def get_config(self):
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": None if self.given_mean is None else self.given_mean.tolist(),
                "variance": None if self.given_variance is None else self.given_variance.tolist()}

    def to_keras(self, dtype, style, context):
        """Keras' Normalization. With mean and variance given, Keras keeps them in the config
        and has no weights; an adapted layer's statistics are its three weights, `count` an
        int64 (see `neurona.saving.keras_config.keras_weights`)."""
        from neurona.saving import keras_adapters as adapt

        config = {**adapt.base_to_keras(self, dtype), "axis": list(self.axis) if self.axis else None,
                  "invert": self.invert, "mean": None, "variance": None}
        if self.given_mean is not None:
            mean, variance = self.given_mean, self.given_variance
            if self.built and not all(np.all(self.params[name] == value.astype(self.params[name].dtype))
                                      for name, value in (("mean", mean), ("variance", variance))):
                mean, variance = self.params["mean"], self.params["variance"]  # adapted since
            # Keras wants both of one shape.
            config["mean"], config["variance"] = (value.tolist() for value in np.broadcast_arrays(mean, variance))
        return "Normalization", config

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        axis = config.get("axis", -1)
        return adapt.layer_entry("Normalization", config, {
            "axis": [] if axis is None else axis, "invert": bool(config.get("invert", False)),
            "mean": config.get("mean"), "variance": config.get("variance")})
