"""Loss functions, their gradients, and the fused gradient through the output activation.

A loss is averaged over the batch (Keras' "sum over batch size" reduction: the mean of the
per-sample values, each weighted by `sample_weight` when one is given). Probabilities are
clipped to [eps, 1 - eps] before a logarithm, as in Keras, so saturated outputs give a large
finite loss instead of inf or NaN. When the last layer's activation is the loss' natural
partner (softmax for the categorical cross-entropies, sigmoid for binary cross-entropy), the
model skips both Jacobians and uses `fused_gradient`, dLoss/dlogits = (probs - y_true) / batch,
which is exact and cannot overflow.

Every loss has Keras' class (`MeanAbsoluteError()`, `Huber(delta=1.0)`, ...) and its lowercase
function, which returns the per-sample values (`mean_absolute_error(y_true, y_pred)`, shape
(batch,)); `get` takes either name, Keras' aliases ('mse', 'mae', 'kld', 'bce') and the class
names. `gradient` is the exact dLoss/dy_pred of the batch-mean loss, for training.

Shapes: `y_pred` is (batch, outputs); `y_true` is (batch, outputs), or (batch,) of integer
class indices for the sparse loss. Call `prepare_targets` once per `fit` to check and convert
labels. Called directly, a loss first matches the targets' rank to the predictions' as Keras
does ((batch,) against (batch, 1)).
"""

import numpy as np

from neurona import activations, backend
from neurona.kernels import losses as loss_kernels
from neurona.tensors import Scalar


