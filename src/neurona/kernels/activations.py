"""The activations' maths in NumPy, and the codes by which fused kernels name them.

`neurona.activations` wraps these functions in Keras' API; the dense and loss kernels fuse
them with a bias, a derivative or a loss, and their NumPy references call them, so each
formula is written once in NumPy (and once, inline, in each compiled loop that fuses it).
Shapes: any, elementwise, except softmax, which normalises over the last axis. `erf` (for GELU,
NumPy has none) is a kernel of its own: a series and a continued fraction in NumPy, libm's erf
in Numba.
"""

import math

import numpy as np

from neurona.kernels import kernel
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


# erf's reference: below ERF_SERIES_BELOW the series, above it the continued fraction; with
# these term counts both are within 2e-15 of math.erf over [-8, 8] (tests/kernels/test_erf.py).
ERF_SERIES_BELOW = 2.5
ERF_SERIES_TERMS = 40
ERF_FRACTION_TERMS = 40


def erf_numpy(x, out):
    """The error function, elementwise, into `out` (x and out 1-d, as the kernel takes them;
    any shape works here; computed in float64).

    For |x| < 2.5, the series of positive terms (no cancellation)
        erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 * 3 * ... * (2n+1));
    above, erfc's continued fraction, evaluated from its 40th level up,
        erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
    and erf = 1 - erfc. erf(-x) = -erf(x); NaN stays NaN.
    """
    a = np.abs(np.asarray(x, dtype=np.float64))
    result = np.empty_like(a)
    near = a < ERF_SERIES_BELOW
    s = a[near]
    ratio = 2.0 * s * s
    term, total = s.copy(), s.copy()
    for n in range(1, ERF_SERIES_TERMS + 1):
        term *= ratio / (2 * n + 1)
        total += term
    result[near] = (2.0 / math.sqrt(math.pi)) * np.exp(-s * s) * total
    t = np.minimum(a[~near], 6.0)  # erf is 1.0 in float64 from 6 on: no overflow or underflow
    fraction = t.copy()
    for k in range(ERF_FRACTION_TERMS, 0, -1):
        fraction = t + (0.5 * k) / fraction
    result[~near] = 1.0 - np.exp(-t * t) / (math.sqrt(math.pi) * fraction)
    return np.copysign(result, x, out=out)


@kernel(erf_numpy)
@compiled()
def erf(x, out):
    # libm's erf (erff for float32), one call per element: within an ulp or two of exact.
    # x and out are 1-d, of the same length and dtype (callers flatten: one compilation per dtype).
    for i in range(x.size):
        out[i] = math.erf(x[i])
    return out
