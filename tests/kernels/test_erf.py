"""erf, GELU's kernel: the NumPy reference against math.erf on a dense grid, both paths alike."""

import math

import numpy as np
import pytest

from neurona.kernels.activations import erf

GRID = np.linspace(-8.0, 8.0, 400_001)  # step 4e-5, and both branches of the reference
EXACT = np.array([math.erf(value) for value in GRID])


def test_the_reference_is_within_2e_15_of_math_erf():
    result = erf.numpy(GRID, np.empty_like(GRID))
    assert np.max(np.abs(result - EXACT)) < 2e-15
    # relative accuracy where erf is small, and the exact symmetry erf(-x) = -erf(x)
    tiny = np.array([1e-300, 1e-12, 1e-5, 0.0, -0.0])
    np.testing.assert_allclose(erf.numpy(tiny, np.empty_like(tiny)), [math.erf(v) for v in tiny], rtol=1e-15)
    np.testing.assert_array_equal(result, -erf.numpy(-GRID, np.empty_like(GRID)))


def test_the_reference_at_the_edges():
    x = np.array([np.inf, -np.inf, np.nan, 1e300, -1e300, 6.0, 2.5, np.nextafter(2.5, 0)])
    with np.errstate(all="raise"):
        result = erf.numpy(x, np.empty_like(x))
    np.testing.assert_array_equal(result[:2], [1.0, -1.0])
    assert np.isnan(result[2])
    np.testing.assert_allclose(result[3:], [math.erf(v) for v in x[3:]], rtol=0, atol=2e-16)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_keeps_its_dtype(dtype):
    x = GRID[::97].astype(dtype)
    result = erf.numpy(x, np.empty_like(x))
    assert result.dtype == dtype
    np.testing.assert_allclose(result, EXACT[::97], atol=float(np.finfo(dtype).eps))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 7, 1001])
def test_numba_and_numpy_agree(dtype, size):
    pytest.importorskip("numba", reason="compares the NumPy reference with the Numba kernel")
    rng = np.random.default_rng(size)
    x = (4 * rng.standard_normal(size)).astype(dtype)
    x[0] = 0.0
    reference, compiled = erf.numpy(x, np.empty_like(x)), erf.numba(x, np.empty_like(x))
    assert compiled.dtype == dtype
    tolerance = {"rtol": 0, "atol": 2e-15} if dtype == np.float64 else {"rtol": 0, "atol": 3e-7}
    np.testing.assert_allclose(compiled, reference, **tolerance)
