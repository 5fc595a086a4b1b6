"""Array helpers under Keras 2's `keras.utils.np_utils` name."""

import numpy as np

from neurona import backend


def to_categorical(y, num_classes=None, dtype=None):
    """One-hot encode integer class labels.

    Args:
        y: integer labels, shape (n,) or (n, 1) (any shape: a class axis is appended).
        num_classes: number of classes; max(y) + 1 when None.
        dtype: of the result; floatx() by default.

    Returns:
        array of shape y.shape + (num_classes,), with a trailing axis of size 1 dropped first.
    """
    y = np.asarray(y)
    if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError("to_categorical expects integer class labels. Received non-integer values.")
    y = y.astype(np.intp)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"to_categorical expects labels in [0, {num_classes - 1}] for num_classes={num_classes}. "
            f"Received labels from {y.min()} to {y.max()}."
        )
    categorical = np.zeros(y.shape + (num_classes,), dtype=dtype or backend.floatx())
    np.put_along_axis(categorical, y[..., None], 1, axis=-1)
    return categorical
