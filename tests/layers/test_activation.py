import numpy as np
import pytest

from gradient_check import assert_gradient_close, away_from_zero, numeric_gradient
from neurona import activations, layers
from neurona.layers import Activation

NAMES = ["linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu"]


@pytest.fixture
def rng():
    return np.random.default_rng(13)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("name", NAMES)
def test_input_gradient(name, rng):
    layer = Activation(name)
    x = away_from_zero(rng, (3, 6))
    r = rng.normal(size=x.shape)

    def objective():
        return float(np.sum(layer.forward(x) * r))

    layer.forward(x)
    grad_input = layer.backward(r).copy()

    assert_gradient_close(numeric_gradient(objective, x), grad_input)


@pytest.mark.parametrize("name", NAMES)
def test_output_matches_the_activation_function_and_leaves_input_intact(name, rng):
    x = rng.normal(size=(3, 6)).astype(np.float32)
    original = x.copy()

    output = Activation(name)(x)

    np.testing.assert_array_equal(output, activations.get(name)(original))
    np.testing.assert_array_equal(x, original)
    assert output.shape == x.shape and output.dtype == np.float32


def test_backward_without_activation_passes_the_gradient_through(rng):
    layer = Activation("softmax")
    grad = rng.normal(size=(2, 3))
    layer.forward(rng.normal(size=(2, 3)))

    assert layer.backward(grad, through_activation=False) is grad


def test_accepts_an_activation_instance():
    leaky = activations.LeakyReLU(0.1)

    assert Activation(leaky).activation is leaky


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="Unknown activation"):
        Activation("swishy")


def test_has_no_parameters_and_keeps_the_shape():
    layer = Activation("relu")
    layer.build((4, 5))

    assert layer.count_params() == 0
    assert layer.compute_output_shape((4, 5)) == (4, 5)


def test_backward_without_input_gradient_returns_none():
    layer = Activation("tanh")
    layer.forward(np.zeros((2, 3)))

    assert layer.backward(np.ones((2, 3)), need_input_grad=False) is None


@pytest.mark.parametrize("activation", ["softmax", activations.ELU(alpha=0.5)], ids=["softmax", "elu"])
def test_config_round_trip(activation):
    layer = Activation(activation, name="act")
    config = layer.get_config()

    restored = Activation.from_config(config)

    assert restored.get_config() == config
    assert type(restored.activation) is type(layer.activation)
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
