"""Batch normalisation over the rows of a (M, C) view: M = every position of every sample,
C = the normalised axis (channels).

Training, per column:
    mean = x.mean(0),  var = x.var(0) (biased),  inv_std = 1 / sqrt(var + epsilon)
    out = gamma * (x - mean) * inv_std + beta
Backward, from g = dLoss/dout, with xhat = (x - mean) * inv_std:
    dbeta = g.sum(0),  dgamma = (g * xhat).sum(0)
    dx = gamma * inv_std * (g - dbeta / M - xhat * dgamma / M)
Inference is an affine map per column: out = x * scale + shift.

Statistics are accumulated in float64 whatever the data's type: a float32 sum over 100,000
rows would otherwise lose the variance of nearly constant channels.
"""

import math

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled, prange


def batch_norm_forward_numpy(x, gamma, beta, epsilon, mean, var, inv_std, out):
    """Fill mean, var, inv_std (C,) from x (M, C) and out (M, C) with the normalised rows."""
    mean[...] = x.mean(axis=0, dtype=np.float64)
    centered = x - mean
    var[...] = np.mean(np.square(centered, dtype=np.float64), axis=0)
    inv_std[...] = 1.0 / np.sqrt(var.astype(np.float64) + epsilon)
    np.multiply(centered, inv_std * gamma, out=out)
    out += beta


@kernel(batch_norm_forward_numpy)
@compiled(parallel=True)
def batch_norm_forward(x, gamma, beta, epsilon, mean, var, inv_std, out):
    rows, cols = x.shape
    sums = np.zeros(cols)
    for i in range(rows):
        for j in range(cols):
            sums[j] += x[i, j]
    for j in range(cols):
        sums[j] /= rows
    squares = np.zeros(cols)
    for i in range(rows):
        for j in range(cols):
            d = x[i, j] - sums[j]
            squares[j] += d * d
    scale = np.empty(cols, dtype=x.dtype)
    shift = np.empty(cols, dtype=x.dtype)
    for j in range(cols):
        v = squares[j] / rows
        mean[j] = sums[j]
        var[j] = v
        inv = 1.0 / math.sqrt(v + epsilon)
        inv_std[j] = inv
        scale[j] = gamma[j] * inv
        shift[j] = beta[j] - sums[j] * gamma[j] * inv
    for i in prange(rows):
        for j in range(cols):
            out[i, j] = x[i, j] * scale[j] + shift[j]


def batch_norm_backward_numpy(grad, x, mean, inv_std, gamma, dx, dgamma, dbeta):
    """dgamma, dbeta (C,) and dx (M, C) from grad (M, C); dx is overwritten (it may be grad)."""
    rows = x.shape[0]
    xhat = (x - mean) * inv_std
    dbeta[...] = grad.sum(axis=0, dtype=np.float64)
    dgamma[...] = np.sum(grad * xhat, axis=0, dtype=np.float64)
    np.multiply(gamma * inv_std, grad - dbeta / rows - xhat * (dgamma / rows), out=dx)


@kernel(batch_norm_backward_numpy)
@compiled(parallel=True)
def batch_norm_backward(grad, x, mean, inv_std, gamma, dx, dgamma, dbeta):
    rows, cols = x.shape
    sum_g = np.zeros(cols)
    sum_gx = np.zeros(cols)
    for i in range(rows):
        for j in range(cols):
            g = grad[i, j]
            sum_g[j] += g
            sum_gx[j] += g * ((x[i, j] - mean[j]) * inv_std[j])
    a = np.empty(cols, dtype=x.dtype)
    b = np.empty(cols, dtype=x.dtype)
    for j in range(cols):
        dbeta[j] = sum_g[j]
        dgamma[j] = sum_gx[j]
        a[j] = gamma[j] * inv_std[j]
        b[j] = sum_gx[j] / rows * inv_std[j]
    mean_g = sum_g / rows
    for i in prange(rows):
        for j in range(cols):
            # gamma * inv_std * (g - mean(g) - xhat * mean(g * xhat))
            dx[i, j] = a[j] * (grad[i, j] - mean_g[j] - (x[i, j] - mean[j]) * b[j])


def channel_affine_numpy(x, scale, shift, out):
    """out (M, C) = x * scale + shift, per column: inference-mode batch normalisation."""
    np.multiply(x, scale, out=out)
    out += shift


@kernel(channel_affine_numpy)
@compiled(parallel=True)
def channel_affine(x, scale, shift, out):
    rows, cols = x.shape
    for i in prange(rows):
        for j in range(cols):
            out[i, j] = x[i, j] * scale[j] + shift[j]
