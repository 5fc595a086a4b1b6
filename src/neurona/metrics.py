"""Metrics reported during training and evaluation: objects that accumulate over batches.

A metric object keeps running sums across `update_state(y_true, y_pred, sample_weight=None)`
calls (a weighted total and count for the means; true/false positive and negative counts at
each threshold for Precision, Recall and AUC), so `result()` after an epoch is the value over
every sample of the epoch, as Keras reports it; `reset_state()` starts again. Keras' classes,
defaults and names are kept: Accuracy, BinaryAccuracy(threshold=0.5), CategoricalAccuracy,
SparseCategoricalAccuracy, TopKCategoricalAccuracy(k=5), SparseTopKCategoricalAccuracy(k=5),
Precision, Recall, AUC(num_thresholds=200, curve='ROC'), MeanSquaredError, MeanAbsoluteError,
Mean and MeanMetricWrapper(fn).

`resolve` turns what `compile(metrics=[...])` receives (a name, a function of (y_true, y_pred)
returning per-sample values, a Metric class or object) into a metric object. As in Keras,
'accuracy' (or 'acc') becomes binary, sparse categorical or categorical accuracy depending on
the loss and the output width, and a name given as a string is the metric's name.

The functions `categorical_accuracy`, `sparse_categorical_accuracy`, `binary_accuracy`,
`mean_squared_error` and `mean_absolute_error` return the value over one batch.
"""

import re

import numpy as np

from neurona import backend, losses
from neurona.tensors import Scalar, wrap

# Where `top_k` leaves a prediction out, Precision and Recall see this value (as Keras does).
NEG_INF = -1e10


# Batch functions -------------------------------------------------------------------------------


