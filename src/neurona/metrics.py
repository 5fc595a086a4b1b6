"""Metrics reported during training: batch means, averaged over an epoch by batch size.

`resolve` turns what `compile(metrics=[...])` receives into (name, function) pairs. As in
Keras, 'accuracy' (or 'acc') becomes binary, sparse categorical or categorical accuracy
depending on the loss and the output width.
"""

import numpy as np


def categorical_accuracy(y_true, y_pred):
    """Fraction of rows whose largest prediction is at the one-hot target's position."""
    return np.count_nonzero(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)) / len(y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """Fraction of rows whose largest prediction is at the integer target."""
    labels = np.asarray(y_true).reshape(-1)
    return np.count_nonzero(np.argmax(y_pred, axis=-1) == labels) / len(y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of outputs on the same side of `threshold` as the target."""
    y_true = np.asarray(y_true).reshape(y_pred.shape)
    return np.count_nonzero((y_pred > threshold) == (y_true > threshold)) / y_pred.size


def mean_squared_error(y_true, y_pred):
    return float(np.mean(np.square(y_pred - np.asarray(y_true).reshape(y_pred.shape))))


def mean_absolute_error(y_true, y_pred):
    return float(np.mean(np.abs(y_pred - np.asarray(y_true).reshape(y_pred.shape))))


_REGISTRY = {
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}


def resolve(identifier, loss, num_outputs):
    """(history name, function) for one entry of `compile(metrics=...)`."""
    if callable(identifier) and not isinstance(identifier, str):
        return getattr(identifier, "__name__", "metric"), identifier
    if not isinstance(identifier, str):
        raise TypeError(f"A metric must be a name or a function. Received: {identifier!r}")
    if identifier in ("accuracy", "acc"):
        if loss.name == "binary_crossentropy" or num_outputs == 1:
            return identifier, binary_accuracy
        if loss.name == "sparse_categorical_crossentropy":
            return identifier, sparse_categorical_accuracy
        return identifier, categorical_accuracy
    if identifier not in _REGISTRY:
        raise ValueError(
            f"Unknown metric: {identifier!r}. Expected 'accuracy' or one of {sorted(_REGISTRY)}."
        )
    return identifier, _REGISTRY[identifier]
