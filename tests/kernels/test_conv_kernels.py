"""The convolution and pooling kernels: im2col (both layouts), col2im, max and average pooling,
each Numba version against its NumPy reference, over strides, dilations, padding offsets, odd
sizes, one channel and several, in float32 and float64."""

import numpy as np
import pytest

from neurona.kernels import conv, pooling
from neurona.layers import spatial

from .paths import tolerance

pytest.importorskip("numba", reason="these tests compare the NumPy references with the Numba kernels")

DTYPES = [np.float32, np.float64]


class _Layer:
    name = "test"


def geometry(image, window, strides, dilation, padding, argument="kernel_size"):
    return spatial.Geometry(_Layer, argument, image[0], image[1], window, strides, dilation, padding)


# (height, width, channels), window, strides, dilation, padding
CONV_CASES = [
    ((28, 28, 1), (3, 3), (1, 1), (1, 1), "valid"),   # the MNIST convnet's first layer
    ((13, 13, 32), (3, 3), (1, 1), (1, 1), "valid"),  # and its second
    ((7, 6, 3), (3, 3), (1, 1), (1, 1), "same"),
    ((7, 6, 1), (3, 2), (2, 2), (1, 1), "same"),
    ((7, 6, 2), (3, 2), (2, 2), (1, 1), "valid"),
    ((8, 5, 2), (2, 3), (2, 1), (1, 1), "same"),
    ((8, 7, 2), (3, 3), (1, 1), (2, 2), "same"),
    ((9, 8, 1), (3, 2), (1, 1), (1, 3), "same"),
    ((9, 8, 5), (3, 3), (2, 1), (1, 1), "valid"),
    ((5, 5, 1), (4, 4), (3, 3), (1, 1), "same"),
    ((5, 9, 3), (5, 1), (1, 2), (1, 1), "same"),
    ((6, 5, 3), (1, 1), (2, 2), (1, 1), "valid"),
]
CONV_IDS = [f"{c[0][0]}x{c[0][1]}x{c[0][2]}-k{c[1][0]}{c[1][1]}-s{c[2][0]}{c[2][1]}-d{c[3][0]}{c[3][1]}-{c[4]}"
            for c in CONV_CASES]


def images(case, dtype, samples=3, seed=0):
    return np.random.default_rng(seed).standard_normal((samples,) + case[0]).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_im2col_paths_agree_exactly(case, dtype):
    g = geometry(*case)
    x = images(case, dtype)
    depth = g.kh * g.kw * x.shape[3]
    reference, compiled = (np.full((len(x) * g.oh * g.ow, depth), np.nan, dtype) for _ in range(2))
    conv.im2col.numpy(x, *g.window_args, reference)
    conv.im2col.numba(x, *g.window_args, compiled)
    np.testing.assert_array_equal(compiled, reference)
    # Row (n, i, j), column (a, b, c): the pixel the window reads there, or 0 in the padding.
    n, i, j, a, b, c = len(x) - 1, g.oh - 1, g.ow // 2, g.kh - 1, 0, x.shape[3] - 1
    y, z = i * g.sh - g.top + a * g.dh, j * g.sw - g.left + b * g.dw
    expected = x[n, y, z, c] if 0 <= y < x.shape[1] and 0 <= z < x.shape[2] else 0
    assert reference[(n * g.oh + i) * g.ow + j, (a * g.kw + b) * x.shape[3] + c] == expected


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_im2col_taps_is_the_transpose_of_im2col_on_both_paths(case, dtype):
    g = geometry(*case)
    x = images(case, dtype)
    depth = g.kh * g.kw * x.shape[3]
    cols = np.empty((len(x) * g.oh * g.ow, depth), dtype)
    conv.im2col.numpy(x, *g.window_args, cols)
    reference, compiled = (np.full((depth, len(x) * g.oh * g.ow), np.nan, dtype) for _ in range(2))
    conv.im2col_taps.numpy(x, *g.window_args, reference)
    conv.im2col_taps.numba(x, *g.window_args, compiled)
    np.testing.assert_array_equal(reference, cols.T)
    np.testing.assert_array_equal(compiled, reference)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES, ids=CONV_IDS)
def test_col2im_paths_agree_and_are_the_adjoint_of_im2col(case, dtype):
    g = geometry(*case)
    rng = np.random.default_rng(1)
    x = images(case, dtype)
    dcols = rng.standard_normal((len(x) * g.oh * g.ow, g.kh * g.kw * x.shape[3])).astype(dtype)
    reference, compiled = (np.full(x.shape, np.nan, dtype) for _ in range(2))  # overwritten, not added to
    conv.col2im.numpy(dcols, *g.window_args, reference)
    conv.col2im.numba(dcols, *g.window_args, compiled)
    np.testing.assert_allclose(compiled, reference, **tolerance(dtype))
    # <im2col(x), dcols> == <x, col2im(dcols)>
    cols = np.empty_like(dcols)
    conv.im2col.numpy(x, *g.window_args, cols)
    np.testing.assert_allclose(np.vdot(cols, dcols), np.vdot(x, reference), rtol=1e-4 if dtype == np.float32 else 1e-12)


