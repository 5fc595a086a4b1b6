"""The affine resample: the NumPy reference against known images, and the Numba kernel against it."""

import numpy as np
import pytest

from neurona.kernels import resample
from neurona.layers.augmentation import compose_matrices, rotation_matrices, translation_matrices, zoom_matrices

FILLS = list(resample.FILL_MODES)
INTERPOLATIONS = list(resample.INTERPOLATIONS)


def run(function, images, matrices, fill_mode, interpolation, fill_value=0.0):
    out = np.full_like(images, np.nan)
    function(images, np.ascontiguousarray(matrices, dtype=np.float64), resample.FILL_MODES[fill_mode],
             resample.INTERPOLATIONS[interpolation], fill_value, out)
    return out


def shifted(images, dy, dx, fill_mode, fill_value):
    """The images shifted by whole pixels (dy down, dx right), filled as the mode says."""
    n, h, w, c = images.shape
    rows, cols = np.arange(h) - dy, np.arange(w) - dx
    if fill_mode == "reflect":
        rows, cols = [np.where(i % (2 * s) < s, i % (2 * s), 2 * s - 1 - i % (2 * s))
                      for i, s in ((rows, h), (cols, w))]
    elif fill_mode == "wrap":
        rows, cols = rows % h, cols % w
    elif fill_mode == "nearest":
        rows, cols = np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)
    expected = np.full_like(images, fill_value)
    keep_rows, keep_cols = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    block = images[:, rows[keep_rows]][:, :, cols[keep_cols]]
    expected[:, np.flatnonzero(keep_rows)[:, None], np.flatnonzero(keep_cols)] = block
    return expected


@pytest.fixture
def images():
    return np.random.default_rng(0).standard_normal((3, 5, 7, 2)).astype(np.float32)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("fill_mode", FILLS)
def test_the_identity_matrix_copies_the_images(images, fill_mode, interpolation):
    identity = np.tile([1.0, 0, 0, 0, 1.0, 0], (3, 1))
    np.testing.assert_array_equal(run(resample.affine_resample.numpy, images, identity, fill_mode, interpolation),
                                  images)


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("fill_mode", FILLS)
@pytest.mark.parametrize("dy, dx", [(2, -3), (-9, 4), (6, 15), (-12, -20)])
def test_whole_pixel_shifts_follow_the_fill_mode(images, fill_mode, interpolation, dy, dx):
    """Shifts past the image's size reach the second reflection (reflect) or period (wrap)."""
    matrices = translation_matrices(np.full(3, dy), np.full(3, dx))
    out = run(resample.affine_resample.numpy, images, matrices, fill_mode, interpolation, fill_value=-7.5)
    np.testing.assert_array_equal(out, shifted(images, dy, dx, fill_mode, -7.5))


def test_reflect_is_about_the_edge_of_the_last_pixel():
    """d c b a | a b c d | d c b a along a row of 4."""
    row = np.array([1.0, 2.0, 3.0, 4.0], np.float32).reshape(1, 1, 4, 1)
    expected = {1: [1, 1, 2, 3], 3: [3, 2, 1, 1], -1: [2, 3, 4, 4], -4: [4, 3, 2, 1], -6: [2, 1, 1, 2]}
    for dx, values in expected.items():
        out = run(resample.affine_resample.numpy, row, translation_matrices([0], [dx]), "reflect", "nearest")
        assert out.ravel().tolist() == values


def test_bilinear_weights_by_distance():
    image = np.array([[0.0, 10.0], [20.0, 30.0]], np.float32).reshape(1, 2, 2, 1)
    # Output (0, 0) reads (x, y) = (0.25, 0.5): the average of the rows, a quarter along them.
    out = run(resample.affine_resample.numpy, image, [[1.0, 0, 0.25, 0, 1.0, 0.5]], "nearest", "bilinear")
    assert out[0, 0, 0, 0] == pytest.approx(0.75 * 10.0 + 0.25 * 20.0)
    assert out[0, 1, 1, 0] == 30.0  # (1.25, 1.5): clamped onto the last pixel


def test_constant_fill_blends_with_the_fill_value_at_the_edge():
    image = np.ones((1, 1, 3, 1), np.float32)
    out = run(resample.affine_resample.numpy, image, translation_matrices([0], [0.5]), "constant", "bilinear", 5.0)
    np.testing.assert_allclose(out.ravel(), [3.0, 1.0, 1.0])


def test_quarter_turns_of_a_square_image_are_rot90():
    images = np.random.default_rng(1).standard_normal((2, 6, 6, 3))
    for turns in (1, 2, 3):
        matrices = rotation_matrices(np.full(2, turns * np.pi / 2), 6, 6)
        out = run(resample.affine_resample.numpy, images, matrices, "constant", "nearest")
        np.testing.assert_array_equal(out, np.rot90(images, turns, axes=(1, 2)))


def test_a_zoom_of_two_reads_every_other_pixel_about_the_centre():
    image = np.arange(5 * 5, dtype=np.float64).reshape(1, 5, 5, 1)
    out = run(resample.affine_resample.numpy, image, zoom_matrices([2.0], [2.0], 5, 5), "constant", "nearest", -1.0)
    np.testing.assert_array_equal(out[0, 1:4, 1:4, 0], image[0, ::2, ::2, 0])
    assert (out[0, 0] == -1).all() and (out[0, :, 4] == -1).all()


def test_composed_matrices_resample_as_two_steps():
    images = np.random.default_rng(2).standard_normal((2, 9, 9, 1))
    rotate, shift = rotation_matrices([np.pi / 2, np.pi], 9, 9), translation_matrices([1, -2], [3, 0])
    fused = run(resample.affine_resample.numpy, images, compose_matrices(rotate, shift), "wrap", "nearest")
    two_steps = run(resample.affine_resample.numpy, run(resample.affine_resample.numpy, images, rotate, "wrap",
                                                        "nearest"), shift, "wrap", "nearest")
    np.testing.assert_array_equal(fused, two_steps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("fill_mode", FILLS)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (4, 5, 7, 3), (2, 28, 28, 1)])
def test_the_numba_kernel_agrees_with_the_reference(shape, fill_mode, interpolation, dtype):
    pytest.importorskip("numba", reason="compares the NumPy reference with the Numba kernel")
    rng = np.random.default_rng(3)
    images = rng.uniform(-1, 1, shape).astype(dtype)
    images.reshape(-1)[0] = np.finfo(np.float32).max / 4  # large values keep their precision
    n, h, w, _ = shape
    matrices = compose_matrices(rotation_matrices(rng.uniform(-3, 3, n), h, w),
                                compose_matrices(zoom_matrices(rng.uniform(0.5, 2.5, n), rng.uniform(0.5, 2.5, n),
                                                               h, w),
                                                 translation_matrices(rng.uniform(-2, 2, n) * h,
                                                                      rng.uniform(-2, 2, n) * w)))
    reference = run(resample.affine_resample.numpy, images, matrices, fill_mode, interpolation, 0.5)
    compiled = run(resample.affine_resample.numba, images, matrices, fill_mode, interpolation, 0.5)
    assert compiled.dtype == reference.dtype == dtype and not np.isnan(reference).any()
    scale = np.maximum(1.0, np.abs(reference))
    np.testing.assert_array_less(np.abs(compiled.astype(np.float64) - reference) / scale, 1e-6)


def test_zero_images_give_nothing():
    empty = np.zeros((0, 4, 4, 1), np.float32)
    for function in (resample.affine_resample.numpy,):
        assert run(function, empty, np.zeros((0, 6)), "reflect", "bilinear").shape == (0, 4, 4, 1)
