"""ReLU, Softmax, LeakyReLU, ELU, PReLU, Identity, Permute, GaussianNoise and Normalization."""

import numpy as np
import pytest

from layer_checks import check_layer_gradients
from gradient_check import away_from_zero
from neurona import layers
from neurona.models import Sequential


@pytest.fixture
def rng():
    return np.random.default_rng(6)


def keras_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.minimum(out, max_value)


@pytest.mark.parametrize("options", [{}, {"max_value": 1.0}, {"negative_slope": 0.1},
                                     {"threshold": 0.5, "negative_slope": 0.2, "max_value": 1.5}])
def test_relu_options_follow_keras(options, rng):
    x = rng.normal(size=(4, 6)).astype(np.float32) * 2
    np.testing.assert_allclose(layers.ReLU(**options)(x), keras_relu(x, **options), rtol=1e-6)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("make", [
    lambda: layers.ReLU(), lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.3),
    lambda: layers.LeakyReLU(), lambda: layers.LeakyReLU(negative_slope=0.05), lambda: layers.ELU(alpha=0.5),
    lambda: layers.Softmax(), lambda: layers.Softmax(axis=1), lambda: layers.Identity(),
    lambda: layers.Permute((2, 1)), lambda: layers.PReLU(), lambda: layers.PReLU(shared_axes=[1]),
], ids=["relu", "relu-options", "leaky", "leaky-0.05", "elu", "softmax", "softmax-axis1", "identity", "permute",
        "prelu", "prelu-shared"])
def test_gradients(make, rng):
    layer = make()
    layer.build((3, 4))
    if isinstance(layer, layers.PReLU):
        layer.params["alpha"][...] = rng.uniform(0.1, 0.5, size=layer.params["alpha"].shape)
    kinks = [0.0] + ([layer.threshold, layer.max_value] if isinstance(layer, layers.ReLU) and layer.threshold else [])
    for _ in range(100):  # inputs clear of every kink, where the derivative jumps
        x = away_from_zero(rng, (2, 3, 4))
        if min(np.abs(x - kink).min() for kink in kinks) > 0.01:
            break
    check_layer_gradients(layer, x, rng)


def test_keras_defaults_and_names():
    assert layers.LeakyReLU().negative_slope == 0.3
    assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
    assert layers.ReLU().name.startswith("re_lu") and layers.PReLU().name.startswith("p_re_lu")
    assert layers.PReLU().get_config()["shared_axes"] is None


def test_prelu_shares_slopes_along_axes():
    layer = layers.PReLU(shared_axes=[1, 2])
    layer.build((4, 4, 3))
    assert layer.params["alpha"].shape == (1, 1, 3)


def test_a_softmax_layer_last_gives_the_fused_loss(rng):
    model = Sequential([layers.Dense(3, input_shape=(4,)), layers.Softmax()])
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    assert model._uses_fused_gradient()
    model.fit(rng.normal(size=(16, 4)), rng.integers(0, 3, 16), verbose=0)


def test_permute_values():
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Permute((2, 1))(x), x.transpose(0, 2, 1))
    with pytest.raises(ValueError, match=r"Permute layer .* expects dims as a permutation of 1\.\.rank"):
        layers.Permute((0, 1))


def test_gaussian_noise_acts_in_training_only(rng):
    layer = layers.GaussianNoise(0.5, seed=1)
    layer.build((1000,))
    x = np.zeros((4, 1000), np.float32)
    assert layer.forward(x, training=False) is x
    noisy = layer.forward(x, training=True)
    assert 0.45 < noisy.std() < 0.55 and abs(noisy.mean()) < 0.05
    layer.reseed([3, 0])
    first = layer.forward(x, training=True).copy()
    layer.reseed([3, 0])
    np.testing.assert_array_equal(layer.forward(x, training=True), first)


def test_normalization_adapts_like_keras(rng):
    data = rng.normal(size=(100, 3)) * [1, 2, 3] + [0, 5, -5]
    layer = layers.Normalization()
    layer.adapt(data)
    out = layer(data.astype(np.float32)).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)
    assert list(layer.params) == ["mean", "variance", "count"] and layer.trainable_names == []
    assert float(layer.params["count"]) == 100
    inverse = layers.Normalization(mean=layer.params["mean"], variance=layer.params["variance"], invert=True)
    np.testing.assert_allclose(inverse(out), data, rtol=1e-4, atol=1e-4)


@pytest.mark.usefixtures("float64")
def test_normalization_gradient(rng):
    layer = layers.Normalization(axis=-1, mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 0.25, 2.0])
    layer.build((3, 4))
    check_layer_gradients(layer, rng.normal(size=(2, 3, 4)), rng)


@pytest.mark.parametrize("make", [lambda: layers.ReLU(max_value=2.0), lambda: layers.LeakyReLU(0.1),
                                  lambda: layers.ELU(0.5), lambda: layers.Softmax(axis=1), lambda: layers.PReLU(),
                                  lambda: layers.Permute((2, 1)), lambda: layers.GaussianNoise(0.1, seed=2),
                                  lambda: layers.Normalization(mean=[0.0] * 4, variance=[1.0] * 4)])
def test_config_round_trip(make):
    layer = make()
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == layer.get_config()