def categorical_accuracy(y_true, y_pred):
    """Fraction of rows whose largest prediction is at the one-hot target's position."""
    return np.count_nonzero(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)) / len(y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """Fraction of rows whose largest prediction is at the integer target."""
    labels = np.asarray(y_true).reshape(-1)
    return np.count_nonzero(np.argmax(y_pred, axis=-1) == labels) / len(y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of outputs where (prediction > `threshold`) agrees with (target > 0.5)."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true).reshape(y_pred.shape)
    return np.count_nonzero((y_pred > threshold) == (y_true > 0.5)) / y_pred.size


def mean_squared_error(y_true, y_pred):
    return float(np.mean(np.square(y_pred - np.asarray(y_true).reshape(y_pred.shape))))


def mean_absolute_error(y_true, y_pred):
    return float(np.mean(np.abs(y_pred - np.asarray(y_true).reshape(y_pred.shape))))


# Per-sample values behind the metric objects ---------------------------------------------------


def _equal(y_true, y_pred):
    y_true, y_pred = losses._match_rank(y_true, y_pred)
    return (y_true == y_pred).astype(np.float64)


def _binary_matches(y_true, y_pred, threshold=0.5):
    y_true, y_pred = losses._match_rank(y_true, y_pred)
    return ((y_pred > threshold) == (y_true > 0.5)).astype(np.float64)


def _categorical_matches(y_true, y_pred):
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def _sparse_labels(y_true, y_pred):
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true


def _sparse_categorical_matches(y_true, y_pred):
    return (np.argmax(y_pred, axis=-1) == _sparse_labels(y_true, y_pred)).astype(np.float64)


def _in_top_k(labels, y_pred, k):
    """Whether each row's prediction for its label is among its k largest: fewer than k
    predictions are strictly larger (so ties at the k-th place count as in, as in Keras)."""
    labels = np.asarray(labels).astype(np.intp)
    picked = np.take_along_axis(y_pred, labels[..., np.newaxis], axis=-1)
    return (np.count_nonzero(y_pred > picked, axis=-1) < k).astype(np.float64)


def _top_k_categorical_matches(y_true, y_pred, k=5):
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k)


def _sparse_top_k_categorical_matches(y_true, y_pred, k=5, from_sorted_ids=False):
    labels = _sparse_labels(y_true, y_pred)
    if from_sorted_ids:
        return np.any(y_pred[..., :k] == labels[..., np.newaxis], axis=-1).astype(np.float64)
    return _in_top_k(labels, y_pred, k)


# Base classes ----------------------------------------------------------------------------------


class Metric:
    """A value accumulated over batches: `update_state`, `result`, `reset_state`.

    `kind` names the accuracy a fused loss kernel can count for this metric ('categorical_accuracy',
    'sparse_categorical_accuracy', 'binary_accuracy'; see `update_counts`), None for others.
    """

    kind = None

    def __init__(self, name=None, dtype=None):
        if name is not None and not isinstance(name, str):
            raise ValueError(f"{type(self).__name__} expects name to be a string. Received: name={name!r}")
        self.name = name if name is not None else _snake_case(type(self).__name__)
        self.dtype = str(np.dtype(dtype if dtype is not None else backend.floatx()))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Update with one batch, then return `result()` (as Keras' metric call does)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The weighted mean of the values seen: sum(w * v) / sum(w), w = 1 without
    `sample_weight` (0 before any value). Values of more than one axis are averaged per sample
    first, as Keras does."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values, weights = _samplewise(values, sample_weight)
        self.total += float(np.add.reduce(values, axis=None))
        if weights is not None:
            self.count += float(np.add.reduce(weights, axis=None))
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self):
        return Scalar(self.total / self.count if self.count else 0.0)


class MeanMetricWrapper(Mean):
    """The weighted mean of `fn(y_true, y_pred, **kwargs)` (per-sample values) over every
    sample seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError(f"MeanMetricWrapper expects fn to be a function. Received: fn={fn!r}")
        super().__init__(name=name if name is not None else "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(np.asarray(y_true), np.asarray(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), "fn": getattr(self._fn, "__name__", repr(self._fn)), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            name = fn
            fn = None if name.startswith("_") else globals().get(name, getattr(losses, name, None))
            if not callable(fn) or isinstance(fn, type):
                raise ValueError(
                    f"MeanMetricWrapper cannot find fn={name!r}: expected the name of a function of "
                    "neurona.metrics or neurona.losses."
                )
        return cls(fn, **config)


class _Accuracy(MeanMetricWrapper):
    """An accuracy: the fraction of right predictions, which a fused loss kernel can also count."""

    def update_counts(self, correct, count):
        """Add `correct` right predictions out of `count`, as a fused loss kernel counts them (one
        pass gives the loss, the gradient and the count)."""
        self.total += correct
        self.count += count

    def get_config(self):
        return Metric.get_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# Accuracies ------------------------------------------------------------------------------------


class Accuracy(_Accuracy):
    """How often predictions equal the targets exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(_equal, name=name, dtype=dtype)


class BinaryAccuracy(_Accuracy):
    """How often (prediction > threshold) agrees with the target (a target counts as positive
    above 0.5, so for 0/1 labels this is Keras' y_true == (y_pred > threshold))."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        threshold = _number(threshold, "threshold", type(self).__name__)
        super().__init__(_binary_matches, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    @property
    def kind(self):
        # The binary cross-entropy kernel counts at 0.5.
        return "binary_accuracy" if self.threshold == 0.5 else None

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(_Accuracy):
    """How often the largest prediction is at the one-hot target's position."""

    kind = "categorical_accuracy"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(_categorical_matches, name=name, dtype=dtype)


class SparseCategoricalAccuracy(_Accuracy):
    """How often the largest prediction is at the integer target."""

    kind = "sparse_categorical_accuracy"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(_sparse_categorical_matches, name=name, dtype=dtype)


class TopKCategoricalAccuracy(_Accuracy):
    """How often the one-hot target is among the k largest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        k = _positive_int(k, "k", type(self).__name__)
        super().__init__(_top_k_categorical_matches, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {**super().get_config(), "k": self.k}


class SparseTopKCategoricalAccuracy(_Accuracy):
    """How often the integer target is among the k largest predictions (with
    `from_sorted_ids=True`, among the first k class ids of each row of `y_pred`)."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        k = _positive_int(k, "k", type(self).__name__)
        super().__init__(_sparse_top_k_categorical_matches, name=name, dtype=dtype, k=k,
                         from_sorted_ids=bool(from_sorted_ids))
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)

    def get_config(self):
        config = {**super().get_config(), "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


# Regression ------------------------------------------------------------------------------------


class MeanSquaredError(MeanMetricWrapper):
    """The mean over samples of mean_k (y - p)^2."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean over samples of mean_k |y - p|."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# Confusion counts ------------------------------------------------------------------------------


class Precision(Metric):
    """TP / (TP + FP) at each threshold, a prediction counting as positive when it is above
    the threshold (0.5 by default) and a target when it is nonzero; 0 with no positive
    prediction. `top_k` keeps only each row's k largest predictions, `class_id` one column.
    One threshold gives a Scalar, several an array."""

    _counts = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        kind = type(self).__name__
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else _positive_int(top_k, "top_k", kind)
        self.class_id = None if class_id is None else _non_negative_int(class_id, "class_id", kind)
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _parse_thresholds(thresholds, default, kind)
        self._evenly = _evenly_distributed(self.thresholds)
        self.reset_state()

    def reset_state(self):
        for key in self._counts:
            setattr(self, _COUNT_NAMES[key], np.zeros(len(self.thresholds)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = _confusion_counts(y_true, y_pred, self.thresholds, self._counts, sample_weight,
                                   evenly=self._evenly, top_k=self.top_k, class_id=self.class_id,
                                   dtype=self.dtype)
        for key, value in counts.items():
            setattr(self, _COUNT_NAMES[key], getattr(self, _COUNT_NAMES[key]) + value)

    def result(self):
        value = _divide_no_nan(self.true_positives, self.true_positives + self.false_positives)
        return _single(value)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Recall(Precision):
    """TP / (TP + FN) at each threshold, a prediction counting as positive when it is above
    the threshold (0.5 by default) and a target when it is nonzero; 0 with no positive
    target. `top_k` keeps only each row's k largest predictions, `class_id` one column.
    One threshold gives a Scalar, several an array."""

    _counts = ("tp", "fn")

    def result(self):
        value = _divide_no_nan(self.true_positives, self.true_positives + self.false_negatives)
        return _single(value)


class AUC(Metric):
    """Area under the ROC curve (recall against false-positive rate) or the PR curve
    (precision against recall), from confusion counts at `num_thresholds` thresholds, as Keras
    computes it.

    The thresholds are -eps, (i + 1) / (num_thresholds - 1) for i < num_thresholds - 2, and
    1 + eps (or `thresholds` between -eps and 1 + eps); a prediction counts as positive above a
    threshold. With summation_method='interpolation' the ROC area is the trapezoidal sum
    sum_i (x_i - x_{i+1}) (y_i + y_{i+1}) / 2, and the PR area interpolates the true and false
    positives linearly between thresholds (Davis & Goadrich 2006): over each interval
    slope * (dTP + intercept * log(P_i / P_{i+1})) / (TP + FN), with P = TP + FP,
    slope = dTP / dP and intercept = TP_{i+1} - slope * P_{i+1}. 'minoring' and 'majoring' take
    the lower and upper of the two heights. `multi_label=True` computes one area per output
    column and averages them (weighted by `label_weights`); `from_logits=True` applies a
    sigmoid to the predictions first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curves = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
        if not isinstance(curve, str) or curve.lower() not in curves:
            raise ValueError(f"AUC expects curve to be one of ['ROC', 'PR', 'PRGAIN']. Received: curve={curve!r}")
        methods = ("interpolation", "minoring", "majoring")
        if not isinstance(summation_method, str) or summation_method.lower() not in methods:
            raise ValueError(
                f"AUC expects summation_method to be one of {list(methods)}. "
                f"Received: summation_method={summation_method!r}"
            )
        self.curve = curves[curve.lower()]
        self.summation_method = summation_method.lower()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, 0.5, "AUC"))
            self.num_thresholds = len(inner) + 2
            self._evenly = _evenly_distributed([0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(
                    f"AUC expects num_thresholds to be an integer > 1. Received: num_thresholds={num_thresholds!r}"
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
            self._evenly = True
        eps = backend.epsilon()
        self._thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.multi_label = bool(multi_label)
        if num_labels is not None and not self.multi_label:
            raise ValueError(f"AUC takes num_labels only with multi_label=True. Received: num_labels={num_labels!r}")
        self.num_labels = None if num_labels is None else _positive_int(num_labels, "num_labels", "AUC")
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        if self.label_weights is not None and (self.label_weights.ndim != 1 or np.any(self.label_weights < 0)):
            raise ValueError(
                f"AUC expects label_weights to be a list of non-negative weights, one per label. "
                f"Received: label_weights={label_weights!r}"
            )
        self.from_logits = bool(from_logits)
        self._shape = None
        if not self.multi_label:
            self._shape = (self.num_thresholds,)
        elif self.num_labels:
            self._shape = (self.num_thresholds, self.num_labels)
        self.reset_state()

    @property
    def thresholds(self):
        """The thresholds at which the confusion counts are taken."""
        return list(self._thresholds)

    def reset_state(self):
        for attribute in _COUNT_NAMES.values():
            setattr(self, attribute, None if self._shape is None else np.zeros(self._shape))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred)
        if self._shape is None:
            if y_pred.ndim != 2:
                raise ValueError(
                    f"AUC with multi_label=True expects predictions of shape (batch, labels). "
                    f"Received shape {y_pred.shape}."
                )
            self._shape = (self.num_thresholds, y_pred.shape[1])
            self.reset_state()
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred.astype(np.float64)))
        counts = _confusion_counts(y_true, y_pred, self._thresholds, ("tp", "fp", "tn", "fn"), sample_weight,
                                   evenly=self._evenly, multi_label=self.multi_label,
                                   label_weights=None if self.multi_label else self.label_weights,
                                   dtype=self.dtype)
        for key, value in counts.items():
            setattr(self, _COUNT_NAMES[key], getattr(self, _COUNT_NAMES[key]) + value)

    def result(self):
        if self.true_positives is None:
            return Scalar(0.0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average(self._interpolated_pr_area())
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:
            scale = _divide_no_nan(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * _divide_no_nan(fn, tp))
            precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * _divide_no_nan(fp, tp))
            x, y = np.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * heights)

    def _interpolated_pr_area(self):
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0.0)), 1.0)
        log_ratio = np.log(np.where(ratio > 0, ratio, 1.0))
        return _divide_no_nan(slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0.0))

    def _average(self, terms):
        """The area: the sum of `terms`, or for multi_label the (weighted) mean of the labels'."""
        if not self.multi_label:
            return Scalar(float(np.sum(terms)))
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return Scalar(float(np.mean(by_label)))
        total = float(np.sum(self.label_weights))
        return Scalar(float(np.sum(by_label * self.label_weights)) / total if total else 0.0)

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


