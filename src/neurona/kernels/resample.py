"""One affine resample of a batch of NHWC images, each by its own 2x3 matrix.

Each image n has a matrix (a0, a1, a2, b0, b1, b2), in the order Keras'
`ops.image.affine_transform` takes: the output pixel at column x, row y reads the input at

    x_in = a0 * x + a1 * y + a2,    y_in = b0 * x + b1 * y + b2.

Interpolation is `NEAREST` (the pixel at floor(x_in + 0.5), floor(y_in + 0.5)) or `BILINEAR`
(the four pixels around (x_in, y_in), weighted by distance). A pixel index outside the image
is mapped by the fill mode, index by index (as scipy's and Keras' NumPy and JAX backends do):

- `REFLECT`: d c b a | a b c d | d c b a (reflection about the edge of the last pixel);
- `WRAP`: a b c d | a b c d | a b c d;
- `NEAREST`: a a a a | a b c d | d d d d;
- `CONSTANT`: k k k k | a b c d | k k k k, with k = `fill_value`.

Coordinates and weights are float64 on both paths, and the four neighbours are summed in the
same order, so the paths agree to float32 rounding.
"""

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled

REFLECT, WRAP, CONSTANT, NEAREST = 0, 1, 2, 3
FILL_MODES = {"reflect": REFLECT, "wrap": WRAP, "constant": CONSTANT, "nearest": NEAREST}
INTERPOLATIONS = {"nearest": 0, "bilinear": 1}


def _source_coordinates(matrices, height, width):
    """(x_in, y_in), each (N, H, W) float64: where each output pixel reads the input."""
    rows = np.arange(height, dtype=np.float64)[None, :, None]
    cols = np.arange(width, dtype=np.float64)[None, None, :]
    m = np.asarray(matrices, dtype=np.float64)[:, :, None, None]
    return m[:, 0] * cols + m[:, 1] * rows + m[:, 2], m[:, 3] * cols + m[:, 4] * rows + m[:, 5]


def _map_indices(index, size, fill_mode):
    """Integer pixel indices mapped into [0, size) by the fill mode; -1 where CONSTANT fills."""
    if fill_mode == REFLECT:
        index = np.mod(index, 2 * size)
        return np.where(index < size, index, 2 * size - 1 - index)
    if fill_mode == WRAP:
        return np.mod(index, size)
    if fill_mode == NEAREST:
        return np.clip(index, 0, size - 1)
    return np.where((index >= 0) & (index < size), index, -1)


def _gather(flat, first_pixel, rows, cols, height, width, fill_mode, fill_value):
    """The pixels at (rows, cols) of each image, (N, H, W, C) float64, `fill_value` outside."""
    rows, cols = _map_indices(rows, height, fill_mode), _map_indices(cols, width, fill_mode)
    inside = (rows >= 0) & (cols >= 0)
    values = np.take(flat, first_pixel + np.where(inside, rows * width + cols, 0), axis=0).astype(np.float64)
    if fill_mode == CONSTANT:
        values[~inside] = fill_value
    return values


def affine_resample_numpy(images, matrices, fill_mode, interpolation, fill_value, out):
    """out (N, H, W, C) = images (N, H, W, C) resampled by matrices (N, 6), one per image;
    `fill_mode` and `interpolation` are the codes of FILL_MODES and INTERPOLATIONS."""
    n, height, width, channels = images.shape
    x, y = _source_coordinates(matrices, height, width)
    flat = images.reshape(n * height * width, channels)
    first_pixel = (np.arange(n, dtype=np.intp) * (height * width))[:, None, None]
    if interpolation == 0:
        rows, cols = np.floor(y + 0.5).astype(np.intp), np.floor(x + 0.5).astype(np.intp)
        out[...] = _gather(flat, first_pixel, rows, cols, height, width, fill_mode, fill_value)
        return
    y_floor, x_floor = np.floor(y), np.floor(x)
    fy, fx = (y - y_floor)[..., None], (x - x_floor)[..., None]
    rows, cols = y_floor.astype(np.intp), x_floor.astype(np.intp)

    def pixel(dy, dx):
        return _gather(flat, first_pixel, rows + dy, cols + dx, height, width, fill_mode, fill_value)

    top = (1.0 - fx) * pixel(0, 0) + fx * pixel(0, 1)
    bottom = (1.0 - fx) * pixel(1, 0) + fx * pixel(1, 1)
    out[...] = (1.0 - fy) * top + fy * bottom


