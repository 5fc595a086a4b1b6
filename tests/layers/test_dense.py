import numpy as np
import pytest

from gradient_check import assert_gradient_close, away_from_zero, numeric_gradient
from neurona import activations, backend, initializers, layers, regularizers
from neurona.layers import Dense

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu"]
INPUTS, UNITS, BATCH = 5, 4, 3


@pytest.fixture
def rng():
    return np.random.default_rng(3)


def build_with_random_weights(layer, rng):
    """Builds `layer` for INPUTS features with kernel entries |w| in [0.1, 1) and a non-zero bias."""
    layer.build((INPUTS,))
    weights = [away_from_zero(rng, (INPUTS, layer.units), high=1.0)]
    if layer.use_bias:
        weights.append(rng.normal(size=layer.units))
    layer.set_weights(weights)
    return layer


def inputs_clear_of_kinks(layer, rng):
    """Inputs whose pre-activations stay clear of 0, where relu-like derivatives jump."""
    for _ in range(100):
        x = rng.normal(size=(BATCH, INPUTS))
        pre_activation = x @ layer.params["kernel"] + layer.params.get("bias", 0.0)
        if np.abs(pre_activation).min() > 0.05:
            return x
    raise AssertionError("no input batch clear of the kinks")


def check_gradients(layer, rng):
    x = inputs_clear_of_kinks(layer, rng)
    r = rng.normal(size=(BATCH, layer.units))

    def objective():
        return float(np.sum(layer.forward(x, training=True) * r)) + layer.regularization_loss()

    layer.forward(x, training=True)
    grad_input = layer.backward(r).copy()
    grads = {name: grad.copy() for name, grad in layer.grads.items()}

    assert_gradient_close(numeric_gradient(objective, x), grad_input)
    assert grads.keys() == layer.params.keys()
    for name, param in layer.params.items():
        assert_gradient_close(numeric_gradient(objective, param), grads[name])


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_through_each_activation(activation, rng, kernel_path):
    check_gradients(build_with_random_weights(Dense(UNITS, activation=activation), rng), rng)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("kernel_regularizer", ["l1", "l2", regularizers.L1L2(l1=0.03, l2=0.05)],
                         ids=["l1", "l2", "l1_l2"])
@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_gradients_with_a_kernel_regularizer(kernel_regularizer, activation, rng, kernel_path):
    layer = build_with_random_weights(
        Dense(UNITS, activation=activation, kernel_regularizer=kernel_regularizer), rng
    )

    check_gradients(layer, rng)


@pytest.mark.usefixtures("float64")
def test_gradients_with_a_bias_regularizer(rng, kernel_path):
    layer = build_with_random_weights(Dense(UNITS, activation="sigmoid", bias_regularizer="l2"), rng)

    check_gradients(layer, rng)


@pytest.mark.usefixtures("float64")
def test_gradients_without_bias(rng, kernel_path):
    layer = build_with_random_weights(Dense(UNITS, activation="elu", use_bias=False), rng)

    assert list(layer.params) == ["kernel"]
    check_gradients(layer, rng)


@pytest.mark.usefixtures("float64")
def test_backward_without_activation_takes_the_pre_activation_gradient(rng, kernel_path):
    layer = build_with_random_weights(Dense(UNITS, activation="softmax"), rng)
    x = rng.normal(size=(BATCH, INPUTS))
    grad_pre = rng.normal(size=(BATCH, UNITS))

    layer.forward(x)
    grad_input = layer.backward(grad_pre, through_activation=False)

    np.testing.assert_allclose(grad_input, grad_pre @ layer.params["kernel"].T, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], x.T @ grad_pre, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], grad_pre.sum(axis=0), rtol=1e-12)


def test_forward_computes_activation_of_affine_map(rng, kernel_path):
    layer = build_with_random_weights(Dense(UNITS, activation="tanh"), rng)
    x = rng.normal(size=(BATCH, INPUTS)).astype(np.float32)

    y = layer(x)

    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y, np.tanh(x @ kernel + bias), rtol=1e-5)
    assert y.shape == (BATCH, UNITS)
    assert y.dtype == np.float32


def test_call_builds_from_the_input_shape():
    layer = Dense(7)

    output = layer(np.ones((2, 3), dtype=np.float32))

    assert layer.built
    assert layer.params["kernel"].shape == (3, 7)
    assert layer.params["bias"].shape == (7,)
    assert output.shape == (2, 7)
    assert layer.compute_output_shape((3,)) == (7,)


