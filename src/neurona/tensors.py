"""What layers, models and losses return when called directly: arrays with `.numpy()`.

TensorFlow's tutorials write `model(x[:1]).numpy()` and `loss_fn(y, p).numpy()`. neurona
computes with NumPy throughout, so a `Tensor` is an ndarray (every NumPy function takes it,
unchanged) whose `.numpy()` gives the plain array, and a `Scalar` a float whose `.numpy()`
gives a NumPy scalar. `constant` and `convert_to_tensor` make one from data, as `tf.constant`.
"""

import numpy as np


class Tensor(np.ndarray):
    """An ndarray with TensorFlow's `.numpy()`; arithmetic on it gives Tensors again."""

    def numpy(self):
        return self.view(np.ndarray)

    def __repr__(self):
        return f"<Tensor shape={self.shape} dtype={self.dtype}\n{np.asarray(self)!r}>"


class Scalar(float):
    """A float with TensorFlow's `.numpy()` (a loss or metric value)."""

    def numpy(self):
        return np.float64(self)


def wrap(value):
    """`value` as a Tensor (arrays) or Scalar (numbers); lists wrapped item by item."""
    if isinstance(value, list):
        return [wrap(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.view(Tensor)
    if isinstance(value, (float, np.floating)):
        return Scalar(value)
    return value


def constant(value, dtype=None, shape=None, name=None):
    """A Tensor holding `value` (copied), in `dtype` (a NumPy dtype or its name; floats
    default to float32 as in TensorFlow), reshaped (or filled, for a scalar) to `shape`."""
    array = np.array(value.numpy() if hasattr(value, "numpy") else value)
    if dtype is None and array.dtype == np.float64:
        dtype = np.float32
    if dtype is not None:
        array = array.astype(np.dtype(dtype))
    if shape is not None:
        shape = tuple(shape)
        array = np.full(shape, array, dtype=array.dtype) if array.ndim == 0 else array.reshape(shape)
    return array.view(Tensor)


def convert_to_tensor(value, dtype=None, name=None):
    """`value` as a Tensor, without a copy when it already is an array of `dtype`."""
    if isinstance(value, Tensor) and (dtype is None or value.dtype == np.dtype(dtype)):
        return value
    return constant(value, dtype=dtype)