@compiled()
def _map_index(index, size, fill_mode):
    """One pixel index mapped into [0, size) by the fill mode; -1 where CONSTANT fills."""
    if 0 <= index < size:
        return index
    if fill_mode == 0:  # REFLECT
        index = index % (2 * size)  # Python's modulo: never negative
        return index if index < size else 2 * size - 1 - index
    if fill_mode == 1:  # WRAP
        return index % size
    if fill_mode == 3:  # NEAREST
        return 0 if index < 0 else size - 1
    return -1


# Serial, with no prange: a step's batch (64 images of 28x28, 50,000 sample points) is about a
# millisecond of work, too little to pay for waiting on a second thread on a busy machine.
# A sample point whose four neighbours lie inside the image (most of them) reads them without
# the fill mode; the others map each index once, outside the loop over channels.
@kernel(affine_resample_numpy)
@compiled()
def affine_resample(images, matrices, fill_mode, interpolation, fill_value, out):
    n_images, height, width, channels = images.shape
    for n in range(n_images):
        a0, a1, a2 = matrices[n, 0], matrices[n, 1], matrices[n, 2]
        b0, b1, b2 = matrices[n, 3], matrices[n, 4], matrices[n, 5]
        for i in range(height):
            for j in range(width):
                x = a0 * j + a1 * i + a2
                y = b0 * j + b1 * i + b2
                if interpolation == 0:
                    row = _map_index(int(np.floor(y + 0.5)), height, fill_mode)
                    col = _map_index(int(np.floor(x + 0.5)), width, fill_mode)
                    for c in range(channels):
                        out[n, i, j, c] = fill_value if row < 0 or col < 0 else images[n, row, col, c]
                    continue
                y_floor, x_floor = np.floor(y), np.floor(x)
                fy, fx = y - y_floor, x - x_floor
                r0, c0 = int(y_floor), int(x_floor)
                r1, c1 = r0 + 1, c0 + 1
                if r0 >= 0 and c0 >= 0 and r1 < height and c1 < width:
                    for c in range(channels):
                        top = (1.0 - fx) * np.float64(images[n, r0, c0, c]) + fx * np.float64(images[n, r0, c1, c])
                        bottom = ((1.0 - fx) * np.float64(images[n, r1, c0, c])
                                  + fx * np.float64(images[n, r1, c1, c]))
                        out[n, i, j, c] = (1.0 - fy) * top + fy * bottom
                    continue
                r0, r1 = _map_index(r0, height, fill_mode), _map_index(r1, height, fill_mode)
                c0, c1 = _map_index(c0, width, fill_mode), _map_index(c1, width, fill_mode)
                for c in range(channels):
                    p00 = fill_value if r0 < 0 or c0 < 0 else np.float64(images[n, r0, c0, c])
                    p01 = fill_value if r0 < 0 or c1 < 0 else np.float64(images[n, r0, c1, c])
                    p10 = fill_value if r1 < 0 or c0 < 0 else np.float64(images[n, r1, c0, c])
                    p11 = fill_value if r1 < 0 or c1 < 0 else np.float64(images[n, r1, c1, c])
                    top = (1.0 - fx) * p00 + fx * p01
                    bottom = (1.0 - fx) * p10 + fx * p11
                    out[n, i, j, c] = (1.0 - fy) * top + fy * bottom
