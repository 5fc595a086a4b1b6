"""Loss functions, their gradients, and the fused gradient through the output activation.

A loss is averaged over the batch (Keras' "sum over batch size" reduction). Probabilities are
clipped to [eps, 1 - eps] before a logarithm, as in Keras, so saturated outputs give a large
finite loss instead of inf or NaN. When the last layer's activation is the loss' natural
partner (softmax for the categorical cross-entropies, sigmoid for binary cross-entropy), the
model skips both Jacobians and uses `fused_gradient`, dLoss/dlogits = (probs - y_true) / batch,
which is exact and cannot overflow.

Shapes: `y_pred` is (batch, outputs); `y_true` is (batch, outputs), or (batch,) of integer
class indices for the sparse loss. Call `prepare_targets` once per `fit` to check and convert
labels.
"""

import numpy as np

from neurona import activations, backend, metrics
from neurona.kernels import losses as loss_kernels
from neurona.tensors import Scalar


class Loss:
    name = None
    fused_activation = None
    # The accuracy metric that `fused_step` counts along with the loss (None: no fused step).
    fused_accuracy = None
    _fused_kernel = None

    def __init__(self, from_logits=False):
        self.from_logits = bool(from_logits)

    def per_sample(self, y_true, y_pred):
        """Loss of each sample, shape (batch,)."""
        raise NotImplementedError

    def gradient(self, y_true, y_pred):
        """dLoss/dy_pred for the batch-mean loss, shape of `y_pred`."""
        raise NotImplementedError

    def fused_gradient(self, y_true, probs, out=None):
        """dLoss/dlogits when `probs = fused_activation(logits)`: (probs - y) / batch."""
        raise NotImplementedError

    def fused_step(self, y_true, logits, out):
        """From the logits of `fused_activation`: (batch-mean loss, `fused_accuracy`), with
        dLoss/dlogits written into `out` (which may be `logits`), in one kernel pass."""
        low, high = loss_kernels.clip_bounds(backend.epsilon(), logits.dtype)
        loss_sum, correct = self._fused_kernel(logits, self._kernel_targets(y_true), low, high, out)
        return loss_sum / logits.shape[0], correct / self._accuracy_count(logits)

    def _kernel_targets(self, y_true):
        return y_true

    def _accuracy_count(self, logits):
        return logits.shape[0]

    def prepare_targets(self, y_true, output_shape, dtype):
        """Check labels against the model output shape (batch axis excluded); return them ready.

        Raises ValueError naming what was expected and what was given.
        """
        y_true = np.asarray(y_true)
        _check_numeric(y_true, self.name)
        expected = tuple(output_shape)
        if y_true.ndim == 1 and expected == (1,):
            y_true = y_true.reshape(-1, 1)
        if y_true.shape[1:] != expected:
            raise ValueError(
                f"{self.name} expects targets of shape (batch, {', '.join(map(str, expected))}) to "
                f"match the model output. Received targets of shape {y_true.shape}."
            )
        return y_true.astype(dtype, copy=False)

    def __call__(self, y_true, y_pred):
        """Batch-mean loss as a Python float (with `.numpy()`, as TensorFlow's tutorials call
        it), summed in float64 (so float16 losses cannot overflow); cheaper than np.mean,
        whose dispatch costs more than the sum on a batch."""
        losses = self.per_sample(np.asarray(y_true), np.asarray(y_pred))
        return Scalar(float(np.add.reduce(losses, axis=None, dtype=np.float64)) / losses.size)

    def get_config(self):
        return {"from_logits": self.from_logits}

    def __repr__(self):
        return f"<loss {self.name}>"


