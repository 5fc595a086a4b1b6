"""The activations' maths in NumPy, and the codes by which fused kernels name them.

`neurona.activations` wraps these functions in Keras' API; the dense and loss kernels fuse
them with a bias, a derivative or a loss, and their NumPy references call them, so each
formula is written once in NumPy (and once, inline, in each compiled loop that fuses it).
Shapes: any, elementwise, except softmax, which normalises over the last axis.
"""

import math

import numpy as np

from neurona.kernels._compile import compiled

# Activations the fused kernels compute in their loops; any other one runs its own NumPy
# methods around the kernels.
LINEAR, RELU, SIGMOID, TANH, SOFTMAX = 0, 1, 2, 3, 4
CODES = {"linear": LINEAR, "relu": RELU, "sigmoid": SIGMOID, "tanh": TANH, "softmax": SOFTMAX}


def relu(x, out=None):
    """max(x, 0)."""
    return np.maximum(x, 0, out=out)


def relu_derivative_times(grad, y, out=None):
    """grad * relu'(x), from the output y = relu(x): 1 where y > 0 (0 at x = 0)."""
    return np.multiply(grad, y > 0, out=out)


def sigmoid(x, out=None):
    """1 / (1 + exp(-x)) without overflow: exp(-|x|) never overflows; then 1 / (1 + e) for
    x >= 0 and e / (1 + e) for x < 0."""
    negative = x < 0
    exp_neg_abs = np.exp(-np.abs(x))
    if out is None:
        # An array even for 0-d input, so the masked multiply below can write into it.
        out = np.empty(np.shape(x), dtype=exp_neg_abs.dtype)
    np.divide(1.0, 1.0 + exp_neg_abs, out=out)
    np.multiply(out, exp_neg_abs, out=out, where=negative)
    return out


def sigmoid_derivative_times(grad, y, out=None):
    """grad * y * (1 - y), y = sigmoid(x)."""
    return np.multiply(grad, y * (1.0 - y), out=out)


def tanh(x, out=None):
    return np.tanh(x, out=out)


def tanh_derivative_times(grad, y, out=None):
    """grad * (1 - y^2), y = tanh(x)."""
    return np.multiply(grad, 1.0 - y * y, out=out)


def linear(x, out=None):
    if out is None:
        return x.copy()
    if out is not x:
        np.copyto(out, x)
    return out


def linear_derivative_times(grad, y, out=None):
    return linear(grad, out)


def softmax(x, out=None):
    """exp(x_i) / sum_j exp(x_j) over the last axis, shifted by the row maximum for stability."""
    out = np.subtract(x, x.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


FORWARD = {LINEAR: linear, RELU: relu, SIGMOID: sigmoid, TANH: tanh, SOFTMAX: softmax}
DERIVATIVE_TIMES = {LINEAR: linear_derivative_times, RELU: relu_derivative_times,
                    SIGMOID: sigmoid_derivative_times, TANH: tanh_derivative_times}


@compiled()
def softmax_row(out, i):
    """Compiled helper: row i of `out`, holding logits, becomes their softmax, in place
    (shifted by the row maximum, so exp never overflows). Returns nothing."""
    columns = out.shape[1]
    largest = out[i, 0]
    for j in range(1, columns):
        largest = max(largest, out[i, j])
    total = 0.0
    for j in range(columns):
        value = math.exp(out[i, j] - largest)
        out[i, j] = value
        total += value
    scale = 1.0 / total
    for j in range(columns):
        out[i, j] *= scale