def test_im2col_leaves_padding_at_zero_and_reads_only_the_image():
    # One 3x3 image of ones, padded by one on every side: each window holds as many ones as
    # real pixels it covers.
    g = geometry((3, 3, 1), (3, 3), (1, 1), (1, 1), "same")
    x = np.ones((1, 3, 3, 1), np.float32)
    cols = np.empty((9, 9), np.float32)
    conv.im2col.numba(x, *g.window_args, cols)
    np.testing.assert_array_equal(cols.sum(axis=1).reshape(3, 3), [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


# (height, width, channels), pool, strides (None: the pool size), padding
POOL_CASES = [
    ((26, 26, 32), (2, 2), None, "valid"),  # the MNIST convnet's first pooling: tiles the image
    ((11, 11, 64), (2, 2), None, "valid"),  # its second: the last row and column are left out
    ((7, 7, 3), (2, 2), None, "same"),
    ((8, 8, 1), (2, 2), (1, 1), "valid"),   # overlapping windows
    ((7, 6, 2), (3, 3), (2, 2), "same"),
    ((6, 6, 1), (3, 2), (1, 1), "valid"),
    ((9, 9, 4), (2, 2), (1, 1), "same"),
    ((5, 8, 2), (2, 3), (3, 2), "same"),
    ((5, 5, 3), (3, 3), (3, 3), "same"),    # disjoint windows, partly outside the image
]
POOL_IDS = [f"{c[0][0]}x{c[0][1]}x{c[0][2]}-p{c[1][0]}{c[1][1]}-s{(c[2] or c[1])[0]}{(c[2] or c[1])[1]}-{c[3]}"
            for c in POOL_CASES]


def pool_geometry(case):
    image, pool, strides, padding = case
    return geometry(image, pool, strides or pool, (1, 1), padding, "pool_size")


def pool_args(g):
    return g.kh, g.kw, g.sh, g.sw, g.top, g.left


def pool_images(case, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3,) + case[0]).astype(dtype)
    x[0, 0, 1] = x[0, 0, 0]  # ties: the first position wins
    x[1, 1, 1, 0] = np.nan   # NaN wins its window, as np.argmax picks it
    x[1, 1, 2, 0] = np.nan
    x[2, :2, :2] = -np.inf
    return x


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_max_pool_paths_agree_exactly_with_ties_nan_and_infinities(case, dtype):
    g = pool_geometry(case)
    x = pool_images(case, dtype)
    shape = (len(x), g.oh, g.ow, x.shape[3])
    results = []
    for function in (pooling.max_pool_forward.numpy, pooling.max_pool_forward.numba):
        out, argmax = np.full(shape, 7, dtype), np.full(shape, -1, np.int32)
        function(x, *pool_args(g), out, argmax)
        results.append((out, argmax))
    (out, argmax), (compiled_out, compiled_argmax) = results
    np.testing.assert_array_equal(compiled_out, out)
    np.testing.assert_array_equal(compiled_argmax, argmax)
    # The maximum of every window, from the window view itself.
    view = conv.windows(x, g.kh, g.kw, g.sh, g.sw, 1, 1, g.top, g.left, g.oh, g.ow, fill=-np.inf)
    np.testing.assert_array_equal(out, view.max(axis=(3, 4)))
    flat = view.reshape(shape[:3] + (g.kh * g.kw, shape[3]))
    np.testing.assert_array_equal(argmax, np.argmax(flat, axis=3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_max_pool_backward_paths_agree(case, dtype):
    g = pool_geometry(case)
    x = pool_images(case, dtype)
    shape = (len(x), g.oh, g.ow, x.shape[3])
    out, argmax = np.empty(shape, dtype), np.empty(shape, np.int32)
    pooling.max_pool_forward.numpy(x, *pool_args(g), out, argmax)
    grad = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    reference, compiled = (np.full(x.shape, np.nan, dtype) for _ in range(2))
    pooling.max_pool_backward.numpy(grad, argmax, *pool_args(g), reference)
    pooling.max_pool_backward.numba(grad, argmax, *pool_args(g), compiled)
    np.testing.assert_allclose(compiled, reference, **tolerance(dtype))
    if case[3] == "valid":  # no padding: every output's gradient lands on one pixel
        assert np.sum(reference, dtype=np.float64) == pytest.approx(np.sum(grad, dtype=np.float64), rel=1e-5)


def test_max_pool_backward_sends_nothing_to_pixels_no_window_covers():
    g = pool_geometry(POOL_CASES[1])  # 11x11 under 2x2 windows: row and column 10 uncovered
    x = np.random.default_rng(3).standard_normal((2, 11, 11, 64)).astype(np.float32)
    out, argmax = np.empty((2, 5, 5, 64), np.float32), np.empty((2, 5, 5, 64), np.int32)
    pooling.max_pool_forward.numba(x, *pool_args(g), out, argmax)
    dx = np.full(x.shape, np.nan, np.float32)
    pooling.max_pool_backward.numba(np.ones(out.shape, np.float32), argmax, *pool_args(g), dx)
    assert not dx[:, 10].any() and not dx[:, :, 10].any()
    assert dx.sum() == out.size


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES, ids=POOL_IDS)
def test_average_pool_paths_agree(case, dtype):
    g = pool_geometry(case)
    x = images((case[0],), dtype)
    shape = (len(x), g.oh, g.ow, x.shape[3])
    reference, compiled = (np.full(shape, np.nan, dtype) for _ in range(2))
    pooling.avg_pool_forward.numpy(x, *pool_args(g), reference)
    pooling.avg_pool_forward.numba(x, *pool_args(g), compiled)
    np.testing.assert_allclose(compiled, reference, **tolerance(dtype))
    grad = np.random.default_rng(4).standard_normal(shape).astype(dtype)
    reference, compiled = (np.full(x.shape, np.nan, dtype) for _ in range(2))
    pooling.avg_pool_backward.numpy(grad, *pool_args(g), reference)
    pooling.avg_pool_backward.numba(grad, *pool_args(g), compiled)
    np.testing.assert_allclose(compiled, reference, **tolerance(dtype))


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_the_layers_hand_the_kernels_contiguous_images(path):
    """The compiled kernels read images as flat arrays; a strided input still works."""
    from neurona import kernels
    from neurona.layers import Conv2D, MaxPooling2D

    x = np.random.default_rng(5).standard_normal((2, 9, 9, 6)).astype(np.float32)[:, :, :, ::2]
    kernels.set_kernels(path)
    try:
        layer = Conv2D(4, 3, seed=0)
        layer.build((9, 9, 3))
        out = layer.forward(x)
        pooled = MaxPooling2D(2)
        pooled.build(out.shape[1:])
        result = pooled.forward(out)
    finally:
        kernels.set_kernels(None)
    expected = np.empty((2 * 7 * 7, 27), np.float32)
    conv.im2col.numpy(np.ascontiguousarray(x), 3, 3, 1, 1, 1, 1, 0, 0, 7, 7, expected)
    np.testing.assert_allclose(out.reshape(-1, 4), expected @ layer.params["kernel"].reshape(27, 4), rtol=1e-5,
                               atol=1e-5)
    assert result.shape == (2, 3, 3, 4)


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_a_batch_split_over_threads_gives_the_same_outputs_and_gradients(path, monkeypatch):
    """`kernels.policy.batch_parts` splits a large batch into a part per core: the layers'
    results are those of the whole batch, whatever the parts (within float64 rounding)."""
    from neurona import backend, kernels
    from neurona.kernels import policy
    from neurona.layers import AveragePooling2D, Conv2D, MaxPooling2D

    rng = np.random.default_rng(6)
    backend.set_floatx("float64")
    kernels.set_kernels(path)
    try:
        layers = [Conv2D(5, 3, activation="relu", seed=1), MaxPooling2D(2), Conv2D(4, 2, padding="same",
                  activation="tanh", seed=2), AveragePooling2D(2, padding="same"), Conv2D(3, 1, seed=3)]
        shape = (12, 11, 2)
        for layer in layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        x = rng.standard_normal((7, 12, 11, 2))
        grad = rng.standard_normal((7,) + shape)
        results = []
        for parts in (1, 3):
            monkeypatch.setattr(policy, "batch_parts", lambda work, batch, parts=parts: min(parts, batch))
            out = x
            for layer in layers:
                out = layer.forward(out, training=True)
            back = grad
            for layer in reversed(layers):
                back = layer.backward(back)
            results.append([out.copy(), back.copy()] + [g.copy() for layer in layers for g in layer.grads.values()])
    finally:
        kernels.set_kernels(None)
        backend.set_floatx("float32")
    for whole, split in zip(*results):
        np.testing.assert_allclose(split, whole, rtol=1e-12, atol=1e-12)