_COUNT_NAMES = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
                "fn": "false_negatives"}


def _confusion_counts(y_true, y_pred, thresholds, wanted, sample_weight=None, evenly=False, top_k=None,
                      class_id=None, multi_label=False, label_weights=None, dtype="float32"):
    """{'tp', 'fp', 'tn', 'fn' in `wanted`: weighted counts at each threshold}, as Keras'
    update_confusion_matrix_variables: a prediction is positive above a threshold, a target
    when nonzero; arrays of shape (thresholds,), or (thresholds, labels) for `multi_label`.

    Predictions are compared in `dtype` (the metric's, as Keras does), weights summed in
    float64. With evenly spaced
    thresholds each prediction falls in bucket ceil(p (T - 1)) - 1 (p clipped to [0, 1]) and
    the counts are cumulative sums over the buckets, in O(T + N).
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred).astype(dtype, copy=False)
    y_true = np.asarray(y_true).astype(dtype, copy=False)
    y_pred, y_true = losses._match_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"Confusion-count metrics expect targets shaped like the predictions {y_pred.shape}. "
            f"Received targets of shape {y_true.shape}."
        )
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64)[..., np.newaxis]
        _, weights = _match_rank_no_expand(y_true, weights)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                f"class_id={class_id} needs predictions of shape (batch, classes). Received shape {y_pred.shape}."
            )
        if class_id >= y_pred.shape[-1]:
            raise ValueError(
                f"class_id={class_id} is out of range for predictions with {y_pred.shape[-1]} classes."
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if weights is not None:
        try:
            weights = np.broadcast_to(weights, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {np.shape(sample_weight)} cannot be broadcast to the predictions "
                f"of shape {y_pred.shape}."
            ) from None
    if label_weights is not None:
        label_weights = np.broadcast_to(np.asarray(label_weights, dtype=np.float64), y_pred.shape)
        weights = label_weights if weights is None else weights * label_weights
    positive = y_true.astype(bool)
    columns = y_pred.shape[-1] if multi_label else None
    if not multi_label:
        y_pred, positive = y_pred.reshape(-1), positive.reshape(-1)
        weights = None if weights is None else weights.reshape(-1)
    else:
        y_pred, positive = y_pred.reshape(-1, columns), positive.reshape(-1, columns)
        weights = None if weights is None else weights.reshape(-1, columns)
    true_weights = positive.astype(np.float64) if weights is None else np.where(positive, weights, 0.0)
    false_weights = (~positive).astype(np.float64) if weights is None else np.where(positive, 0.0, weights)
    if evenly:
        tp, fp = _bucket_counts(y_pred, true_weights, false_weights, thresholds, dtype)
    else:
        above = y_pred[np.newaxis] > np.asarray(thresholds, dtype=dtype).reshape((-1,) + (1,) * y_pred.ndim)
        tp = np.sum(np.where(above, true_weights, 0.0), axis=1)
        fp = np.sum(np.where(above, false_weights, 0.0), axis=1)
    counts = {"tp": tp, "fp": fp}
    if "fn" in wanted:
        counts["fn"] = np.sum(true_weights, axis=0) - tp
    if "tn" in wanted:
        counts["tn"] = np.sum(false_weights, axis=0) - fp
    return {key: counts[key] for key in wanted}


def _bucket_counts(y_pred, true_weights, false_weights, thresholds, dtype):
    """(tp, fp) at evenly spaced thresholds from one pass over the predictions."""
    count = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    clipped = np.minimum(np.maximum(y_pred, 0.0), 1.0).astype(dtype, copy=False)
    buckets = np.ceil(clipped * np.asarray(count - 1, dtype=dtype)) - 1
    if with_epsilon:
        buckets = np.maximum(buckets, 0)
    buckets = buckets.astype(np.intp)
    # A prediction in no bucket (p = 0 without the epsilon thresholds) is above none of them.
    keep = buckets >= 0
    if y_pred.ndim == 1:
        tp = np.bincount(buckets[keep], weights=true_weights[keep], minlength=count)
        fp = np.bincount(buckets[keep], weights=false_weights[keep], minlength=count)
    else:
        columns = y_pred.shape[1]
        ids = (buckets * columns + np.arange(columns))[keep]
        tp = np.bincount(ids, weights=true_weights[keep], minlength=count * columns).reshape(count, columns)
        fp = np.bincount(ids, weights=false_weights[keep], minlength=count * columns).reshape(count, columns)
    # Above threshold i: every bucket from i up.
    return np.cumsum(tp[::-1], axis=0)[::-1], np.cumsum(fp[::-1], axis=0)[::-1]


def _filter_top_k(y_pred, k):
    """`y_pred` with all but each row's k largest values (the first on ties) set to NEG_INF."""
    order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(y_pred.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, y_pred, np.asarray(NEG_INF, dtype=y_pred.dtype))