class CategoricalCrossentropy(Loss):
    """-sum_k y_k log p_k per sample; targets one-hot (batch, classes)."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"
    fused_accuracy = staticmethod(metrics.categorical_accuracy)
    _fused_kernel = staticmethod(loss_kernels.softmax_categorical_crossentropy)

    def per_sample(self, y_true, y_pred):
        if self.from_logits:
            return -np.sum(y_true * _log_softmax(y_pred), axis=-1)
        return -np.sum(y_true * np.log(_clip(y_pred)), axis=-1)

    def gradient(self, y_true, y_pred):
        batch = y_pred.shape[0]
        if self.from_logits:
            return self.fused_gradient(y_true, activations.softmax.forward(y_pred))
        return -y_true / _clip(y_pred) * _inside_clip(y_pred) / batch

    def fused_gradient(self, y_true, probs, out=None):
        out = np.subtract(probs, y_true, out=out)
        out /= probs.shape[0]
        return out

    def prepare_targets(self, y_true, output_shape, dtype):
        y_true = np.asarray(y_true)
        num_classes = output_shape[-1]
        if y_true.ndim == 1 or (y_true.ndim == 2 and y_true.shape[1] == 1 and num_classes > 1):
            raise ValueError(
                f"categorical_crossentropy expects one-hot targets of shape (batch, {num_classes}). "
                f"Received class indices of shape {y_true.shape}: use "
                f"sparse_categorical_crossentropy, or to_categorical(y, {num_classes})."
            )
        y_true = super().prepare_targets(y_true, output_shape, dtype)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise ValueError(
                "categorical_crossentropy expects targets in [0, 1] (one-hot or probabilities). "
                f"Received values from {y_true.min()} to {y_true.max()}."
            )
        return y_true


class SparseCategoricalCrossentropy(Loss):
    """-log p_{y} per sample; targets are class indices (batch,)."""

    name = "sparse_categorical_crossentropy"
    fused_activation = "softmax"
    fused_accuracy = staticmethod(metrics.sparse_categorical_accuracy)
    _fused_kernel = staticmethod(loss_kernels.softmax_sparse_crossentropy)

    def _kernel_targets(self, y_true):
        return _as_indices(y_true)

    def per_sample(self, y_true, y_pred):
        labels = _as_indices(y_true)
        rows = _row_indices(y_pred.shape[0])
        if self.from_logits:
            return -_log_softmax(y_pred)[rows, labels]
        return -np.log(_clip(y_pred[rows, labels]))

    def gradient(self, y_true, y_pred):
        labels = _as_indices(y_true)
        batch = y_pred.shape[0]
        if self.from_logits:
            return self.fused_gradient(labels, activations.softmax.forward(y_pred))
        rows = np.arange(batch)
        grad = np.zeros_like(y_pred)
        picked = y_pred[rows, labels]
        grad[rows, labels] = -1.0 / _clip(picked) * _inside_clip(picked) / batch
        return grad

    def fused_gradient(self, y_true, probs, out=None):
        if out is None:
            out = probs.copy()
        elif out is not probs:
            np.copyto(out, probs)
        out[_row_indices(probs.shape[0]), _as_indices(y_true)] -= 1.0
        out /= probs.shape[0]
        return out

    def prepare_targets(self, y_true, output_shape, dtype):
        y_true = np.asarray(y_true)
        _check_numeric(y_true, self.name)
        num_classes = output_shape[-1]
        if y_true.ndim == 2 and y_true.shape[1] == 1:
            y_true = y_true[:, 0]
        if y_true.ndim != 1:
            hint = ""
            if y_true.ndim == 2 and y_true.shape[1] == num_classes:
                hint = " These look like one-hot targets: use categorical_crossentropy, or np.argmax(y, axis=1)."
            raise ValueError(
                f"sparse_categorical_crossentropy expects integer class indices of shape (batch,). "
                f"Received targets of shape {y_true.shape}.{hint}"
            )
        if not np.all(np.equal(np.mod(y_true, 1), 0)):
            raise ValueError(
                "sparse_categorical_crossentropy expects integer class indices. "
                f"Received non-integer values such as {y_true[np.mod(y_true, 1) != 0][0]}."
            )
        if y_true.size and (y_true.min() < 0 or y_true.max() >= num_classes):
            raise ValueError(
                f"sparse_categorical_crossentropy expects class indices in [0, {num_classes - 1}] for a "
                f"model with {num_classes} outputs. Received labels from {y_true.min()} to {y_true.max()}."
            )
        return y_true.astype(np.intp, copy=False)


class BinaryCrossentropy(Loss):
    """-mean_k [y log p + (1 - y) log(1 - p)] per sample; targets in [0, 1]."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"
    fused_accuracy = staticmethod(metrics.binary_accuracy)
    _fused_kernel = staticmethod(loss_kernels.sigmoid_binary_crossentropy)

    def _accuracy_count(self, logits):
        return logits.size

    def per_sample(self, y_true, y_pred):
        if self.from_logits:
            # max(z, 0) - z*y + log(1 + exp(-|z|)): the stable form of the same loss.
            losses = np.maximum(y_pred, 0) - y_pred * y_true + np.log1p(np.exp(-np.abs(y_pred)))
            return np.mean(losses, axis=-1)
        probs = _clip(y_pred)
        return -np.mean(y_true * np.log(probs) + (1.0 - y_true) * np.log(1.0 - probs), axis=-1)

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.fused_gradient(y_true, activations.sigmoid.forward(y_pred))
        batch, outputs = y_pred.shape[0], y_pred.shape[-1]
        probs = _clip(y_pred)
        grad = (probs - y_true) / (probs * (1.0 - probs))
        return grad * _inside_clip(y_pred) / (batch * outputs)

    def fused_gradient(self, y_true, probs, out=None):
        out = np.subtract(probs, y_true, out=out)
        out /= probs.shape[0] * probs.shape[-1]
        return out

    def prepare_targets(self, y_true, output_shape, dtype):
        y_true = super().prepare_targets(y_true, output_shape, dtype)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise ValueError(
                "binary_crossentropy expects targets in [0, 1]. "
                f"Received values from {y_true.min()} to {y_true.max()}."
            )
        return y_true