def test_default_initialization_is_glorot_uniform_kernel_and_zero_bias():
    layer = Dense(300, seed=0)
    layer.build((200,))

    limit = np.sqrt(6 / (200 + 300))
    kernel = layer.params["kernel"]
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.99 * limit
    np.testing.assert_array_equal(layer.params["bias"], 0)


def test_same_seed_gives_same_kernel():
    first, second = Dense(4, seed=5), Dense(4, seed=5)
    first.build((6,))
    second.build((6,))

    np.testing.assert_array_equal(first.params["kernel"], second.params["kernel"])


@pytest.mark.parametrize("floatx, dtype", [("float32", np.float32), ("float64", np.float64)])
def test_weights_follow_floatx(floatx, dtype):
    backend.set_floatx(floatx)
    layer = Dense(2)
    layer.build((3,))

    assert all(weight.dtype == dtype for weight in layer.weights)
    assert all(grad.dtype == dtype for grad in layer.grads.values())


def test_parameter_counts():
    layer = Dense(15, input_dim=784)
    layer.build(layer.declared_input_shape)
    no_bias = Dense(10, use_bias=False)
    no_bias.build((15,))

    assert layer.count_params() == 11775
    assert no_bias.count_params() == 150


def test_backward_without_input_gradient_still_fills_parameter_gradients(rng, kernel_path):
    layer = build_with_random_weights(Dense(UNITS), rng)
    x = rng.normal(size=(BATCH, INPUTS)).astype(np.float32)
    grad_output = np.ones((BATCH, UNITS), dtype=np.float32)
    layer.forward(x)

    assert layer.backward(grad_output, need_input_grad=False) is None
    np.testing.assert_allclose(layer.grads["kernel"], x.T @ grad_output, rtol=1e-5)
    np.testing.assert_allclose(layer.grads["bias"], np.full(UNITS, BATCH), rtol=1e-6)


def test_regularization_loss():
    layer = Dense(2, kernel_regularizer=regularizers.L1(0.5), bias_regularizer=regularizers.L2(0.25))
    layer.build((2,))
    layer.set_weights([np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([2.0, -1.0])])

    assert layer.regularization_loss() == pytest.approx(0.5 * 3.5 + 0.25 * 5.0)
    assert Dense(2).regularization_loss() == 0.0


@pytest.mark.parametrize("units", [0, -3, 2.5, True, "8"])
def test_invalid_units_are_rejected(units):
    with pytest.raises(ValueError, match="units"):
        Dense(units)


def test_three_dimensional_input_asks_for_flatten():
    layer = Dense(4)

    with pytest.raises(ValueError, match=r"Flatten\(\)") as info:
        layer(np.zeros((2, 28, 28), dtype=np.float32))
    assert "(batch, 28, 28)" in str(info.value)


def test_set_weights_rejects_wrong_shapes():
    layer = Dense(4)
    layer.build((5,))

    with pytest.raises(ValueError, match=r"expects weights of shapes \[\(5, 4\), \(4,\)\].*\[\(4, 5\), \(4,\)\]"):
        layer.set_weights([np.zeros((4, 5)), np.zeros(4)])
    with pytest.raises(ValueError, match=r"\[\(5, 4\), \(4,\)\]"):
        layer.set_weights([np.zeros((5, 4))])


def test_set_weights_then_get_weights_round_trips(rng):
    layer = Dense(4)
    layer.build((5,))
    weights = [rng.normal(size=(5, 4)), rng.normal(size=4)]

    layer.set_weights(weights)

    for got, expected in zip(layer.get_weights(), weights):
        np.testing.assert_allclose(got, expected.astype(np.float32))


def test_config_round_trip():
    layer = Dense(
        15, activation=activations.LeakyReLU(0.1), use_bias=False, input_dim=784,
        kernel_initializer=initializers.VarianceScaling(2.0, "fan_out", "uniform"),
        kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.02), bias_regularizer="l2", name="hidden",
    )
    config = layer.get_config()

    restored = Dense.from_config(config)

    assert restored.get_config() == config
    assert restored.units == 15 and restored.use_bias is False
    assert isinstance(restored.activation, activations.LeakyReLU) and restored.activation.alpha == 0.1
    assert restored.declared_input_shape == (784,)
    assert layers.deserialize(layers.serialize(layer)).get_config() == config


def test_default_config_round_trip():
    config = Dense(3).get_config()

    assert Dense.from_config(config).get_config() == config
