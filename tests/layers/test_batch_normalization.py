import numpy as np
import pytest

from layer_checks import check_layer_gradients
from neurona import layers
from neurona.layers import BatchNormalization, Conv2D, Dense, Flatten
from neurona.models import Sequential


@pytest.fixture
def rng():
    return np.random.default_rng(8)


def randomised(layer, shape, rng):
    layer.build(shape)
    for name in ("gamma", "beta"):
        if name in layer.params:
            layer.params[name][...] = rng.normal(size=layer.params[name].shape)
    layer.params["moving_mean"][...] = rng.normal(size=layer.params["moving_mean"].shape)
    layer.params["moving_variance"][...] = rng.uniform(0.5, 2.0, size=layer.params["moving_variance"].shape)
    return layer


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("shape, options", [
    ((4, 3, 5), {}),
    ((6,), {}),
    ((4, 3, 5), {"center": False}),
    ((4, 3, 5), {"scale": False}),
    ((4, 3, 5), {"center": False, "scale": False}),
    ((4, 3, 5), {"axis": 1}),
    ((4, 3, 5), {"axis": -3}),
    ((4, 3, 5), {"gamma_regularizer": "l2", "beta_regularizer": "l1"}),
], ids=["4d", "2d", "no-center", "no-scale", "neither", "axis1", "axis-3", "regularized"])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_gradients(shape, options, training, rng, kernel_path):
    layer = randomised(BatchNormalization(**options), shape, rng)
    check_layer_gradients(layer, rng.normal(size=(5,) + shape) * 2 + 1, rng, training=training)


def test_training_normalises_by_the_batch_and_updates_the_moving_statistics(rng, kernel_path):
    layer = BatchNormalization(momentum=0.9, epsilon=1e-3)
    layer.build((3, 2, 4))
    x = (rng.normal(size=(6, 3, 2, 4)) * [1, 2, 3, 4] + [0, 1, -1, 5]).astype(np.float32)
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    gamma[...] = [1.0, 2.0, 0.5, 1.5]
    beta[...] = [0.0, 1.0, -1.0, 0.5]

    out = layer.forward(x, training=True)

    mean = x.astype(np.float64).mean(axis=(0, 1, 2))
    var = x.astype(np.float64).var(axis=(0, 1, 2))  # biased, as Keras
    np.testing.assert_allclose(out, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.params["moving_mean"], 0.0 * 0.9 + mean * 0.1, rtol=1e-5)
    np.testing.assert_allclose(layer.params["moving_variance"], 1.0 * 0.9 + var * 0.1, rtol=1e-5)


def test_inference_uses_the_moving_statistics(rng, kernel_path):
    layer = randomised(BatchNormalization(), (5,), rng)
    x = rng.normal(size=(4, 5)).astype(np.float32)
    p = layer.params
    before = {name: value.copy() for name, value in p.items()}

    out = layer.forward(x, training=False)

    expected = p["gamma"] * (x - p["moving_mean"]) / np.sqrt(p["moving_variance"] + 1e-3) + p["beta"]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    for name, value in p.items():
        np.testing.assert_array_equal(value, before[name])


def test_weights_in_keras_order_with_non_trainable_moving_statistics():
    layer = BatchNormalization()
    layer.build((7, 7, 32))
    assert list(layer.params) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert layer.trainable_names == ["gamma", "beta"]
    assert set(layer.grads) == {"gamma", "beta"}
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2
    assert layer.count_params() == 128 and layer.count_trainable_params() == 64
    assert [w.shape for w in layer.get_weights()] == [(32,)] * 4
    bare = BatchNormalization(center=False, scale=False)
    bare.build((3,))
    assert list(bare.params) == ["moving_mean", "moving_variance"] and bare.trainable_names == []


def test_summary_counts_non_trainable_weights_as_keras_does():
    model = Sequential([layers.Input(shape=(8, 8, 1)), Conv2D(4, 3), BatchNormalization(), Flatten(), Dense(2)])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    total = 40 + 16 + 6 * 6 * 4 * 2 + 2
    assert f"Total params: {total:,}" in text
    assert f"Trainable params: {total - 8:,}" in text
    assert "Non-trainable params: 8" in text
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2


def test_the_optimizer_never_sees_the_moving_statistics(rng):
    model = Sequential([layers.Input(shape=(4,)), BatchNormalization(), Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    bn = model.layers[0]
    model.fit(rng.normal(size=(32, 4)) * 3 + 2, rng.integers(0, 2, 32), batch_size=32, epochs=1, verbose=0)
    entries = [name for layer, name in model._parameter_pack.entries if layer is bn]
    assert entries == ["gamma", "beta"]
    # One batch of 32: the moving statistics moved by exactly one momentum step towards it.
    assert np.all(bn.params["moving_mean"] != 0)


def test_a_frozen_layer_runs_in_inference_mode_during_fit(rng):
    model = Sequential([layers.Input(shape=(4,)), BatchNormalization(trainable=False), Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    bn = model.layers[0]
    before = [w.copy() for w in bn.get_weights()]
    model.fit(rng.normal(size=(64, 4)) * 3 + 2, rng.integers(0, 2, 64), batch_size=16, epochs=2, verbose=0)
    for old, new in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert bn.trainable_names == [] and len(bn.non_trainable_weights) == 4


@pytest.mark.parametrize("kwargs, message", [
    ({"axis": 0}, r"axis=0 is not a feature axis"),
    ({"axis": 4}, r"axis=4 is not a feature axis"),
])
def test_bad_axes_name_the_layer(kwargs, message):
    with pytest.raises(ValueError, match=r"BatchNormalization layer 'bn': " + message):
        BatchNormalization(name="bn", **kwargs).build((3, 3, 2))


@pytest.mark.parametrize("kwargs, message", [
    ({"momentum": 1.5}, r"momentum in \[0, 1\]"),
    ({"epsilon": 0}, r"epsilon > 0"),
    ({"axis": [1, 2]}, r"one integer axis"),
    ({"synchronized": True}, r"does not support synchronized"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNormalization(**kwargs)


def test_config_round_trip():
    layer = BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False, gamma_regularizer="l2", name="bn")
    assert BatchNormalization.from_config(layer.get_config()).get_config() == layer.get_config()