def _match_rank_no_expand(x1, x2):
    """Keras' squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=False)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        x1 = x1[..., 0]
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        x2 = x2[..., 0]
    return x1, x2


def _evenly_distributed(thresholds):
    """Keras' test for the bucketed counts: at least 3 thresholds, within eps of i / (n - 1)."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _parse_thresholds(thresholds, default, kind):
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    bad = [value for value in values
           if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
           or not 0 <= value <= 1]
    if bad or not values:
        raise ValueError(
            f"{kind} expects thresholds to be a number or a list of numbers in [0, 1]. "
            f"Received: thresholds={thresholds!r}"
        )
    return [float(value) for value in values]


def _divide_no_nan(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0."""
    numerator, denominator = np.asarray(numerator, np.float64), np.asarray(denominator, np.float64)
    return np.divide(numerator, denominator, out=np.zeros(np.broadcast(numerator, denominator).shape),
                     where=denominator != 0)


def _single(values):
    return Scalar(float(values[0])) if len(values) == 1 else wrap(values)


def _samplewise(values, sample_weight):
    """Keras' reduce_to_samplewise_values: (weighted per-sample values, their weights or None)."""
    values = np.asarray(values, dtype=np.float64)
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64)
        values, weights = losses._match_rank(values, weights)
        if values.ndim > weights.ndim:
            values = np.mean(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {np.shape(sample_weight)} cannot be broadcast to the metric's "
                f"values of shape {values.shape}."
            ) from None
        values = values * weights
        if weights.ndim > 1:
            weights = np.mean(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = np.mean(values, axis=tuple(range(1, values.ndim)))
    return values, weights


def _snake_case(name):
    """Keras' to_snake_case: 'SparseCategoricalAccuracy' -> 'sparse_categorical_accuracy', 'AUC' -> 'auc'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _number(value, argument, kind):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise ValueError(f"{kind} expects {argument} to be a number. Received: {argument}={value!r}")
    return float(value)


def _positive_int(value, argument, kind):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{kind} expects {argument} to be a positive integer. Received: {argument}={value!r}")
    return int(value)


def _non_negative_int(value, argument, kind):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{kind} expects {argument} to be a non-negative integer. Received: {argument}={value!r}")
    return int(value)


# Lookup ----------------------------------------------------------------------------------------


_CLASSES = (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy, Precision, Recall, AUC, MeanSquaredError, MeanAbsoluteError)
# Keras' names: each class under its own name and in snake case, and the short aliases.
_REGISTRY = {cls.__name__: cls for cls in _CLASSES}
_REGISTRY.update({_snake_case(cls.__name__): cls for cls in _CLASSES})
_REGISTRY.update({"mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError,
                  "MAE": MeanAbsoluteError})
# The functions a compiled metric may be given, and the metric object each stands for.
_FUNCTIONS = {
    categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy,
    binary_accuracy: BinaryAccuracy,
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    losses.mean_squared_error: MeanSquaredError,
    losses.mean_absolute_error: MeanAbsoluteError,
}


def get(identifier):
    """A metric object from a name ('auc', 'Precision', 'mse', ...), a Metric class (made with
    its defaults) or a Metric object (returned as it is); a function is returned as it is."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        if identifier not in _REGISTRY:
            raise ValueError(
                f"Unknown metric: {identifier!r}. Expected 'accuracy' or one of {sorted(_REGISTRY)}."
            )
        return _REGISTRY[identifier]()
    if callable(identifier):
        return identifier
    raise TypeError(f"A metric must be a name, a function or a Metric. Received: {identifier!r}")


def serialize(metric):
    """A compile entry as data: a name stays a name; a metric object of a registered class
    becomes {'class_name', 'config'}; anything else (a function, an unregistered object) None."""
    if isinstance(metric, str):
        return metric
    if isinstance(metric, Metric) and _REGISTRY.get(type(metric).__name__) is type(metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return None


def deserialize(entry):
    """The compile entry `serialize` wrote, through the registry (never an import path); a
    name or a metric object is returned as it is."""
    if isinstance(entry, (str, Metric)):
        return entry
    if not (isinstance(entry, dict) and isinstance(entry.get("class_name"), str)
            and isinstance(entry.get("config", {}), dict)):
        raise ValueError(f"A metric entry must be a name or {{'class_name', 'config'}}. Received: {entry!r}")
    class_name = entry["class_name"]
    if class_name not in _REGISTRY or _REGISTRY[class_name].__name__ != class_name:
        raise ValueError(f"Unknown metric class: {class_name!r}. Expected one of "
                         f"{sorted(cls.__name__ for cls in _CLASSES)}.")
    return _REGISTRY[class_name].from_config(entry.get("config", {}))


def resolve(identifier, loss, num_outputs):
    """The metric object for one entry of `compile(metrics=...)`, its `name` the history key:
    the string itself for a name, the function's name for a function, the object's own name."""
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        if loss.name == "binary_crossentropy" or num_outputs == 1:
            return BinaryAccuracy(name=identifier)
        if loss.name == "sparse_categorical_crossentropy":
            return SparseCategoricalAccuracy(name=identifier)
        return CategoricalAccuracy(name=identifier)
    if isinstance(identifier, str):
        metric = get(identifier)
        metric.name = identifier
        return metric
    if isinstance(identifier, Metric) or (isinstance(identifier, type) and issubclass(identifier, Metric)):
        return get(identifier)
    if all(hasattr(identifier, method) for method in ("update_state", "result", "reset_state", "name")):
        return identifier
    if not callable(identifier):
        raise TypeError(f"A metric must be a name, a function or a Metric. Received: {identifier!r}")
    name = getattr(identifier, "__name__", "metric")
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier](name=name)
    return MeanMetricWrapper(identifier, name=name)
