"""`tf.nn`'s functions that the beginner tutorials call: softmax, log_softmax, relu, sigmoid.

They take arrays (or Tensors) of any shape and return Tensors; the formulas are the engine's
own (`kernels.activations`), computed in the input's float type (float32 for integers).
"""

import numpy as np

from neurona.kernels import activations as formulas
from neurona.tensors import Tensor


def _floats(x):
    array = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float32)
    return array


def _along_last(function, x, axis):
    """Apply a last-axis `function` along `axis`."""
    array = _floats(x)
    moved = np.ascontiguousarray(np.moveaxis(array, axis, -1))
    result = function(moved.reshape(-1, moved.shape[-1]) if moved.ndim != 2 else moved)
    return np.moveaxis(result.reshape(moved.shape), -1, axis).view(Tensor)


def softmax(logits, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, stable for large logits."""
    return _along_last(lambda rows: formulas.softmax(rows), logits, axis)


def log_softmax(logits, axis=-1):
    """x - log(sum(exp(x))) along `axis`, without forming the probabilities."""
    def rows(values):
        shifted = values - values.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    return _along_last(rows, logits, axis)


def relu(features):
    return formulas.relu(_floats(features)).view(Tensor)


def sigmoid(x):
    return formulas.sigmoid(_floats(x)).view(Tensor)
