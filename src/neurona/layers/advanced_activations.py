"""Activation layers with Keras' names and arguments: ReLU, Softmax, LeakyReLU, ELU, PReLU.

ReLU, Softmax, LeakyReLU and ELU are `Activation` layers over the engine's activation
functions (so a Softmax layer last still gives the fused softmax + cross-entropy gradient);
ReLU's options and Softmax over another axis compute here. PReLU learns its slopes.
"""

import numpy as np

from neurona import activations, initializers, regularizers
from neurona.kernels import activations as formulas
from neurona.layers.activation import Activation
from neurona.layers.base import Layer


def _number(layer, argument, value, minimum=None, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or (
            minimum is not None and value < minimum):
        bound = f" >= {minimum}" if minimum is not None else ""
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects a number{bound} for {argument}. "
                         f"Received: {argument}={value!r}")
    return float(value)


class _ClippedReLU(activations.Activation):
    """Keras' relu with options: max_value where x >= max_value, x where threshold <= x <
    max_value, negative_slope * (x - threshold) below threshold."""

    name = "relu"
    uses_input = True

    def __init__(self, max_value, negative_slope, threshold):
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def forward(self, x, out=None):
        result = np.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold))
        if self.max_value is not None:
            result = np.minimum(result, self.max_value)
        if out is None:
            return result.astype(x.dtype, copy=False)
        out[...] = result
        return out

    def backward(self, grad, x, y, out=None):
        slope = np.where(x >= self.threshold, 1.0, self.negative_slope)
        if self.max_value is not None:
            slope = np.where(x >= self.max_value, 0.0, slope)
        result = grad * slope.astype(grad.dtype)
        if out is None:
            return result
        out[...] = result
        return out


class ReLU(Activation):
    """max(x, 0), or with Keras' options: `max_value` caps it, `negative_slope` leaks below
    `threshold`."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__("relu", **kwargs)
        self.max_value = _number(self, "max_value", max_value, minimum=0, allow_none=True)
        self.negative_slope = _number(self, "negative_slope", negative_slope, minimum=0)
        self.threshold = _number(self, "threshold", threshold)
        if (self.max_value, self.negative_slope, self.threshold) != (None, 0.0, 0.0):
            self.activation = _ClippedReLU(self.max_value, self.negative_slope, self.threshold)

    def onnx_nodes(self, graph, current, prefix):
        if self.negative_slope == 0 and self.threshold == 0:
            if self.max_value is None:
                return graph.node("Relu", [current], f"{prefix}/relu")
            low = graph.constant(f"{prefix}/min", 0.0)
            return graph.node("Clip", [current, low, graph.constant(f"{prefix}/max", self.max_value)], f"{prefix}/clip")
        raise ValueError(f"ReLU layer {self.name!r} with negative_slope or threshold has no ONNX export.")

    def get_config(self):
        config = Layer.get_config(self)
        return {**config, "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "ReLU", {**adapt.base_to_keras(self, dtype), "max_value": self.max_value,
                        "negative_slope": self.negative_slope, "threshold": self.threshold}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """Keras' ReLU with its three options (Keras 2 names them the same)."""
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("ReLU", config, {
            "max_value": config.get("max_value"), "negative_slope": config.get("negative_slope", 0.0),
            "threshold": config.get("threshold", 0.0)})


