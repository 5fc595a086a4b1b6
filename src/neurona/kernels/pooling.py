"""2-D max and average pooling over NHWC arrays, forward and back.

Windows are (ph, pw) with strides (sh, sw); `top` and `left` are the padding before the
image ('same' puts the odd pixel after it). Max pooling treats padding as -inf and keeps,
for each output, the position k = a*pw + b of its maximum within its window (the first one
on ties, as argmax does), which is all its backward pass needs. Average pooling divides by
the number of real pixels in each window, so padding never dilutes an edge.
"""

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled, prange
from neurona.kernels.conv import windows


def max_pool_forward_numpy(x, ph, pw, sh, sw, top, left, out, argmax):
    """out (N, oh, ow, C) = each window's maximum; argmax (same shape, int) its position."""
    n, oh, ow, c = out.shape
    view = windows(x, ph, pw, sh, sw, 1, 1, top, left, oh, ow, fill=-np.inf)
    flat = view.reshape(n, oh, ow, ph * pw, c)
    argmax[...] = np.argmax(flat, axis=3)
    out[...] = np.take_along_axis(flat, argmax[:, :, :, np.newaxis, :], axis=3)[:, :, :, 0]


@kernel(max_pool_forward_numpy)
@compiled(parallel=True)
def max_pool_forward(x, ph, pw, sh, sw, top, left, out, argmax):
    n_samples, height, width, channels = x.shape
    _, oh, ow, _ = out.shape
    for n in prange(n_samples):
        for i in range(oh):
            for j in range(ow):
                for c in range(channels):
                    out[n, i, j, c] = -np.inf
                    argmax[n, i, j, c] = 0
                for a in range(ph):
                    y = i * sh - top + a
                    if y < 0 or y >= height:
                        continue
                    for b in range(pw):
                        z = j * sw - left + b
                        if z < 0 or z >= width:
                            continue
                        k = a * pw + b
                        for c in range(channels):
                            value = x[n, y, z, c]
                            # `not <=` so that a NaN wins, as np.argmax lets it.
                            if not value <= out[n, i, j, c]:
                                out[n, i, j, c] = value
                                argmax[n, i, j, c] = k


def max_pool_backward_numpy(grad, argmax, ph, pw, sh, sw, top, left, dx):
    """dx (N, H, W, C) = each output's gradient sent to the pixel its maximum came from
    (summed where windows overlap). dx is overwritten."""
    n, h, w, c = dx.shape
    _, oh, ow, _ = grad.shape
    padded = np.zeros((n, max(h + top, (oh - 1) * sh + ph), max(w + left, (ow - 1) * sw + pw), c), dtype=dx.dtype)
    for a in range(ph):
        for b in range(pw):
            chosen = np.where(argmax == a * pw + b, grad, 0)
            padded[:, a:a + (oh - 1) * sh + 1:sh, b:b + (ow - 1) * sw + 1:sw] += chosen
    dx[...] = padded[:, top:top + h, left:left + w]


@kernel(max_pool_backward_numpy)
@compiled(parallel=True)
def max_pool_backward(grad, argmax, ph, pw, sh, sw, top, left, dx):
    n_samples, oh, ow, channels = grad.shape
    for n in prange(n_samples):
        dx[n] = 0.0
        for i in range(oh):
            for j in range(ow):
                for c in range(channels):
                    k = argmax[n, i, j, c]
                    y = i * sh - top + k // pw
                    z = j * sw - left + k % pw
                    dx[n, y, z, c] += grad[n, i, j, c]


def window_counts(height, width, ph, pw, sh, sw, top, left, oh, ow):
    """(oh, ow) numbers of real pixels in each window: average pooling's divisors."""
    rows = np.arange(oh) * sh - top
    cols = np.arange(ow) * sw - left
    count_h = np.minimum(rows + ph, height) - np.maximum(rows, 0)
    count_w = np.minimum(cols + pw, width) - np.maximum(cols, 0)
    return np.outer(count_h, count_w)


def avg_pool_forward_numpy(x, ph, pw, sh, sw, top, left, out):
    """out (N, oh, ow, C) = each window's mean over its real pixels."""
    n, oh, ow, c = out.shape
    view = windows(x, ph, pw, sh, sw, 1, 1, top, left, oh, ow)
    counts = window_counts(x.shape[1], x.shape[2], ph, pw, sh, sw, top, left, oh, ow)
    np.divide(view.sum(axis=(3, 4)), counts[:, :, np.newaxis].astype(x.dtype), out=out)


@kernel(avg_pool_forward_numpy)
@compiled(parallel=True)
def avg_pool_forward(x, ph, pw, sh, sw, top, left, out):
    n_samples, height, width, channels = x.shape
    _, oh, ow, _ = out.shape
    for n in prange(n_samples):
        for i in range(oh):
            y0, y1 = max(i * sh - top, 0), min(i * sh - top + ph, height)
            for j in range(ow):
                z0, z1 = max(j * sw - left, 0), min(j * sw - left + pw, width)
                for c in range(channels):
                    out[n, i, j, c] = 0.0
                for y in range(y0, y1):
                    for z in range(z0, z1):
                        for c in range(channels):
                            out[n, i, j, c] += x[n, y, z, c]
                scale = 1.0 / ((y1 - y0) * (z1 - z0))
                for c in range(channels):
                    out[n, i, j, c] *= scale


def avg_pool_backward_numpy(grad, ph, pw, sh, sw, top, left, dx):
    """dx (N, H, W, C): each output's gradient shared equally by its window's real pixels.
    dx is overwritten."""
    n, h, w, c = dx.shape
    _, oh, ow, _ = grad.shape
    counts = window_counts(h, w, ph, pw, sh, sw, top, left, oh, ow)
    share = grad / counts[:, :, np.newaxis].astype(grad.dtype)
    padded = np.zeros((n, max(h + top, (oh - 1) * sh + ph), max(w + left, (ow - 1) * sw + pw), c), dtype=dx.dtype)
    for a in range(ph):
        for b in range(pw):
            padded[:, a:a + (oh - 1) * sh + 1:sh, b:b + (ow - 1) * sw + 1:sw] += share
    dx[...] = padded[:, top:top + h, left:left + w]


@kernel(avg_pool_backward_numpy)
@compiled(parallel=True)
def avg_pool_backward(grad, ph, pw, sh, sw, top, left, dx):
    n_samples, height, width, channels = dx.shape
    _, oh, ow, _ = grad.shape
    for n in prange(n_samples):
        dx[n] = 0.0
        for i in range(oh):
            y0, y1 = max(i * sh - top, 0), min(i * sh - top + ph, height)
            for j in range(ow):
                z0, z1 = max(j * sw - left, 0), min(j * sw - left + pw, width)
                scale = 1.0 / ((y1 - y0) * (z1 - z0))
                for y in range(y0, y1):
                    for z in range(z0, z1):
                        for c in range(channels):
                            dx[n, y, z, c] += grad[n, i, j, c] * scale
