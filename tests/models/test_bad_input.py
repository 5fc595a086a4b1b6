"""Every kind of bad input gives one ValueError/TypeError naming what was expected and given,
raised before any training step changes the weights."""

import numpy as np
import pytest

from neurona import layers, utils
from neurona.layers import Dense, Flatten
from neurona.models import Sequential


@pytest.fixture
def model():
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.random((20, 4, 4)).astype("float32"), rng.integers(0, 3, size=20)


def assert_untouched(model, before):
    for got, expected in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, expected)
    assert model.optimizer.iterations == 0


def test_inputs_of_the_wrong_shape(model, data):
    x, y = data
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"expects x of shape \(batch, 4, 4\)\. Received x of shape \(20, 16\)"):
        model.fit(x.reshape(20, 16), y, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(batch, 4, 4\).*\(20, 4, 5\)"):
        model.predict(np.zeros((20, 4, 5)))
    with pytest.raises(ValueError, match="batch axis"):
        model.predict(np.zeros(16))
    assert_untouched(model, before)


def test_inputs_and_targets_of_different_lengths(model, data):
    x, y = data
    with pytest.raises(ValueError, match="Received 20 inputs and 19 targets"):
        model.fit(x, y[:19], verbose=0)


def test_labels_outside_the_loss_range(model, data):
    x, y = data
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\].*Received labels from 0 to 3"):
        model.fit(x, np.where(y == 2, 3, y), verbose=0)
    with pytest.raises(ValueError, match="from -1 to"):
        model.fit(x, y - 1, verbose=0)
    assert_untouched(model, before)


def test_one_hot_targets_given_to_the_sparse_loss(model, data):
    x, y = data
    with pytest.raises(ValueError, match="one-hot targets: use categorical_crossentropy"):
        model.fit(x, utils.to_categorical(y, 3), verbose=0)


def test_class_indices_given_to_the_categorical_loss(data):
    x, y = data
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"one-hot targets of shape \(batch, 3\).*sparse_categorical_crossentropy"):
        model.fit(x, y, verbose=0)


def test_nan_or_inf_in_inputs(model, data):
    x, y = data
    x[3, 1, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf \(first at index \(3, 1, 2\)\)"):
        model.fit(x, y, verbose=0)
    x[3, 1, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        model.predict(x)


def test_nan_in_targets(data):
    x, y = data
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    with pytest.raises(ValueError, match="NaN or inf"):
        model.fit(x, np.where(y == 0, np.nan, 1.0), verbose=0)


def test_non_numeric_inputs(model):
    with pytest.raises(ValueError, match="must be numeric"):
        model.predict(np.array([["a"] * 4] * 4, dtype=object)[None])


def test_fit_or_evaluate_before_compile(data):
    x, y = data
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(3, activation="softmax")])
    with pytest.raises(ValueError, match=r"must be compiled.*model\.compile"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="must be compiled"):
        model.evaluate(x, y, verbose=0)


def test_compile_without_a_loss():
    with pytest.raises(ValueError, match="needs a loss"):
        Sequential([Dense(1, input_dim=2)]).compile("sgd")


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Dense(3, activation="relux"), r"Unknown activation: 'relux'\. Expected one of \[.*'relu'"),
        (lambda: Sequential([Dense(1, input_dim=2)]).compile("adamm", "mse"), r"Unknown optimizer: 'adamm'\. Expected one of \[.*'adam'"),
        (lambda: Sequential([Dense(1, input_dim=2)]).compile("sgd", "crossentropy"), r"Unknown loss: 'crossentropy'\. Expected one of"),
        (lambda: Dense(3, kernel_initializer="glorot"), r"Unknown initializer: 'glorot'"),
        (lambda: layers.deserialize({"class_name": "Conv3D", "config": {}}), r"Unknown layer: 'Conv3D'\. Expected one of \[.*'Dense'"),
        (lambda: Sequential([Dense(1, input_dim=2)]).compile("sgd", "mse", metrics=["precisionn"]), r"Unknown metric: 'precisionn'"),
    ],
)
def test_unknown_names(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": 0}, "batch_size must be a positive integer. Received: batch_size=0"),
        ({"epochs": -1}, "epochs must be a non-negative integer"),
        ({"validation_split": 1.5}, r"validation_split must be in \[0, 1\)"),
        ({"validation_data": (np.zeros((2, 4, 4)),)}, r"validation_data must be a tuple \(x_val, y_val\)"),
        ({"validation_data": (np.zeros((2, 3)), np.zeros(2))}, r"expects validation_data x of shape \(batch, 4, 4\)"),
    ],
)
def test_bad_fit_arguments(model, data, kwargs, message):
    x, y = data
    before = model.get_weights()
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, verbose=0, **kwargs)
    assert_untouched(model, before)


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match="positive integer for units. Received: units=0"):
        Dense(0)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        Dense(3, unitz=4)
    with pytest.raises(ValueError, match="input shape of positive integers"):
        Dense(3, input_shape=(0,))