class Loss:
    name = None
    fused_activation = None
    # The kind of accuracy metric (`metrics.Metric.kind`) that `fused_step` counts along with
    # the loss (None: no fused step).
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
        """From the logits of `fused_activation`: (batch-mean loss, correct predictions, predictions
        counted) for the `fused_accuracy` metric, with dLoss/dlogits written into `out` (which may
        be `logits`), in one kernel pass."""
        low, high = loss_kernels.clip_bounds(_epsilon(logits.dtype), logits.dtype)
        loss_sum, correct = self._fused_kernel(logits, self._kernel_targets(y_true), low, high, out)
        return loss_sum / logits.shape[0], correct, self._accuracy_count(logits)

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

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Batch-mean loss, sum(w_i * loss_i) / batch (w = 1 without `sample_weight`), as a
        Python float (with `.numpy()`, as TensorFlow's tutorials call it), summed in float64 (so
        float16 losses cannot overflow); cheaper than np.mean, whose dispatch costs more than
        the sum on a batch."""
        losses = self.per_sample(*_match_rank(np.asarray(y_true), _as_predictions(y_pred)))
        if sample_weight is not None:
            losses = _weighted(losses, sample_weight)
        return Scalar(float(np.add.reduce(losses, axis=None, dtype=np.float64)) / losses.size)

    def get_config(self):
        return {"from_logits": self.from_logits}

    @classmethod
    def from_config(cls, config):
        """The loss of `get_config()`'s dictionary; Keras' `name`, and a `reduction` that is the
        batch mean ('sum_over_batch_size', 'mean', Keras 2's 'auto'), are accepted and ignored."""
        config = dict(config)
        config.pop("name", None)
        reduction = config.pop("reduction", "sum_over_batch_size")
        if reduction not in ("sum_over_batch_size", "mean", "auto"):
            raise ValueError(
                f"{cls.__name__} supports reduction='sum_over_batch_size' only. "
                f"Received: reduction={reduction!r}"
            )
        return cls(**config)

    def __repr__(self):
        return f"<loss {self.name}>"


class _SmoothedLoss(Loss):
    """A cross-entropy with Keras' `label_smoothing` in [0, 1]: the targets y are replaced by
    `_smooth(y)` in the loss, its gradient and the fused step, never in the metrics."""

    def __init__(self, from_logits=False, label_smoothing=0.0):
        super().__init__(from_logits=from_logits)
        if isinstance(label_smoothing, bool) or not (
            isinstance(label_smoothing, (int, float, np.floating)) and 0 <= label_smoothing <= 1
        ):
            raise ValueError(
                f"{type(self).__name__} expects label_smoothing in [0, 1]. "
                f"Received: label_smoothing={label_smoothing!r}"
            )
        self.label_smoothing = float(label_smoothing)
        if self.label_smoothing == 1:
            # Every target becomes 1/classes (or 0.5): the fused kernel, which counts accuracy
            # from the targets it receives, would no longer see the labels.
            self.fused_accuracy = None

    def _smooth(self, y_true):
        if not self.label_smoothing:
            return y_true
        return y_true * (1.0 - self.label_smoothing) + self._smoothing_floor(y_true)

    def _kernel_targets(self, y_true):
        # An affine map with positive slope: argmax and the side of 0.5 are kept, so the
        # kernel's accuracy counts are those of the unsmoothed labels.
        return self._smooth(y_true)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(_SmoothedLoss):
    """-sum_k y_k log p_k per sample; targets one-hot (batch, classes).

    With `label_smoothing` s, y becomes y * (1 - s) + s / classes (Keras' rule).
    """

    name = "categorical_crossentropy"
    fused_activation = "softmax"
    fused_accuracy = "categorical_accuracy"
    _fused_kernel = staticmethod(loss_kernels.softmax_categorical_crossentropy)

    def _smoothing_floor(self, y_true):
        return self.label_smoothing / y_true.shape[-1]

    def per_sample(self, y_true, y_pred):
        y_true = self._smooth(y_true)
        if self.from_logits:
            return -np.sum(y_true * _log_softmax(y_pred), axis=-1)
        return -np.sum(y_true * np.log(_clip(y_pred)), axis=-1)

    def gradient(self, y_true, y_pred):
        batch = y_pred.shape[0]
        if self.from_logits:
            return self.fused_gradient(y_true, activations.softmax.forward(y_pred))
        y_true = self._smooth(y_true)
        return -y_true / _clip(y_pred) * _inside_clip(y_pred) / batch

    def fused_gradient(self, y_true, probs, out=None):
        """(probs - y) / batch, with y smoothed; exact as long as the targets of each row sum
        to 1, which smoothing keeps."""
        out = np.subtract(probs, self._smooth(y_true), out=out)
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
    fused_accuracy = "sparse_categorical_accuracy"
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


class BinaryCrossentropy(_SmoothedLoss):
    """-mean_k [y log p + (1 - y) log(1 - p)] per sample; targets in [0, 1].

    With `label_smoothing` s, y becomes y * (1 - s) + s / 2 (Keras' rule).
    """

    name = "binary_crossentropy"
    fused_activation = "sigmoid"
    fused_accuracy = "binary_accuracy"
    _fused_kernel = staticmethod(loss_kernels.sigmoid_binary_crossentropy)

    def _smoothing_floor(self, y_true):
        return 0.5 * self.label_smoothing

    def _accuracy_count(self, logits):
        return logits.size

    def per_sample(self, y_true, y_pred):
        y_true = self._smooth(y_true)
        if self.from_logits:
            # max(z, 0) - z*y + log(1 + exp(-|z|)): the stable form of the same loss.
            losses = np.maximum(y_pred, 0) - y_pred * y_true + np.log1p(np.exp(-np.abs(y_pred)))
            return np.mean(losses, axis=-1)
        probs = _clip(y_pred)
        return -np.mean(y_true * np.log(probs) + (1.0 - y_true) * np.log(1.0 - probs), axis=-1)

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.fused_gradient(y_true, activations.sigmoid.forward(y_pred))
        y_true = self._smooth(y_true)
        batch, outputs = y_pred.shape[0], y_pred.shape[-1]
        probs = _clip(y_pred)
        grad = (probs - y_true) / (probs * (1.0 - probs))
        return grad * _inside_clip(y_pred) / (batch * outputs)

    def fused_gradient(self, y_true, probs, out=None):
        out = np.subtract(probs, self._smooth(y_true), out=out)
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


class _PlainLoss(Loss):
    """A loss of predictions taken as they are (no logits, no fused gradient)."""

    def __init__(self):
        super().__init__(from_logits=False)

    def get_config(self):
        return {}


class MeanSquaredError(_PlainLoss):
    """mean_k (y - p)^2 per sample."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        # np.add.reduce: np.mean's dispatch costs more than the sum on a batch.
        return np.add.reduce(np.square(y_pred - y_true), axis=-1) / y_pred.shape[-1]

    def gradient(self, y_true, y_pred):
        return 2.0 * (y_pred - y_true) / y_pred.size


class MeanAbsoluteError(_PlainLoss):
    """mean_k |y - p| per sample."""

    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        return np.add.reduce(np.abs(y_pred - y_true), axis=-1) / y_pred.shape[-1]

    def gradient(self, y_true, y_pred):
        return np.sign(y_pred - y_true) / y_pred.size


class Huber(_PlainLoss):
    """mean_k h(p - y) per sample, h(e) = e^2 / 2 where |e| <= delta, else delta * |e| - delta^2 / 2:
    squared error near the target, absolute error (slope delta) away from it."""

    name = "huber"

    def __init__(self, delta=1.0):
        super().__init__()
        if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) \
                or not np.isfinite(delta) or delta <= 0:
            raise ValueError(f"Huber expects delta to be a positive number. Received: delta={delta!r}")
        self.delta = float(delta)

    def per_sample(self, y_true, y_pred):
        error = y_pred - y_true
        size = np.abs(error)
        quadratic = 0.5 * np.square(error)
        linear = self.delta * size - 0.5 * self.delta**2
        return np.mean(np.where(size <= self.delta, quadratic, linear), axis=-1)

    def gradient(self, y_true, y_pred):
        error = y_pred - y_true
        slope = np.where(np.abs(error) <= self.delta, error, self.delta * np.sign(error))
        return slope / y_pred.size

    def get_config(self):
        return {"delta": self.delta}


class LogCosh(_PlainLoss):
    """mean_k log(cosh(p - y)) per sample, computed as x + softplus(-2x) - log 2 (no overflow)."""

    name = "log_cosh"

    def per_sample(self, y_true, y_pred):
        error = y_pred - y_true
        return np.mean(error + np.logaddexp(0.0, -2.0 * error) - np.log(2.0), axis=-1)

    def gradient(self, y_true, y_pred):
        return np.tanh(y_pred - y_true) / y_pred.size


class Poisson(_PlainLoss):
    """mean_k (p - y log(p + eps)) per sample; predictions are rates (>= 0)."""

    name = "poisson"

    def per_sample(self, y_true, y_pred):
        return np.mean(y_pred - y_true * np.log(y_pred + backend.epsilon()), axis=-1)

    def gradient(self, y_true, y_pred):
        return (1.0 - y_true / (y_pred + backend.epsilon())) / y_pred.size


class KLDivergence(_PlainLoss):
    """sum_k t_k log(t_k / q_k) per sample, with t = clip(y, eps, 1) and q = clip(p, eps, 1)."""

    name = "kl_divergence"

    def per_sample(self, y_true, y_pred):
        eps = backend.epsilon()
        targets = np.minimum(np.maximum(y_true, eps), 1.0)
        probs = np.minimum(np.maximum(y_pred, eps), 1.0)
        return np.sum(targets * np.log(targets / probs), axis=-1)

    def gradient(self, y_true, y_pred):
        eps = backend.epsilon()
        targets = np.minimum(np.maximum(y_true, eps), 1.0)
        probs = np.minimum(np.maximum(y_pred, eps), 1.0)
        inside = (y_pred >= eps) & (y_pred <= 1.0)
        return -targets / probs * inside / _sample_count(y_pred, -1)


class Hinge(_PlainLoss):
    """mean_k max(1 - y p, 0) per sample; labels in {-1, 1} ({0, 1} labels become {-1, 1})."""

    name = "hinge"

    def per_sample(self, y_true, y_pred):
        return np.mean(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)

    def gradient(self, y_true, y_pred):
        labels = _hinge_labels(y_true)
        # At a margin of exactly 0 the slope is kept, as TensorFlow's maximum passes it.
        return -labels * (1.0 - labels * y_pred >= 0) / y_pred.size


class SquaredHinge(_PlainLoss):
    """mean_k max(1 - y p, 0)^2 per sample; labels in {-1, 1} ({0, 1} labels become {-1, 1})."""

    name = "squared_hinge"

    def per_sample(self, y_true, y_pred):
        return np.mean(np.square(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)

    def gradient(self, y_true, y_pred):
        labels = _hinge_labels(y_true)
        return -2.0 * labels * np.maximum(1.0 - labels * y_pred, 0.0) / y_pred.size


class CategoricalHinge(_PlainLoss):
    """max(neg - pos + 1, 0) per sample, pos = sum_k y_k p_k and neg = max_k (1 - y_k) p_k;
    targets one-hot."""

    name = "categorical_hinge"

    def per_sample(self, y_true, y_pred):
        positive = np.sum(y_true * y_pred, axis=-1)
        negative = np.max((1.0 - y_true) * y_pred, axis=-1)
        return np.maximum(negative - positive + 1.0, 0.0)

    def gradient(self, y_true, y_pred):
        others = (1.0 - y_true) * y_pred
        negative = np.max(others, axis=-1, keepdims=True)
        # The gradient of the max is shared among the entries that tie for it.
        largest = others == negative
        share = largest / np.sum(largest, axis=-1, keepdims=True, dtype=y_pred.dtype)
        active = negative - np.sum(y_true * y_pred, axis=-1, keepdims=True) + 1.0 >= 0
        return active * ((1.0 - y_true) * share - y_true) / _sample_count(y_pred, -1)


class CosineSimilarity(_PlainLoss):
    """-sum(y_hat * p_hat) along `axis` per sample, each vector scaled to unit length
    (x / max(||x||, eps), so a zero vector stays zero): -1 when the directions agree, Keras'
    sign, so that minimizing it maximizes the similarity."""

    name = "cosine_similarity"

    def __init__(self, axis=-1):
        super().__init__()
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"CosineSimilarity expects axis to be an integer. Received: axis={axis!r}")
        self.axis = int(axis)

    def per_sample(self, y_true, y_pred):
        axis = _check_axis(self.axis, y_pred, "CosineSimilarity")
        return -np.sum(_unit(y_true, axis)[0] * _unit(y_pred, axis)[0], axis=axis)

    def gradient(self, y_true, y_pred):
        axis = _check_axis(self.axis, y_pred, "CosineSimilarity")
        targets = _unit(y_true, axis)[0]
        unit, norm = _unit(y_pred, axis)
        eps = backend.epsilon()
        # Above eps: d(p / ||p||)/dp projects out the direction of p; below, p is scaled by 1/eps.
        along = np.sum(targets * unit, axis=axis, keepdims=True)
        grad = np.where(norm >= eps, -(targets - along * unit) / np.maximum(norm, eps), -targets / eps)
        return grad / _sample_count(y_pred, axis)

    def get_config(self):
        return {"axis": self.axis}


def _clip(probs):
    return loss_kernels.clip_probabilities(probs, _epsilon(probs.dtype))


def _inside_clip(probs):
    """1 where the clip in the loss is inactive, 0 where it flattens the loss."""
    eps = _epsilon(probs.dtype)
    return (probs >= eps) & (probs <= 1.0 - eps)


def _epsilon(dtype):
    """backend.epsilon(), or `dtype`'s machine epsilon where 1 - epsilon would round to 1: in
    float16 1 - 1e-7 is 1.0 (log(1 - p) = log(0)) and 1 / 1e-7 overflows, 1 - 2**-10 and 2**10 do not."""
    eps = backend.epsilon()
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and np.asarray(1.0, dtype) - np.asarray(eps, dtype) == 1.0:
        return max(eps, float(np.finfo(dtype).eps))
    return eps


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


def _match_rank(y_true, y_pred):
    """Keras' squeeze_or_expand_to_same_rank: where the ranks differ by one and the larger
    array ends in a length-1 axis, a rank-1 array gains that axis; otherwise it is dropped."""
    true_rank, pred_rank = y_true.ndim, y_pred.ndim
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        if pred_rank == 1:
            y_pred = y_pred[:, np.newaxis]
        else:
            y_true = y_true[..., 0]
    elif pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1:
            y_true = y_true[:, np.newaxis]
        else:
            y_pred = y_pred[..., 0]
    return y_true, y_pred


def _as_predictions(y_pred):
    """`y_pred` as a floating-point array (integers become floatx, as Keras converts them)."""
    y_pred = np.asarray(y_pred)
    if y_pred.dtype.kind not in "fc":
        y_pred = y_pred.astype(backend.floatx())
    return y_pred


def _weighted(losses, sample_weight):
    """Per-sample losses times `sample_weight` (one weight per sample, or one for all)."""
    weights = np.asarray(sample_weight, dtype=np.float64)
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or inf.")
    losses, weights = _match_rank(losses, weights)
    try:
        return losses * weights
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {weights.shape} does not match the per-sample losses of shape "
            f"{losses.shape}: give one weight per sample."
        ) from None


def _sample_count(y_pred, axis):
    """How many per-sample values a loss that reduces `axis` of `y_pred` averages."""
    return y_pred.size // y_pred.shape[axis] if y_pred.size else 1


def _hinge_labels(y_true):
    """Labels in {-1, 1}: when every label is 0 or 1 they are mapped to 2y - 1, as Keras does;
    any other labels are used as they are."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def _unit(values, axis):
    """(values / max(||values||, eps) along `axis`, ||values|| with that axis kept)."""
    norm = np.sqrt(np.sum(np.square(values), axis=axis, keepdims=True))
    return values / np.maximum(norm, backend.epsilon()), norm


def _check_axis(axis, values, name):
    if not -values.ndim <= axis < values.ndim:
        raise ValueError(
            f"{name} has axis={axis}, out of range for predictions of shape {values.shape} "
            f"(expected -{values.ndim} <= axis < {values.ndim})."
        )
    return axis


def _check_numeric(values, name):
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
        raise ValueError(f"{name} expects numeric targets. Received dtype {values.dtype}.")
    if np.issubdtype(values.dtype, np.floating) and not np.all(np.isfinite(values)):
        raise ValueError(f"{name} received targets containing NaN or inf.")


_REGISTRY = {
    cls.name: cls
    for cls in (CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError,
                MeanAbsoluteError, Huber, LogCosh, Poisson, KLDivergence, Hinge, SquaredHinge, CategoricalHinge,
                CosineSimilarity)
}
# Keras' short names, then each class under its own name (as `keras.losses.get` takes them).
_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error", "mae": "mean_absolute_error",
            "MAE": "mean_absolute_error", "kld": "kl_divergence", "KLD": "kl_divergence",
            "bce": "binary_crossentropy", "BCE": "binary_crossentropy"}
