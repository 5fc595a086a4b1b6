import math

import numpy as np
import pytest

from gradient_check import assert_gradient_close, away_from_zero, numeric_gradient
from neurona import activations

NAMES = ["relu", "sigmoid", "tanh", "softmax", "linear", "leaky_relu", "elu", "gelu"]


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_central_differences(name, rng):
    activation = activations.get(name)
    x = away_from_zero(rng, (4, 6))
    r = rng.normal(size=x.shape)

    analytic = activation.backward(r, x.copy(), activation.forward(x), out=None)
    numeric = numeric_gradient(lambda: float(np.sum(activation.forward(x) * r)), x)

    assert_gradient_close(numeric, analytic)


@pytest.mark.parametrize("alpha", [0.2, 0.5, 1.5])
def test_leaky_relu_and_elu_gradients_for_other_alphas(alpha, rng):
    x = away_from_zero(rng, (3, 5))
    r = rng.normal(size=x.shape)
    for activation in (activations.LeakyReLU(alpha), activations.ELU(alpha)):
        analytic = activation.backward(r, x, activation.forward(x))
        numeric = numeric_gradient(lambda: float(np.sum(activation.forward(x) * r)), x)
        assert_gradient_close(numeric, analytic)


@pytest.mark.parametrize(
    "name", [name for name in NAMES if not activations.get(name).uses_input]
)
def test_output_only_activations_backpropagate_from_an_overwritten_input(name, rng):
    """Dense overwrites its pre-activations with the outputs when `uses_input` is False."""
    activation = activations.get(name)
    x = away_from_zero(rng, (3, 5))
    grad = rng.normal(size=x.shape)
    y = activation.forward(x)

    expected = activation.backward(grad, x, y)
    overwritten = activation.forward(x.copy(), out=x)

    np.testing.assert_array_equal(activation.backward(grad, overwritten, y), expected)


@pytest.mark.parametrize(
    "name, x, expected",
    [
        ("linear", -3.5, -3.5),
        ("relu", -2.0, 0.0),
        ("relu", 3.0, 3.0),
        ("sigmoid", 0.0, 0.5),
        ("sigmoid", math.log(3.0), 0.75),
        ("tanh", 0.0, 0.0),
        ("tanh", 1.0, math.tanh(1.0)),
        ("leaky_relu", -1.0, -0.2),
        ("leaky_relu", 2.0, 2.0),
        ("elu", -1.0, math.exp(-1.0) - 1.0),
        ("elu", 2.0, 2.0),
        ("gelu", 0.0, 0.0),
        ("gelu", 1.0, 0.5 * (1.0 + math.erf(1.0 / math.sqrt(2.0)))),
        ("gelu", -1.0, -0.5 * (1.0 + math.erf(-1.0 / math.sqrt(2.0)))),
    ],
)
def test_values_match_closed_forms(name, x, expected):
    activation = activations.get(name)

    assert float(activation(x)) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert float(activation(np.array([x]))[0]) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_softmax_values():
    x = np.array([[0.0, math.log(2.0), math.log(5.0)], [1.0, 1.0, 1.0]])

    y = activations.softmax(x)

    np.testing.assert_allclose(y, [[0.125, 0.25, 0.625], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-12)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)


def test_softmax_normalises_over_the_last_axis(rng):
    y = activations.softmax(rng.normal(size=(2, 3, 4)))

    np.testing.assert_allclose(y.sum(axis=-1), np.ones((2, 3)), rtol=1e-12)


def test_leaky_relu_with_a_slope_above_one():
    y = activations.LeakyReLU(alpha=1.5)(np.array([-2.0, 3.0]))

    np.testing.assert_array_equal(y, [-3.0, 3.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_finite_and_exact_at_extremes(dtype):
    y = activations.sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype))

    assert np.all(np.isfinite(y))
    assert y[0] == 0.0 and y[-1] == 1.0
    assert y[2] == 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_finite_at_extremes(dtype):
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 0.0]], dtype=dtype)

    y = activations.softmax(x)

    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_forward_into_out_matches_out_of_place(name, rng):
    activation = activations.get(name)
    x = away_from_zero(rng, (3, 4))
    expected = activation.forward(x)

    out = np.empty_like(x)
    assert activation.forward(x, out=out) is out
    np.testing.assert_array_equal(out, expected)

    in_place = x.copy()
    assert activation.forward(in_place, out=in_place) is in_place
    np.testing.assert_array_equal(in_place, expected)


