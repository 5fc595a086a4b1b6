"""The batch gather and Dropout's mask, both paths."""

import numpy as np
import pytest

from neurona.kernels import dropout, gather

pytest.importorskip("numba", reason="these tests compare the NumPy references with the Numba kernels")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [1, 33, 500])
def test_gather_rows_paths_are_the_same_copy(batch, dtype):
    rng = np.random.default_rng(0)
    source = rng.standard_normal((600, 13)).astype(dtype)
    index = rng.permutation(600)[:batch]
    reference, compiled = np.empty((batch, 13), dtype), np.empty((batch, 13), dtype)
    gather.gather_rows.numpy(source, index, reference)
    gather.gather_rows.numba(source, index, compiled)
    np.testing.assert_array_equal(reference, source[index])
    np.testing.assert_array_equal(compiled, reference)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.0, 0.2, 0.75])
def test_dropout_mask_paths_agree_exactly(rate, dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((17, 9)).astype(dtype)
    uniform = rng.random((17, 9)).astype(dtype)
    results = []
    for function in (dropout.dropout_mask.numpy, dropout.dropout_mask.numba):
        mask, out = np.empty_like(x), np.empty_like(x)
        function(x, uniform, rate, mask, out)
        results.append((mask, out))
    (mask, out), (compiled_mask, compiled_out) = results
    np.testing.assert_array_equal(mask, (uniform >= rate) * np.asarray(1 / (1 - rate), dtype))
    np.testing.assert_array_equal(out, x * mask)
    np.testing.assert_array_equal(compiled_mask, mask)
    np.testing.assert_array_equal(compiled_out, out)


def test_a_dropout_layer_draws_the_same_masks_on_both_paths():
    from neurona import kernels
    from neurona.layers import Dropout

    x = np.random.default_rng(3).standard_normal((8, 20)).astype(np.float32)
    outputs = []
    for path in ("numpy", "numba"):
        kernels.set_kernels(path)
        try:
            layer = Dropout(0.5, seed=11)
            layer.build((20,))
            outputs.append(layer.forward(x, training=True).copy())
        finally:
            kernels.set_kernels(None)
    np.testing.assert_array_equal(outputs[0], outputs[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 4095, 4096, -1])
def test_all_finite_paths_agree(bad, where, dtype):
    from neurona.kernels.finite import all_finite

    values = np.random.default_rng(4).standard_normal((9000, 3)).astype(dtype)
    values[0, 0] = np.finfo(dtype).max  # large but finite: x - x is still 0
    if bad is not None:
        values.reshape(-1)[where] = bad
    assert all_finite.numpy(values) is (bad is None)
    assert all_finite.numba(values) is (bad is None)


def test_all_finite_of_nothing_is_true():
    from neurona.kernels.finite import all_finite

    assert all_finite.numba(np.zeros((0, 5), np.float32)) and all_finite.numpy(np.zeros((0, 5), np.float32))