_ALIASES.update({cls.__name__: name for name, cls in _REGISTRY.items()})


def _lookup(name):
    return _REGISTRY.get(_ALIASES.get(name, name))


def get(identifier):
    """A loss from a name ('categorical_crossentropy', 'mse', 'Huber', ...) or a Loss instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _lookup(identifier)
        if cls is None:
            raise ValueError(
                f"Unknown loss: {identifier!r}. Expected one of {sorted(_REGISTRY) + sorted(_ALIASES)}."
            )
        return cls()
    raise TypeError(f"loss must be a name or a Loss. Received: {identifier!r}")


def serialize(loss):
    return {"name": loss.name, "config": loss.get_config()}


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    cls = _lookup(config["name"])
    if cls is None:
        raise ValueError(f"Unknown loss: {config['name']!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls.from_config(config.get("config", {}))


def _per_sample(loss, y_true, y_pred):
    return loss.per_sample(*_match_rank(np.asarray(y_true), _as_predictions(y_pred)))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Per-sample categorical cross-entropy, shape (batch,)."""
    return _per_sample(CategoricalCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing), y_true,
                       y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample sparse categorical cross-entropy, shape (batch,)."""
    return _per_sample(SparseCategoricalCrossentropy(from_logits=from_logits), y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Per-sample binary cross-entropy, shape (batch,)."""
    return _per_sample(BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing), y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, shape (batch,)."""
    return _per_sample(MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error, shape (batch,)."""
    return _per_sample(MeanAbsoluteError(), y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss, shape (batch,)."""
    return _per_sample(Huber(delta=delta), y_true, y_pred)


def log_cosh(y_true, y_pred):
    """Per-sample log-cosh error, shape (batch,)."""
    return _per_sample(LogCosh(), y_true, y_pred)


def poisson(y_true, y_pred):
    """Per-sample Poisson loss, shape (batch,)."""
    return _per_sample(Poisson(), y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per-sample Kullback-Leibler divergence, shape (batch,)."""
    return _per_sample(KLDivergence(), y_true, y_pred)


def hinge(y_true, y_pred):
    """Per-sample hinge loss, shape (batch,)."""
    return _per_sample(Hinge(), y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """Per-sample squared hinge loss, shape (batch,)."""
    return _per_sample(SquaredHinge(), y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    """Per-sample categorical hinge loss, shape (batch,)."""
    return _per_sample(CategoricalHinge(), y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample negative cosine similarity along `axis` (shape (batch,) for axis=-1)."""
    return _per_sample(CosineSimilarity(axis=axis), y_true, y_pred)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kl_divergence