@pytest.mark.parametrize("name", NAMES)
def test_backward_into_out_matches_out_of_place(name, rng):
    activation = activations.get(name)
    x = away_from_zero(rng, (3, 4))
    y = activation.forward(x)
    grad = rng.normal(size=x.shape)
    expected = activation.backward(grad, x, y)

    out = np.empty_like(x)
    assert activation.backward(grad, x, y, out=out) is out
    np.testing.assert_array_equal(out, expected)

    in_place = grad.copy()
    assert activation.backward(in_place, x, y, out=in_place) is in_place
    np.testing.assert_array_equal(in_place, expected)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name, rng):
    activation = activations.get(name)
    x = away_from_zero(rng, (3, 4)).astype(np.float32)

    y = activation.forward(x)
    grad = activation.backward(np.ones_like(x), x, y)

    assert y.dtype == np.float32
    assert grad.dtype == np.float32


def test_get_returns_named_activation_or_linear_for_none():
    assert isinstance(activations.get("relu"), activations.ReLU)
    assert isinstance(activations.get(None), activations.Linear)
    instance = activations.ELU(0.5)
    assert activations.get(instance) is instance


def test_get_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"Unknown activation: 'swishy'.*'relu'.*'softmax'"):
        activations.get("swishy")


def test_get_rejects_non_names():
    with pytest.raises(TypeError, match="activation must be a name"):
        activations.get(3)


@pytest.mark.parametrize("alpha", [0, -0.1])
def test_non_positive_alpha_is_rejected(alpha):
    with pytest.raises(ValueError, match="alpha > 0"):
        activations.LeakyReLU(alpha)
    with pytest.raises(ValueError, match="alpha > 0"):
        activations.ELU(alpha)


@pytest.mark.parametrize(
    "activation", [activations.get(name) for name in NAMES] + [activations.LeakyReLU(0.3), activations.ELU(2.0)],
    ids=lambda activation: f"{activation.name}{activation.get_config() or ''}",
)
def test_serialize_round_trip(activation):
    config = activations.serialize(activation)

    restored = activations.deserialize(config)

    assert type(restored) is type(activation)
    assert restored.get_config() == activation.get_config()
    assert activations.serialize(restored) == config


def test_deserialize_accepts_a_name_and_rejects_unknown_ones():
    assert isinstance(activations.deserialize("tanh"), activations.Tanh)
    with pytest.raises(ValueError, match="Unknown activation"):
        activations.deserialize({"name": "swishy", "config": {}})


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_gelu_on_both_kernel_paths_matches_math_erf(path, rng):
    if path == "numba":
        pytest.importorskip("numba")
    from neurona import kernels

    x = np.concatenate([np.linspace(-9.0, 9.0, 3001), rng.normal(scale=3.0, size=499)]).reshape(7, -1)
    cdf = np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x.ravel()]).reshape(x.shape)
    expected = x * cdf
    kernels.set_kernels(path)
    try:
        y = activations.gelu.forward(x)
        y32 = activations.gelu.forward(x.astype(np.float32))
        grad = activations.gelu.backward(np.ones_like(x), x, y)
    finally:
        kernels.set_kernels(None)
    assert y.shape == x.shape and y.dtype == np.float64 and y32.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(y32, expected, rtol=1e-6, atol=1e-6)
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    np.testing.assert_allclose(grad, cdf + x * pdf, rtol=0, atol=1e-14)


def test_gelu_matches_keras_exact_form():
    keras = pytest.importorskip("keras")
    x = np.linspace(-10.0, 10.0, 20_001).astype(np.float32)
    expected = np.asarray(keras.ops.convert_to_numpy(keras.activations.gelu(x, approximate=False)))
    result = activations.gelu.forward(x)
    assert result.shape == expected.shape and result.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-6)
