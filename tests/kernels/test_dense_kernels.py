"""The dense epilogue: both paths agree, and each is the same from run to run."""

import numpy as np
import pytest

from neurona.kernels import activations as codes
from neurona.kernels import dense

from .paths import tolerance

pytest.importorskip("numba", reason="these tests compare the NumPy references with the Numba kernels")

SHAPES = [(1, 1), (7, 3), (32, 128), (129, 10)]
ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


def inputs(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal(shape) * 4).astype(dtype)
    z.flat[0] = 0.0  # relu's kink, sigmoid's branch point
    return z, rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape).astype(dtype)


def forward(function, z, bias, use_bias, code):
    out = np.empty_like(z)
    function(z, bias, use_bias, code, out)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_bias_activation_paths_agree(shape, activation, use_bias, dtype):
    z, bias, _ = inputs(shape, dtype)
    code = codes.CODES[activation]
    reference = forward(dense.bias_activation.numpy, z, bias, use_bias, code)
    compiled = forward(dense.bias_activation.numba, z, bias, use_bias, code)
    np.testing.assert_allclose(compiled, reference, **tolerance(dtype))
    np.testing.assert_array_equal(forward(dense.bias_activation.numba, z, bias, use_bias, code), compiled)
    np.testing.assert_array_equal(forward(dense.bias_activation.numpy, z, bias, use_bias, code), reference)


def test_bias_activation_works_in_place_and_saturates_without_overflow():
    z = np.array([[-1000.0, 0.0, 1000.0]], dtype=np.float32)
    for code in (codes.SIGMOID, codes.TANH, codes.SOFTMAX):
        for function in (dense.bias_activation.numpy, dense.bias_activation.numba):
            values = z.copy()
            function(values, np.zeros(3, np.float32), False, code, values)
            assert np.all(np.isfinite(values))
    values = z.copy()
    dense.bias_activation.numba(values, np.zeros(3, np.float32), False, codes.SIGMOID, values)
    np.testing.assert_array_equal(values, [[0.0, 0.5, 1.0]])


def backward(function, grad, y, code, use_bias, in_place=False):
    grad = grad.copy()
    grad_pre = grad if in_place else np.empty_like(grad)
    bias_grad = np.full(grad.shape[1], np.nan, dtype=grad.dtype)
    function(grad, y, code, grad_pre, use_bias, bias_grad)
    return grad_pre, bias_grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("shape", SHAPES)
def test_activation_backward_bias_paths_agree(shape, activation, dtype):
    z, bias, grad = inputs(shape, dtype)
    code = codes.CODES[activation]
    y = forward(dense.bias_activation.numpy, z, bias, True, code)
    reference = backward(dense.activation_backward_bias.numpy, grad, y, code, True)
    compiled = backward(dense.activation_backward_bias.numba, grad, y, code, True)
    for got, want in zip(compiled, reference):
        np.testing.assert_allclose(got, want, rtol=tolerance(dtype)["rtol"] * 10, atol=tolerance(dtype)["atol"] * 10)
    again = backward(dense.activation_backward_bias.numba, grad, y, code, True)
    for first, second in zip(compiled, again):
        np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_linear_backward_in_place_only_sums_the_bias(path):
    _, _, grad = inputs((5, 4), np.float64)
    function = getattr(dense.activation_backward_bias, path)
    grad_pre, bias_grad = backward(function, grad, grad, codes.LINEAR, True, in_place=True)
    np.testing.assert_array_equal(grad_pre, grad)
    np.testing.assert_allclose(bias_grad, grad.sum(axis=0), rtol=1e-12)
    _, untouched = backward(function, grad, grad, codes.LINEAR, False, in_place=True)
    assert np.all(np.isnan(untouched))


def test_float16_takes_the_reference(kernel_path):
    z = np.linspace(-3, 3, 12, dtype=np.float16).reshape(3, 4)
    out = np.empty_like(z)
    dense.bias_activation(z, np.ones(4, np.float16), True, codes.RELU, out)
    np.testing.assert_array_equal(out, np.maximum(z + np.float16(1), 0))
