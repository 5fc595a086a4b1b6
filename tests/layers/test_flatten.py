import numpy as np
import pytest

from gradient_check import assert_gradient_close, numeric_gradient
from neurona import layers
from neurona.layers import Flatten


@pytest.mark.usefixtures("float64")
def test_input_gradient():
    rng = np.random.default_rng(9)
    layer = Flatten()
    x = rng.normal(size=(3, 4, 5))
    r = rng.normal(size=(3, 20))

    def objective():
        return float(np.sum(layer(x) * r))

    layer(x)
    grad_input = layer.backward(r)

    assert grad_input.shape == x.shape
    assert_gradient_close(numeric_gradient(objective, x), grad_input)


def test_output_keeps_the_batch_axis_and_row_major_order():
    x = np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5)

    output = Flatten()(x)

    assert output.shape == (2, 20)
    np.testing.assert_array_equal(output[1], np.arange(20, 40))
    assert output.dtype == np.float32


def test_forward_is_a_view():
    x = np.zeros((2, 4, 5))

    assert np.shares_memory(Flatten().forward(x), x)


@pytest.mark.parametrize("shape, expected", [((4, 5), (20,)), ((28, 28, 1), (784,)), ((7,), (7,))])
def test_compute_output_shape(shape, expected):
    assert Flatten().compute_output_shape(shape) == expected


def test_empty_batch():
    output = Flatten()(np.zeros((0, 4, 5)))

    assert output.shape == (0, 20)


def test_has_no_parameters():
    layer = Flatten()
    layer.build((4, 5))

    assert layer.count_params() == 0
    assert layer.get_weights() == []


def test_backward_without_input_gradient_returns_none():
    layer = Flatten()
    layer(np.zeros((2, 4, 5)))

    assert layer.backward(np.zeros((2, 20)), need_input_grad=False) is None


def test_config_round_trip():
    layer = Flatten(name="flat", input_shape=(28, 28))
    config = layer.get_config()

    restored = Flatten.from_config(config)

    assert restored.get_config() == config
    assert restored.declared_input_shape == (28, 28)
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
