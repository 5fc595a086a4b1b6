"""Convolution's memory work: im2col going forward, col2im going back (NHWC, channels last).

A 2-D convolution of x (N, H, W, C) with a kernel (kh, kw, C, F) is one matrix product once
every output pixel's receptive field is laid out as a row:

    cols[(n, i, j), (a, b, c)] = x[n, i*sh - top + a*dh, j*sw - left + b*dw, c]   (0 outside)
    out = cols @ kernel.reshape(kh*kw*C, F)            -> (N*oh*ow, F), already NHWC

Channels vary fastest within a patch row, as they do in the kernel's (kh, kw, C, F) layout,
so neither the kernel nor the output needs a transpose. Going back, the columns' gradient
dcols = grad @ kernel_matrix.T is scattered and summed into the input's pixels (col2im).
Padding is never materialised: positions outside the image read as zero and receive nothing.
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
    """Fill cols (N*oh*ow, kh*kw*C) with the receptive fields of x (N, H, W, C)."""
    view = windows(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow)
    cols.reshape(view.shape)[...] = view


@kernel(im2col_numpy)
@compiled(parallel=True)
def im2col(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow, cols):
    n_samples, height, width, channels = x.shape
    for n in prange(n_samples):
        for i in range(oh):
            for j in range(ow):
                row = (n * oh + i) * ow + j
                col = 0
                for a in range(kh):
                    y = i * sh - top + a * dh
                    for b in range(kw):
                        z = j * sw - left + b * dw
                        if 0 <= y < height and 0 <= z < width:
                            for c in range(channels):
                                cols[row, col + c] = x[n, y, z, c]
                        else:
                            for c in range(channels):
                                cols[row, col + c] = 0.0
                        col += channels


def col2im_numpy(dcols, kh, kw, sh, sw, dh, dw, top, left, oh, ow, dx):
    """dx (N, H, W, C) = the sum, over every window that read a pixel, of its gradient in
    dcols (N*oh*ow, kh*kw*C): im2col's adjoint. dx is overwritten."""
    n, h, w, c = dx.shape
    need_h = (oh - 1) * sh + (kh - 1) * dh + 1
    need_w = (ow - 1) * sw + (kw - 1) * dw + 1
    padded = np.zeros((n, max(h + top, need_h), max(w + left, need_w), c), dtype=dx.dtype)
    grads = dcols.reshape(n, oh, ow, kh, kw, c)
    for a in range(kh):
        for b in range(kw):
            padded[:, a * dh:a * dh + (oh - 1) * sh + 1:sh, b * dw:b * dw + (ow - 1) * sw + 1:sw] += grads[:, :, :, a, b]
    dx[...] = padded[:, top:top + h, left:left + w]


@kernel(col2im_numpy)
@compiled(parallel=True)
def col2im(dcols, kh, kw, sh, sw, dh, dw, top, left, oh, ow, dx):
    n_samples, height, width, channels = dx.shape
    for n in prange(n_samples):
        dx[n] = 0.0
        for i in range(oh):
            for j in range(ow):
                row = (n * oh + i) * ow + j
                col = 0
                for a in range(kh):
                    y = i * sh - top + a * dh
                    for b in range(kw):
                        z = j * sw - left + b * dw
                        if 0 <= y < height and 0 <= z < width:
                            for c in range(channels):
                                dx[n, y, z, c] += dcols[row, col + c]
                        col += channels
