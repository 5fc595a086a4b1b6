"""Convolution's memory work: im2col going forward, col2im going back (NHWC, channels last).

A 2-D convolution of x (N, H, W, C) with a kernel (kh, kw, C, F) is one matrix product once
every output pixel's receptive field is laid out as a row:

    cols[(n, i, j), (a, b, c)] = x[n, i*sh - top + a*dh, j*sw - left + b*dw, c]   (0 outside)
    out = cols @ kernel.reshape(kh*kw*C, F)            -> (N*oh*ow, F), already NHWC

Channels vary fastest within a patch row, as they do in the kernel's (kh, kw, C, F) layout,
so neither the kernel nor the output needs a transpose. Going back, the columns' gradient
dcols = grad @ kernel_matrix.T is scattered and summed into the input's pixels (col2im).
Padding is never materialised: positions outside the image read as zero and receive nothing.

With few channels (a first layer on grey or colour images) a patch row is a handful of
scattered values; `im2col_taps` writes the same columns transposed, one row per kernel tap
(a, b, c), in which each image row's outputs are contiguous. The products take either layout
at the same speed (BLAS reads a transposed operand in place).

The compiled loops run over long contiguous runs (a window row of kw*C values when the
dilation is 1) and compute their offsets as unsigned integers: Numba indexes with those
without its check for negative indices, which otherwise stays in every iteration and keeps
the loop scalar (the tap rows of a 128 x 28 x 28 x 1 batch under 3x3 windows: 0.36 ms against
0.90 ms with signed offsets, one thread).
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from neurona.kernels import kernel
from neurona.kernels._compile import compiled, prange


def _padded(x, top, left, oh, ow, kh, kw, sh, sw, dh, dw, fill=0.0):
    """x with `fill` around it, large enough for every window (the reference's padding)."""
    n, h, w, c = x.shape
    need_h = (oh - 1) * sh + (kh - 1) * dh + 1
    need_w = (ow - 1) * sw + (kw - 1) * dw + 1
    bottom, right = max(0, need_h - h - top), max(0, need_w - w - left)
    if not (top or left or bottom or right):
        return x
    padded = np.full((n, top + h + bottom, left + w + right, c), fill, dtype=x.dtype)
    padded[:, top:top + h, left:left + w] = x
    return padded


def windows(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow, fill=0.0):
    """A read-only view (N, oh, ow, kh, kw, C) of every window of x, padded with `fill`."""
    padded = _padded(x, top, left, oh, ow, kh, kw, sh, sw, dh, dw, fill)
    s_n, s_h, s_w, s_c = padded.strides
    return as_strided(padded, shape=(x.shape[0], oh, ow, kh, kw, x.shape[3]),
                      strides=(s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)


def im2col_numpy(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow, cols):
    """Fill cols (N*oh*ow, kh*kw*C) with the receptive fields of x (N, H, W, C); both
    C-contiguous."""
    view = windows(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow)
    cols.reshape(view.shape)[...] = view


@kernel(im2col_numpy)
@compiled(parallel=True)
def im2col(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow, cols):
    n_samples, height, width, channels = x.shape
    span = kw * channels  # one window row: kw pixels of C channels
    depth = kh * span
    source, target = x.reshape(-1), cols.reshape(-1)
    for n in prange(n_samples):
        for i in range(oh):
            for j in range(ow):
                row = ((n * oh + i) * ow + j) * depth
                z0 = j * sw - left
                inside = z0 >= 0 and z0 + (kw - 1) * dw < width
                for a in range(kh):
                    y = i * sh - top + a * dh
                    start = np.uint64(row + a * span)
                    if y < 0 or y >= height:
                        for t in range(span):
                            target[start + np.uint64(t)] = 0.0
                        continue
                    line = ((n * height + y) * width) * channels
                    if inside and dw == 1:
                        # The window row is one run of kw*C values in the image.
                        first = np.uint64(line + z0 * channels)
                        for t in range(span):
                            target[start + np.uint64(t)] = source[first + np.uint64(t)]
                        continue
                    for b in range(kw):
                        z = z0 + b * dw
                        cell = start + np.uint64(b * channels)
                        if 0 <= z < width:
                            first = np.uint64(line + z * channels)
                            for c in range(channels):
                                target[cell + np.uint64(c)] = source[first + np.uint64(c)]
                        else:
                            for c in range(channels):
                                target[cell + np.uint64(c)] = 0.0


def im2col_taps_numpy(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow, taps):
    """Fill taps (kh*kw*C, N*oh*ow), C-contiguous, with im2col's columns transposed:
    taps[(a, b, c), (n, i, j)] = cols[(n, i, j), (a, b, c)]."""
    view = windows(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow)
    n, _, _, _, _, channels = view.shape
    taps.reshape(kh, kw, channels, n, oh, ow)[...] = view.transpose(3, 4, 5, 0, 1, 2)


@kernel(im2col_taps_numpy)
@compiled(parallel=True)
def im2col_taps(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow, taps):
    n_samples, height, width, channels = x.shape
    pixels = n_samples * oh * ow
    source, target = x.reshape(-1), taps.reshape(-1)
    for n in prange(n_samples):
        for a in range(kh):
            for b in range(kw):
                # The outputs j whose pixel j*sw + offset lies inside the image.
                offset = b * dw - left
                first = min(ow, 0 if offset >= 0 else (sw - 1 - offset) // sw)
                last = max(first, min(ow, (width - 1 - offset) // sw + 1))
                for c in range(channels):
                    tap = ((a * kw + b) * channels + c) * pixels
                    for i in range(oh):
                        y = i * sh - top + a * dh
                        start = np.uint64(tap + (n * oh + i) * ow)
                        if y < 0 or y >= height:
                            for j in range(ow):
                                target[start + np.uint64(j)] = 0.0
                            continue
                        line = ((n * height + y) * width + offset) * channels + c
                        for j in range(first):
                            target[start + np.uint64(j)] = 0.0
                        for j in range(first, last):
                            target[start + np.uint64(j)] = source[np.uint64(line + j * sw * channels)]
                        for j in range(last, ow):
                            target[start + np.uint64(j)] = 0.0


def col2im_numpy(dcols, kh, kw, sh, sw, dh, dw, top, left, oh, ow, dx):
    """dx (N, H, W, C) = the sum, over every window that read a pixel, of its gradient in
    dcols (N*oh*ow, kh*kw*C): im2col's adjoint. dx is overwritten; both C-contiguous."""
    n, h, w, c = dx.shape
    need_h = (oh - 1) * sh + (kh - 1) * dh + 1
    need_w = (ow - 1) * sw + (kw - 1) * dw + 1
    if top == 0 and left == 0 and need_h <= h and need_w <= w:
        padded = dx  # every window inside the image: add straight into it
        padded[...] = 0
    else:
        padded = np.zeros((n, max(h + top, need_h), max(w + left, need_w), c), dtype=dx.dtype)
    grads = dcols.reshape(n, oh, ow, kh, kw, c)
    for a in range(kh):
        for b in range(kw):
            padded[:, a * dh:a * dh + (oh - 1) * sh + 1:sh, b * dw:b * dw + (ow - 1) * sw + 1:sw] += grads[:, :, :, a, b]
    if padded is not dx:
        dx[...] = padded[:, top:top + h, left:left + w]


@kernel(col2im_numpy)
@compiled(parallel=True)
def col2im(dcols, kh, kw, sh, sw, dh, dw, top, left, oh, ow, dx):
    n_samples, height, width, channels = dx.shape
    span = kw * channels
    depth = kh * span
    image = height * width * channels
    source, target = dcols.reshape(-1), dx.reshape(-1)
    for n in prange(n_samples):
        # One sample at a time: its pixels stay in cache while the windows over them add in.
        sample = np.uint64(n * image)
        for t in range(image):
            target[sample + np.uint64(t)] = 0.0
        for i in range(oh):
            for j in range(ow):
                row = ((n * oh + i) * ow + j) * depth
                z0 = j * sw - left
                inside = z0 >= 0 and z0 + (kw - 1) * dw < width
                for a in range(kh):
                    y = i * sh - top + a * dh
                    if y < 0 or y >= height:
                        continue
                    start = np.uint64(row + a * span)
                    line = ((n * height + y) * width) * channels
                    if inside and dw == 1:
                        first = np.uint64(line + z0 * channels)
                        for t in range(span):
                            target[first + np.uint64(t)] += source[start + np.uint64(t)]
                        continue
                    for b in range(kw):
                        z = z0 + b * dw
                        if 0 <= z < width:
                            first = np.uint64(line + z * channels)
                            cell = start + np.uint64(b * channels)
                            for c in range(channels):
                                target[first + np.uint64(c)] += source[cell + np.uint64(c)]
