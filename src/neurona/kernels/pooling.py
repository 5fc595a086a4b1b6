"""2-D max and average pooling over NHWC arrays, forward and back.

Windows are (ph, pw) with strides (sh, sw); `top` and `left` are the padding before the
image ('same' puts the odd pixel after it). Max pooling treats padding as -inf and keeps,
for each output, the position k = a*pw + b of its maximum within its window (the first one
on ties, as argmax does), which is all its backward pass needs. Average pooling divides by
the number of real pixels in each window, so padding never dilutes an edge.

The compiled loops run over the channels, contiguous in NHWC, with unsigned offsets (see
`kernels.conv`), so that they vectorise. A 2x2 window inside the image, the usual pooling,
reads its four pixels in one loop over the channels instead of one loop per pixel: with 32
channels, a loop's set-up costs as much as its work (128 x 26 x 26 x 32 floats forward: 1.2-1.4
ms against 2.8 ms, one thread).
"""

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled, prange
from neurona.kernels.conv import windows


def max_pool_forward_numpy(x, ph, pw, sh, sw, top, left, out, argmax):
    """out (N, oh, ow, C) = each window's maximum (NaN if it holds one); argmax (same shape,
    int) its position, the first of equal maxima or the first NaN, as np.argmax picks them."""
    _, oh, ow, _ = out.shape
    view = windows(x, ph, pw, sh, sw, 1, 1, top, left, oh, ow, fill=-np.inf)
    positions = [view[:, :, :, k // pw, k % pw] for k in range(ph * pw)]
    out[...] = positions[0]
    for value in positions[1:]:
        np.maximum(out, value, out=out)  # NaN propagates
    with_nan = np.isnan(out).any()
    argmax[...] = 0
    found = None
    for k, value in enumerate(positions):
        hit = value == out
        if with_nan:
            hit |= value != value
        if found is None:
            found = hit
            continue
        hit &= ~found
        argmax += hit * argmax.dtype.type(k)
        found |= hit


@compiled()
def _wins(value, best):
    """Whether `value` replaces `best` as a window's maximum: when larger, or NaN while best
    is not (np.argmax keeps the first NaN and the first of equal maxima)."""
    return not value <= best and best == best


@kernel(max_pool_forward_numpy)
@compiled(parallel=True)
def max_pool_forward(x, ph, pw, sh, sw, top, left, out, argmax):
    n_samples, height, width, channels = x.shape
    _, oh, ow, _ = out.shape
    source, target, where = x.reshape(-1), out.reshape(-1), argmax.reshape(-1)
    row, pixel = np.uint64(width * channels), np.uint64(channels)
    for n in prange(n_samples):
        for i in range(oh):
            for j in range(ow):
                cell = np.uint64(((n * oh + i) * ow + j) * channels)
                y0, z0 = i * sh - top, j * sw - left
                if ph == 2 and pw == 2 and y0 >= 0 and y0 + 1 < height and z0 >= 0 and z0 + 1 < width:
                    corner = np.uint64(((n * height + y0) * width + z0) * channels)
                    for c in range(channels):
                        at = corner + np.uint64(c)
                        best, k = source[at], 0
                        value = source[at + pixel]
                        wins = _wins(value, best)
                        best, k = (value, 1) if wins else (best, k)
                        value = source[at + row]
                        wins = _wins(value, best)
                        best, k = (value, 2) if wins else (best, k)
                        value = source[at + row + pixel]
                        wins = _wins(value, best)
                        best, k = (value, 3) if wins else (best, k)
                        target[cell + np.uint64(c)] = best
                        where[cell + np.uint64(c)] = k
                    continue
                for c in range(channels):
                    out[n, i, j, c] = -np.inf
                    argmax[n, i, j, c] = 0
                for a in range(ph):
                    y = y0 + a
                    if y < 0 or y >= height:
                        continue
                    for b in range(pw):
                        z = z0 + b
                        if z < 0 or z >= width:
                            continue
                        k = a * pw + b
                        for c in range(channels):
                            value, best = x[n, y, z, c], out[n, i, j, c]
                            wins = _wins(value, best)
                            out[n, i, j, c] = value if wins else best
                            argmax[n, i, j, c] = k if wins else argmax[n, i, j, c]


def max_pool_backward_numpy(grad, argmax, ph, pw, sh, sw, top, left, dx):
    """dx (N, H, W, C) = each output's gradient sent to the pixel its maximum came from
    (summed where windows overlap). dx is overwritten."""
    n, h, w, c = dx.shape
    _, oh, ow, _ = grad.shape
    padded = _scatter_target(dx, top, left, (oh - 1) * sh + ph, (ow - 1) * sw + pw)
    disjoint = sh >= ph and sw >= pw  # no pixel in two windows: each position's share is written
    for a in range(ph):
        for b in range(pw):
            cells = padded[:, a:a + (oh - 1) * sh + 1:sh, b:b + (ow - 1) * sw + 1:sw]
            if disjoint:
                cells[...] = np.where(argmax == a * pw + b, grad, 0)
            else:
                cells += np.where(argmax == a * pw + b, grad, 0)
    if padded is not dx:
        dx[...] = padded[:, top:top + h, left:left + w]


def _scatter_target(dx, top, left, need_h, need_w):
    """Zeros to add windows' gradients into: dx itself when every window lies inside the
    image, else a padded array (the caller copies the image back out of it)."""
    n, h, w, c = dx.shape
    if top == 0 and left == 0 and need_h <= h and need_w <= w:
        dx[...] = 0
        return dx
    return np.zeros((n, max(h + top, need_h), max(w + left, need_w), c), dtype=dx.dtype)


@kernel(max_pool_backward_numpy)
@compiled(parallel=True)
def max_pool_backward(grad, argmax, ph, pw, sh, sw, top, left, dx):
    n_samples, height, width, channels = dx.shape
    _, oh, ow, _ = grad.shape
    source, where, target = grad.reshape(-1), argmax.reshape(-1), dx.reshape(-1)
    image = height * width * channels
    # Windows that never overlap write each pixel they cover once, and those that tile the
    # image exactly (2x2 at stride 2 over an even size) leave nothing to clear first;
    # otherwise a sample is cleared, then its windows add into it.
    disjoint = sh >= ph and sw >= pw
    tiles = disjoint and sh == ph and sw == pw and top == 0 and left == 0 and oh * sh == height and ow * sw == width
    for n in prange(n_samples):
        if not tiles:
            sample = np.uint64(n * image)
            for t in range(image):
                target[sample + np.uint64(t)] = 0.0
        for i in range(oh):
            for j in range(ow):
                cell = np.uint64(((n * oh + i) * ow + j) * channels)
                y0, z0 = i * sh - top, j * sw - left
                for a in range(ph):
                    y = y0 + a
                    if y < 0 or y >= height:
                        continue
                    for b in range(pw):
                        z = z0 + b
                        if z < 0 or z >= width:
                            continue
                        k = a * pw + b
                        first = np.uint64(((n * height + y) * width + z) * channels)
                        # Each window position takes the channels whose maximum it held: a
                        # select per channel, which vectorises, where following each
                        # channel's argmax to its pixel would not.
                        if disjoint:
                            for c in range(channels):
                                g = source[cell + np.uint64(c)]
                                target[first + np.uint64(c)] = g if where[cell + np.uint64(c)] == k else 0.0
                        else:
                            for c in range(channels):
                                g = source[cell + np.uint64(c)]
                                target[first + np.uint64(c)] += g if where[cell + np.uint64(c)] == k else 0.0


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
    padded = _scatter_target(dx, top, left, (oh - 1) * sh + ph, (ow - 1) * sw + pw)
    for a in range(ph):
        for b in range(pw):
            padded[:, a:a + (oh - 1) * sh + 1:sh, b:b + (ow - 1) * sw + 1:sw] += share
    if padded is not dx:
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
