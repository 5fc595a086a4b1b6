import numpy as np
import pytest

from layer_checks import check_layer_gradients
from neurona import layers
from neurona.layers import Rescaling, Reshape, ZeroPadding2D
from neurona.models import Sequential


@pytest.fixture
def rng():
    return np.random.default_rng(2)


@pytest.mark.parametrize("target, shape, expected", [
    ((28, 28, 1), (784,), (28, 28, 1)), ((-1,), (4, 4, 2), (32,)), ((4, -1), (2, 2, 2), (4, 2)),
])
def test_reshape_shapes_in_c_order(target, shape, expected, rng):
    layer = Reshape(target)
    layer.build(shape)
    assert layer.compute_output_shape(shape) == expected
    x = rng.normal(size=(3,) + shape)
    np.testing.assert_array_equal(layer.forward(x), x.reshape((3,) + expected))


@pytest.mark.usefixtures("float64")
def test_reshape_gradient(rng):
    layer = Reshape((2, 6))
    layer.build((3, 4))
    check_layer_gradients(layer, rng.normal(size=(2, 3, 4)), rng)


@pytest.mark.parametrize("target, message", [
    ((5, 5), r"Reshape layer 'r' cannot reshape inputs of shape \(28, 28\) \(784 values\) to target_shape=\(5, 5\) \(25 values\)"),
    ((5, -1), r"cannot reshape inputs of shape \(28, 28\) \(784 values\) to target_shape=\(5, -1\)"),
])
def test_reshape_to_a_wrong_size_is_refused(target, message):
    with pytest.raises(ValueError, match=message):
        Reshape(target, name="r").build((28, 28))


@pytest.mark.parametrize("target", [(-1, -1), (0, 4), (), "28x28", (2.5,)])
def test_reshape_bad_target_shape(target):
    with pytest.raises(ValueError, match=r"Reshape layer .* expects target_shape as a tuple of positive integers"):
        Reshape(target)


@pytest.mark.parametrize("padding, expected", [
    (1, ((1, 1), (1, 1))), ((2, 3), ((2, 2), (3, 3))), (((0, 1), (2, 0)), ((0, 1), (2, 0))),
])
def test_zero_padding_arguments_and_shapes(padding, expected, rng):
    layer = ZeroPadding2D(padding)
    assert layer.padding == expected
    layer.build((3, 4, 2))
    (top, bottom), (left, right) = expected
    x = rng.normal(size=(2, 3, 4, 2)).astype(np.float32)
    out = layer.forward(x)
    assert out.shape == (2,) + layer.compute_output_shape((3, 4, 2)) == (2, 3 + top + bottom, 4 + left + right, 2)
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))))


@pytest.mark.usefixtures("float64")
def test_zero_padding_gradient(rng):
    layer = ZeroPadding2D(((1, 0), (2, 1)))
    layer.build((3, 2, 2))
    check_layer_gradients(layer, rng.normal(size=(2, 3, 2, 2)), rng)


@pytest.mark.parametrize("padding", [-1, (1, 2, 3), ((1, -1), (0, 0)), "same"])
def test_zero_padding_bad_arguments(padding):
    with pytest.raises(ValueError, match=r"ZeroPadding2D layer"):
        ZeroPadding2D(padding)


def test_rescaling_values(rng):
    layer = Rescaling(1 / 127.5, offset=-1)
    x = rng.integers(0, 256, size=(2, 3, 3, 1)).astype(np.float32)
    np.testing.assert_allclose(layer.forward(x), x / 127.5 - 1, rtol=1e-6)


@pytest.mark.usefixtures("float64")
def test_rescaling_gradient(rng):
    layer = Rescaling(0.5, offset=2.0)
    layer.build((3, 2))
    check_layer_gradients(layer, rng.normal(size=(2, 3, 2)), rng)


def test_rescaling_bad_scale():
    with pytest.raises(ValueError, match=r"Rescaling layer .* expects a number for scale\. Received: scale='1/255'"):
        Rescaling("1/255")


def test_a_cnn_from_flat_pixels_trains(rng):
    model = Sequential([
        layers.Input(shape=(64,)), Reshape((8, 8, 1)), Rescaling(1 / 16), ZeroPadding2D(1),
        layers.Conv2D(4, 3, activation="relu"), layers.BatchNormalization(), layers.MaxPooling2D(),
        layers.GlobalAveragePooling2D(), layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = rng.integers(0, 17, size=(256, 64)).astype(np.float32)
    y = (x[:, :32].sum(axis=1) > x[:, 32:].sum(axis=1)).astype(int)
    history = model.fit(x, y, batch_size=32, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] - 0.1
