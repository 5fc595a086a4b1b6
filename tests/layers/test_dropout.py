import numpy as np
import pytest

from gradient_check import assert_gradient_close, numeric_gradient
from neurona import layers
from neurona.layers import Dropout


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def with_fixed_uniforms(layer, uniform):
    """The layer draws these uniform numbers, so its mask is (uniform >= rate) / (1 - rate)."""
    layer._uniform = lambda shape, dtype: uniform.astype(dtype)
    return layer


@pytest.mark.usefixtures("float64")
def test_input_gradient_with_a_fixed_mask(rng, kernel_path):
    rate = 0.4
    x = rng.normal(size=(4, 6))
    r = rng.normal(size=x.shape)
    uniform = rng.uniform(size=x.shape)
    mask = (uniform >= rate) / (1 - rate)
    layer = with_fixed_uniforms(Dropout(rate), uniform)
    layer.build(x.shape[1:])

    def objective():
        return float(np.sum(layer.forward(x, training=True) * r))

    np.testing.assert_array_equal(layer.forward(x, training=True), x * mask)
    grad_input = layer.backward(r).copy()

    assert_gradient_close(numeric_gradient(objective, x), grad_input)
    np.testing.assert_array_equal(grad_input, r * mask)
    assert layer.params == {} and layer.grads == {}


def test_inference_is_the_identity(rng):
    layer = Dropout(0.5)
    x = rng.normal(size=(8, 10)).astype(np.float32)
    grad = rng.normal(size=x.shape).astype(np.float32)

    output = layer(x, training=False)

    np.testing.assert_array_equal(output, x)
    np.testing.assert_array_equal(layer.backward(grad), grad)


def test_rate_zero_is_the_identity_in_training(rng):
    layer = Dropout(0.0)
    x = rng.normal(size=(8, 10)).astype(np.float32)

    np.testing.assert_array_equal(layer(x, training=True), x)


def test_training_drops_at_the_rate_and_preserves_the_mean():
    rate = 0.5
    layer = Dropout(rate, seed=0)
    x = np.ones((1000, 1000), dtype=np.float32)

    output = layer(x, training=True)

    dropped = output == 0
    assert dropped.mean() == pytest.approx(rate, abs=0.005)
    np.testing.assert_array_equal(output[~dropped], 1 / (1 - rate))
    assert output.mean() == pytest.approx(1.0, abs=0.01)
    assert output.dtype == np.float32


def test_backward_applies_the_same_mask_as_forward():
    layer = Dropout(0.3, seed=1)
    x = np.ones((50, 40), dtype=np.float32)

    output = layer(x, training=True)
    grad_input = layer.backward(np.ones_like(x))

    np.testing.assert_array_equal(grad_input, output)


def test_masks_differ_between_steps_and_repeat_with_the_seed():
    x = np.ones((20, 30))
    first, second = Dropout(0.5, seed=42), Dropout(0.5, seed=42)

    step_one, step_two = first(x, training=True), first(x, training=True)

    assert not np.array_equal(step_one, step_two)
    np.testing.assert_array_equal(second(x, training=True), step_one)


def test_shape_is_unchanged():
    assert Dropout(0.2).compute_output_shape((4, 5)) == (4, 5)


@pytest.mark.parametrize("rate", [1.0, 1.5, -0.1, "0.5", None])
def test_invalid_rate_is_rejected(rate):
    with pytest.raises(ValueError, match=r"rate in \[0, 1\)"):
        Dropout(rate)


@pytest.mark.parametrize("training", [True, False])
def test_backward_without_input_gradient_returns_none(training):
    layer = Dropout(0.5)
    x = np.ones((2, 3), dtype=np.float32)
    layer(x, training=training)

    assert layer.backward(np.ones_like(x), need_input_grad=False) is None


def test_config_round_trip():
    layer = Dropout(0.25, seed=3, name="drop")
    config = layer.get_config()

    restored = Dropout.from_config(config)

    assert config["rate"] == 0.25 and config["seed"] == 3
    assert restored.get_config() == config
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
