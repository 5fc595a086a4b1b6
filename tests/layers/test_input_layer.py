import numpy as np
import pytest

from gradient_check import assert_gradient_close, numeric_gradient
from neurona import layers
from neurona.layers import Input, InputLayer


@pytest.mark.usefixtures("float64")
def test_input_gradient_is_the_identity():
    rng = np.random.default_rng(17)
    layer = InputLayer(shape=(4, 5))
    x = rng.normal(size=(3, 4, 5))
    r = rng.normal(size=x.shape)

    def objective():
        return float(np.sum(layer.forward(x) * r))

    grad_input = layer.backward(r)

    assert_gradient_close(numeric_gradient(objective, x), grad_input)


def test_passes_inputs_through_unchanged():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)

    assert InputLayer(shape=(3,)).forward(x) is x


@pytest.mark.parametrize(
    "layer",
    [InputLayer(shape=(784,)), InputLayer(input_shape=(784,)), InputLayer(shape=784),
     InputLayer(batch_input_shape=(None, 784)), Input(shape=(784,)).layer],
    ids=["shape", "input_shape", "int", "batch_input_shape", "Input"],
)
def test_declares_the_sample_shape(layer):
    assert layer.declared_input_shape == (784,)
    assert layer.compute_output_shape((784,)) == (784,)
    assert layer.count_params() == 0


def test_input_takes_a_name():
    tensor = Input(shape=(2, 3), name="pixels")
    assert tensor.name == tensor.layer.name == "pixels"


def test_input_is_a_symbolic_tensor_as_in_keras():
    tensor = Input(shape=(28, 28, 1))
    assert tensor.shape == (None, 28, 28, 1) and tensor.ndim == 4
    assert isinstance(tensor.layer, InputLayer)
    with pytest.raises(TypeError, match="is symbolic: it has no values"):
        tensor.numpy()


def test_a_shape_is_required():
    with pytest.raises(ValueError, match="needs a shape"):
        InputLayer()


def test_shape_and_input_shape_together_are_rejected():
    with pytest.raises(ValueError, match="not both"):
        InputLayer(shape=(3,), input_shape=(3,))


@pytest.mark.parametrize("shape", [(0,), (-1, 3), (2.5,), ()])
def test_non_positive_or_non_integer_shapes_are_rejected(shape):
    with pytest.raises(ValueError, match="positive integers"):
        InputLayer(shape=shape)


def test_backward_without_input_gradient_returns_none():
    assert InputLayer(shape=(3,)).backward(np.ones((2, 3)), need_input_grad=False) is None


def test_config_round_trip():
    layer = Input(shape=(28, 28), name="image").layer
    config = layer.get_config()

    restored = InputLayer.from_config(config)

    assert restored.get_config() == config
    assert restored.declared_input_shape == (28, 28)
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