class MeanSquaredError(Loss):
    """mean_k (y - p)^2 per sample."""

    name = "mean_squared_error"

    def __init__(self):
        super().__init__(from_logits=False)

    def per_sample(self, y_true, y_pred):
        return np.mean(np.square(y_pred - y_true), axis=-1)

    def gradient(self, y_true, y_pred):
        return 2.0 * (y_pred - y_true) / (y_pred.shape[0] * y_pred.shape[-1])

    def get_config(self):
        return {}


def _clip(probs):
    return loss_kernels.clip_probabilities(probs, backend.epsilon())


def _inside_clip(probs):
    """1 where the clip in the loss is inactive, 0 where it flattens the loss."""
    eps = backend.epsilon()
    return (probs >= eps) & (probs <= 1.0 - eps)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


_ROWS = np.arange(1024)


def _row_indices(count):
    """np.arange(count), sliced from a cached array so that a training step allocates none."""
    global _ROWS
    if count > len(_ROWS):
        _ROWS = np.arange(count)
    return _ROWS[:count]


def _as_indices(y_true):
    y_true = np.asarray(y_true)
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true[:, 0]
    return y_true.astype(np.intp, copy=False)


def _check_numeric(values, name):
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
        raise ValueError(f"{name} expects numeric targets. Received dtype {values.dtype}.")
    if np.issubdtype(values.dtype, np.floating) and not np.all(np.isfinite(values)):
        raise ValueError(f"{name} received targets containing NaN or inf.")


_REGISTRY = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
}
_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error"}


def get(identifier):
    """A loss from a name ('categorical_crossentropy', 'mse', ...) or a Loss instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        name = _ALIASES.get(identifier, identifier)
        if name not in _REGISTRY:
            raise ValueError(
                f"Unknown loss: {identifier!r}. Expected one of {sorted(_REGISTRY) + sorted(_ALIASES)}."
            )
        return _REGISTRY[name]()
    raise TypeError(f"loss must be a name or a Loss. Received: {identifier!r}")


def serialize(loss):
    return {"name": loss.name, "config": loss.get_config()}


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    cls = _REGISTRY.get(_ALIASES.get(config["name"], config["name"]))
    if cls is None:
        raise ValueError(f"Unknown loss: {config['name']!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls(**config.get("config", {}))


def categorical_crossentropy(y_true, y_pred):
    """Per-sample categorical cross-entropy, shape (batch,)."""
    return CategoricalCrossentropy().per_sample(np.asarray(y_true), np.asarray(y_pred))


def sparse_categorical_crossentropy(y_true, y_pred):
    """Per-sample sparse categorical cross-entropy, shape (batch,)."""
    return SparseCategoricalCrossentropy().per_sample(np.asarray(y_true), np.asarray(y_pred))


def binary_crossentropy(y_true, y_pred):
    """Per-sample binary cross-entropy, shape (batch,)."""
    return BinaryCrossentropy().per_sample(np.asarray(y_true), np.asarray(y_pred))


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, shape (batch,)."""
    return MeanSquaredError().per_sample(np.asarray(y_true), np.asarray(y_pred))


mse = mean_squared_error
