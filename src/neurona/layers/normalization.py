"""BatchNormalization, as Keras 3 computes it.

In training, each channel (the entries along `axis`) is normalised by the batch's mean and
biased variance, then scaled by gamma and shifted by beta:
    out = gamma * (x - mean) / sqrt(var + epsilon) + beta
and the moving statistics follow the batches:
    moving = moving * momentum + batch_statistic * (1 - momentum)
At inference the moving statistics take the batch's place. A layer with trainable=False
runs in inference mode even during fit, as in Keras (the usual way to fine-tune).

Weights, in Keras' order: gamma (scale=True), beta (center=True), moving_mean,
moving_variance; the last two are non-trainable.
"""

import numpy as np

from neurona import initializers, regularizers
from neurona.kernels import normalization as norm_kernels
from neurona.layers.base import Layer


class BatchNormalization(Layer):
    """Normalise each channel over the batch (and over height and width for images).

    Args:
        axis: the channel axis, counted with the batch axis (-1: the last one).
        momentum: weight of the old moving statistics at each update (0.99).
        epsilon: added to the variance (1e-3, Keras' default; ONNX's is 1e-5).
        center, scale: whether to learn beta and gamma.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers ('zeros', 'ones', 'zeros', 'ones').
        beta_regularizer, gamma_regularizer: None, 'l1', 'l2' or a regularizer.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"BatchNormalization layer {self.name!r} expects one integer axis. Received: axis={axis!r}")
        if not (isinstance(momentum, (int, float)) and 0 <= momentum <= 1):
            raise ValueError(f"BatchNormalization layer {self.name!r} expects momentum in [0, 1]. "
                             f"Received: momentum={momentum!r}")
        if not (isinstance(epsilon, (int, float)) and epsilon > 0):
            raise ValueError(f"BatchNormalization layer {self.name!r} expects epsilon > 0. Received: epsilon={epsilon!r}")
        for argument, value in (("beta_constraint", beta_constraint), ("gamma_constraint", gamma_constraint),
                                ("synchronized", synchronized or None)):
            if value is not None:
                raise ValueError(f"BatchNormalization layer {self.name!r} does not support {argument}. "
                                 f"Received: {argument}={value!r}")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def _channel_axis(self, input_shape):
        """The normalised axis's index within one sample's shape (batch axis excluded)."""
        rank = len(input_shape) + 1
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 1 <= axis < rank:
            raise ValueError(
                f"BatchNormalization layer {self.name!r}: axis={self.axis} is not a feature axis of inputs "
                f"(batch, {', '.join(map(str, input_shape))}); the batch axis cannot be normalised."
            )
        return axis - 1

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self._sample_axis = self._channel_axis(input_shape)
        channels = (input_shape[self._sample_axis],)
        if self.scale:
            self.add_weight("gamma", channels, self.gamma_initializer, regularizer=self.gamma_regularizer)
        if self.center:
            self.add_weight("beta", channels, self.beta_initializer, regularizer=self.beta_regularizer)
        self.add_weight("moving_mean", channels, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", channels, self.moving_variance_initializer, trainable=False)
        super().build(input_shape)

    # Computation -------------------------------------------------------------------------------

    def _rows(self, x):
        """x as (M, C) rows with the channel last (a view when it already is)."""
        if self._sample_axis != x.ndim - 2:
            x = np.ascontiguousarray(np.moveaxis(x, self._sample_axis + 1, -1))
        self._moved_shape = x.shape
        return x.reshape(-1, x.shape[-1])

    def _unrows(self, rows):
        shaped = rows.reshape(self._moved_shape)
        if self._sample_axis != len(self._moved_shape) - 2:
            shaped = np.ascontiguousarray(np.moveaxis(shaped, -1, self._sample_axis + 1))
        return shaped

    def _gamma_beta(self, dtype, channels):
        gamma = self.params["gamma"] if self.scale else np.ones(channels, dtype)
        beta = self.params["beta"] if self.center else np.zeros(channels, dtype)
        return gamma, beta

    def forward(self, x, training=False):
        rows = self._rows(x)
        channels = rows.shape[1]
        gamma, beta = self._gamma_beta(rows.dtype, channels)
        out = self._buffer("outputs", rows.shape, rows.dtype)
        self._training = training and self.trainable and rows.shape[0] > 0
        if self._training:
            mean = np.empty(channels, rows.dtype)
            var = np.empty(channels, rows.dtype)
            inv_std = np.empty(channels, rows.dtype)
            norm_kernels.batch_norm_forward(rows, gamma, beta, self.epsilon, mean, var, inv_std, out)
            moving_mean, moving_var = self.params["moving_mean"], self.params["moving_variance"]
            moving_mean *= self.momentum
            moving_mean += mean * (1 - self.momentum)
            moving_var *= self.momentum
            moving_var += var * (1 - self.momentum)
        else:
            mean = self.params["moving_mean"]
            inv_std = (1.0 / np.sqrt(self.params["moving_variance"] + self.epsilon)).astype(rows.dtype)
            scale = gamma * inv_std
            norm_kernels.channel_affine(rows, scale, beta - mean * scale, out)
        self._cache = (rows, mean, inv_std, gamma)
        return self._unrows(out)

    def backward(self, grad_output, need_input_grad=True):
        rows, mean, inv_std, gamma = self._cache
        grad = self._rows(np.ascontiguousarray(grad_output))
        channels = rows.shape[1]
        dgamma = self.grads.get("gamma", np.empty(channels, rows.dtype))
        dbeta = self.grads.get("beta", np.empty(channels, rows.dtype))
        grad_input = self._buffer("grad_inputs", rows.shape, rows.dtype)
        if self._training:
            norm_kernels.batch_norm_backward(grad, rows, mean, inv_std, gamma, grad_input, dgamma, dbeta)
        else:
            # Inference mode is an affine map per channel: its input gradient is grad * scale.
            if self.grads:
                np.sum(grad, axis=0, out=dbeta)
                np.sum(grad * ((rows - mean) * inv_std), axis=0, out=dgamma)
            norm_kernels.channel_affine(grad, gamma * inv_std, np.zeros(channels, rows.dtype), grad_input)
        self.add_regularizer_gradients()
        return self._unrows(grad_input) if need_input_grad else None

    def onnx_nodes(self, graph, current, prefix):
        # ONNX normalises axis 1: an image's last axis is its channels first (NCHW); any other
        # axis is moved to 1 and back.
        rank, axis = len(self.input_shape) + 1, self._sample_axis + 1
        perm = None
        if rank == 4 and axis == 3:
            current = graph.to_nchw(current, prefix)
        else:
            current = graph.to_nhwc(current, prefix)
            if axis != 1:
                perm = [0, axis] + [i for i in range(1, rank) if i != axis]
                current = graph.node("Transpose", [current], f"{prefix}/axis_first", perm=perm)
        channels = self.params["moving_mean"].shape
        gamma, beta = self._gamma_beta(self.params["moving_mean"].dtype, channels)
        inputs = [current] + [graph.constant(f"{prefix}/{name}", value) for name, value in (
            ("gamma", gamma), ("beta", beta), ("moving_mean", self.params["moving_mean"]),
            ("moving_variance", self.params["moving_variance"]))]
        current = graph.node("BatchNormalization", inputs, f"{prefix}/batch_norm", epsilon=self.epsilon)
        if perm is not None:
            current = graph.node("Transpose", [current], f"{prefix}/axis_back", perm=np.argsort(perm).tolist())
        return current

    # Config ------------------------------------------------------------------------------------

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("beta_initializer", "gamma_initializer", "moving_mean_initializer",
                    "moving_variance_initializer"):
            if key in config:
                config[key] = initializers.deserialize(config[key])
        for key in ("beta_regularizer", "gamma_regularizer"):
            config[key] = regularizers.deserialize(config.get(key))
        return cls(**config)

    def to_keras(self, dtype, style, context):
        """Keras' ('BatchNormalization', config), with Keras 3's keys (renorm, which Keras
        3.0 does not know, is left at its default by omission)."""
        from neurona.saving import keras_adapters as adapt

        return "BatchNormalization", {
            **adapt.base_to_keras(self, dtype),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": adapt.initializer_to_keras(self.beta_initializer, style),
            "gamma_initializer": adapt.initializer_to_keras(self.gamma_initializer, style),
            "moving_mean_initializer": adapt.initializer_to_keras(self.moving_mean_initializer, style),
            "moving_variance_initializer": adapt.initializer_to_keras(self.moving_variance_initializer, style),
            "beta_regularizer": adapt.regularizer_to_keras(self.beta_regularizer, style),
            "gamma_regularizer": adapt.regularizer_to_keras(self.gamma_regularizer, style),
            "beta_constraint": None,
            "gamma_constraint": None,
            "synchronized": False,
        }

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """neurona's layer entry for a Keras BatchNormalization config (Keras 2's `axis`
        lists of one axis included); several axes, renorm, constraints and Keras 2's virtual
        batches are refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.require_off(config, ("beta_constraint", "gamma_constraint", "synchronized", "renorm",
                                   "renorm_clipping", "virtual_batch_size", "adjustment"), context)
        axis = config.get("axis", -1)
        if isinstance(axis, list) and len(axis) == 1:
            axis = axis[0]
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise adapt.ModelFileError(
                f"{context}: axis={config.get('axis')!r} is not supported by neurona (one axis only)."
            )
        initializers_from_keras = {
            key: adapt.initializer_from_keras(config.get(key), default, context)
            for key, default in (("beta_initializer", "zeros"), ("gamma_initializer", "ones"),
                                 ("moving_mean_initializer", "zeros"), ("moving_variance_initializer", "ones"))
        }
        return adapt.layer_entry("BatchNormalization", config, {
            "axis": axis,
            "momentum": config.get("momentum", 0.99),
            "epsilon": config.get("epsilon", 1e-3),
            "center": bool(config.get("center", True)),
            "scale": bool(config.get("scale", True)),
            **initializers_from_keras,
            "beta_regularizer": adapt.regularizer_from_keras(config.get("beta_regularizer"), context),
            "gamma_regularizer": adapt.regularizer_from_keras(config.get("gamma_regularizer"), context),
        })