class Softmax(Activation):
    """exp(x) / sum(exp(x)) along `axis` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__("softmax", **kwargs)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"Softmax layer {self.name!r} expects one integer axis. Received: axis={axis!r}")
        self.axis = int(axis)

    def build(self, input_shape):
        rank = len(input_shape) + 1
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank:
            raise ValueError(f"Softmax layer {self.name!r}: axis={self.axis} is not a feature axis of inputs "
                             f"(batch, {', '.join(map(str, input_shape))}).")
        self._last = axis == rank - 1
        # Only a softmax over the last axis is the fused loss' partner.
        self.can_skip_activation = self._last
        super().build(input_shape)

    def forward(self, x, training=False, apply_activation=True):
        if getattr(self, "_last", True):
            return super().forward(x, training, apply_activation)
        moved = np.ascontiguousarray(np.moveaxis(x, self.axis, -1))
        probs = formulas.softmax(moved.reshape(-1, moved.shape[-1])).reshape(moved.shape)
        self._outputs = np.moveaxis(probs, -1, self.axis)
        return self._outputs

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        if getattr(self, "_last", True):
            return super().backward(grad_output, need_input_grad, through_activation)
        if not need_input_grad:
            return None
        y = self._outputs
        return y * (grad_output - np.sum(grad_output * y, axis=self.axis, keepdims=True))

    def onnx_nodes(self, graph, current, prefix):
        return graph.node("Softmax", [graph.to_nhwc(current, prefix)], f"{prefix}/softmax", axis=self.axis)

    def get_config(self):
        return {**Layer.get_config(self), "axis": self.axis}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Softmax", {**adapt.base_to_keras(self, dtype), "axis": self.axis}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Softmax", config, {"axis": config.get("axis", -1)})


class LeakyReLU(Activation):
    """x for x > 0, negative_slope * x below (Keras 3's default slope: 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # Keras 2's name for it
            negative_slope = kwargs.pop("alpha")
        super().__init__("linear", **kwargs)
        self.negative_slope = _number(self, "negative_slope", negative_slope, minimum=0)
        self.activation = activations.LeakyReLU(alpha=self.negative_slope)

    def get_config(self):
        return {**Layer.get_config(self), "negative_slope": self.negative_slope}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def to_keras(self, dtype, style, context):
        """Keras 3 names the slope negative_slope, Keras 2 alpha."""
        from neurona.saving import keras_adapters as adapt

        key = "negative_slope" if style == "keras3" else "alpha"
        return "LeakyReLU", {**adapt.base_to_keras(self, dtype), key: self.negative_slope}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        slope = config.get("negative_slope", config.get("alpha", 0.3))
        return adapt.layer_entry("LeakyReLU", config, {"negative_slope": slope})


class ELU(Activation):
    """x for x > 0, alpha * (exp(x) - 1) below."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__("linear", **kwargs)
        self.alpha = _number(self, "alpha", alpha)
        self.activation = activations.ELU(alpha=self.alpha)

    def get_config(self):
        return {**Layer.get_config(self), "alpha": self.alpha}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "ELU", {**adapt.base_to_keras(self, dtype), "alpha": self.alpha}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("ELU", config, {"alpha": config.get("alpha", 1.0)})


class PReLU(Layer):
    """x for x > 0, alpha * x below, with alpha learned per feature (shared along
    `shared_axes`, e.g. [1, 2] for one slope per channel of an image)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        if alpha_constraint is not None:
            raise ValueError(f"PReLU layer {self.name!r} does not support alpha_constraint. "
                             f"Received: alpha_constraint={alpha_constraint!r}")
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(axis) for axis in shared_axes]

    def build(self, input_shape):
        shape = list(input_shape)
        for axis in self.shared_axes or []:
            if not 1 <= axis <= len(shape):
                raise ValueError(f"PReLU layer {self.name!r}: shared axis {axis} is not an axis of inputs "
                                 f"(batch, {', '.join(map(str, input_shape))}); count from 1.")
            shape[axis - 1] = 1
        self.add_weight("alpha", tuple(shape), self.alpha_initializer, regularizer=self.alpha_regularizer)
        super().build(input_shape)

    def forward(self, x, training=False):
        self._inputs = x
        alpha = self.params["alpha"]
        return np.where(x > 0, x, alpha * x).astype(x.dtype, copy=False)

    def backward(self, grad_output, need_input_grad=True):
        x, alpha = self._inputs, self.params["alpha"]
        negative = x <= 0
        if "alpha" in self.grads:
            contribution = np.where(negative, grad_output * x, 0)
            axes = (0,) + tuple(axis for axis in range(1, x.ndim) if alpha.shape[axis - 1] == 1 and x.shape[axis] != 1)
            self.grads["alpha"][...] = contribution.sum(axis=axes, keepdims=True)[0]
        self.add_regularizer_gradients()
        if not need_input_grad:
            return None
        return np.where(negative, alpha * grad_output, grad_output).astype(grad_output.dtype, copy=False)

    def onnx_nodes(self, graph, current, prefix):
        slope = graph.constant(f"{prefix}/alpha", self.params["alpha"])
        return graph.node("PRelu", [graph.to_nhwc(current, prefix), slope], f"{prefix}/prelu")

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer), "shared_axes": self.shared_axes}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["alpha_initializer"] = initializers.deserialize(config["alpha_initializer"])
        config["alpha_regularizer"] = regularizers.deserialize(config.get("alpha_regularizer"))
        return cls(**config)

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "PReLU", {
            **adapt.base_to_keras(self, dtype),
            "alpha_initializer": adapt.initializer_to_keras(self.alpha_initializer, style),
            "alpha_regularizer": adapt.regularizer_to_keras(self.alpha_regularizer, style),
            "alpha_constraint": None,
            "shared_axes": self.shared_axes,
        }

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """Keras' PReLU; an alpha_constraint is refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.require_off(config, ("alpha_constraint",), context)
        return adapt.layer_entry("PReLU", config, {
            "alpha_initializer": adapt.initializer_from_keras(config.get("alpha_initializer"), "zeros", context),
            "alpha_regularizer": adapt.regularizer_from_keras(config.get("alpha_regularizer"), context),
            "shared_axes": config.get("shared_axes"),
        })
