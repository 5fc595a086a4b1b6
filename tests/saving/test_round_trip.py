"""Save, load, and the model is the same: predictions and the next training step, bit for bit.

Every layer, activation, optimizer and loss, in each of the three formats. Keras' formats
carry the optimizer's variables but not Dropout's generator state, so for a model with
Dropout the next-step check runs in neurona's format only.
"""

import numpy as np
import pytest

from neurona import activations, losses, optimizers
from neurona.layers import ELU, Activation, Dense, Dropout, Flatten, Input, LeakyReLU
from neurona.models import Sequential, load_model

from .helpers import FORMATS, assert_same_weights, small_model


def train_a_little(model, data):
    x, y = data
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)


def assert_round_trip(model, data, tmp_path, form, next_step=True):
    x, y = data
    path = tmp_path / f"model.{form}"
    model.save(path)
    loaded = load_model(path)

    assert type(loaded) is type(model)
    assert comparable(loaded.get_config(), form) == comparable(model.get_config(), form)
    assert_same_weights(model, loaded)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.compiled
    assert optimizers.serialize(loaded.optimizer) == optimizers.serialize(model.optimizer)
    assert losses.serialize(loaded.loss) == losses.serialize(model.loss)
    assert loaded.metrics_names == model.metrics_names
    assert loaded.optimizer.iterations == model.optimizer.iterations
    if next_step:
        loaded_logs, model_logs = loaded.train_on_batch(x[:16], y[:16]), model.train_on_batch(x[:16], y[:16])
        if form == "neurona" or not model.optimizer.stored_slot_scales():
            assert loaded_logs == model_logs
            assert_same_weights(model, loaded)
            np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
        else:
            # Keras files hold Adam's and RMSprop's averages as the published rule defines
            # them; neurona keeps them divided by (1 - decay), so each conversion may round
            # them by one float32 unit.
            np.testing.assert_allclose(loaded_logs, model_logs, rtol=1e-6)
            for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
                np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
    return loaded


def comparable(config, form):
    """The config, less what Keras keeps elsewhere: a first layer's declared input shape
    (Keras records the model's input shape on its InputLayer instead)."""
    if form == "neurona":
        return config
    layers = [{**layer, "config": {k: v for k, v in layer["config"].items() if k != "input_shape"}}
              for layer in config["layers"]]
    return {**config, "layers": layers}


LAYER_CASES = {
    "dense": lambda: [Flatten(input_shape=(4, 4)), Dense(5, activation="relu", use_bias=False,
                                                         kernel_initializer="he_normal",
                                                         kernel_regularizer="l2", bias_regularizer="l1")],
    "dense_initializers": lambda: [Flatten(input_shape=(4, 4)), Dense(5, kernel_initializer="random_normal",
                                                                      bias_initializer="ones")],
    "flatten": lambda: [Flatten(input_shape=(4, 4))],
    "dropout": lambda: [Flatten(input_shape=(4, 4)), Dense(5, activation="relu"), Dropout(0.5, seed=3)],
    "activation": lambda: [Flatten(input_shape=(4, 4)), Dense(5), Activation("tanh")],
    "input_layer": lambda: [Input(shape=(4, 4)), Flatten()],
}


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_every_layer_round_trips(case, form, data, tmp_path):
    model = Sequential(LAYER_CASES[case]() + [Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    train_a_little(model, data)
    has_dropout = any(isinstance(layer, Dropout) for layer in model.layers)
    assert_round_trip(model, data, tmp_path, form, next_step=form == "neurona" or not has_dropout)


ACTIVATIONS = {
    **{name: name for name in ("linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu")},
    "leaky_relu_alpha": activations.LeakyReLU(alpha=0.05),
    "elu_alpha": activations.ELU(alpha=0.5),
}


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_round_trips(name, form, data, tmp_path):
    activation = ACTIVATIONS[name]
    if isinstance(activation, str):
        hidden = [Dense(5, activation=activation)]
    elif form == "neurona":
        hidden = [Dense(5), Activation(activation)]
    else:
        # Keras' formats name non-default alphas only on Keras' LeakyReLU and ELU layers, which
        # read back as neurona's layers of those names (test_functional_files checks Activation's).
        hidden = [Dense(5), {"leaky_relu": LeakyReLU, "elu": ELU}[activation.name](activation.alpha)]
    model = Sequential([Flatten(input_shape=(4, 4))] + hidden + [Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    train_a_little(model, data)
    assert_round_trip(model, data, tmp_path, form)


OPTIMIZERS = {
    "sgd": lambda: optimizers.SGD(learning_rate=0.05),
    "sgd_momentum": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
    "adam_amsgrad": lambda: optimizers.Adam(learning_rate=0.01, amsgrad=True),
    "rmsprop": lambda: optimizers.RMSprop(),
    "rmsprop_momentum": lambda: optimizers.RMSprop(momentum=0.5),
    "rmsprop_centered": lambda: optimizers.RMSprop(centered=True),
    "rmsprop_momentum_centered": lambda: optimizers.RMSprop(momentum=0.5, centered=True),
    "adagrad": lambda: optimizers.Adagrad(learning_rate=0.1),
    "adadelta": lambda: optimizers.Adadelta(learning_rate=1.0),
    "adamax": lambda: optimizers.Adamax(learning_rate=0.01),
    "nadam": lambda: optimizers.Nadam(learning_rate=0.01),
}


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_round_trips_with_its_state(name, form, data, tmp_path):
    model = small_model(OPTIMIZERS[name](), dropout=False)
    train_a_little(model, data)
    loaded = assert_round_trip(model, data, tmp_path, form)
    original_state, loaded_state = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert {k: v for k, v in loaded_state.items() if k != "slots"} == {
        k: v for k, v in original_state.items() if k != "slots"}


@pytest.mark.parametrize("form", FORMATS)
def test_an_optimizer_that_never_stepped_round_trips(form, data, tmp_path):
    model = small_model(optimizers.Adagrad(learning_rate=0.1), dropout=False)
    model.build((4, 4))
    assert_round_trip(model, data, tmp_path, form)


LOSSES = {
    "sparse_from_logits": (lambda: losses.SparseCategoricalCrossentropy(from_logits=True), "linear", False),
    "categorical": (lambda: "categorical_crossentropy", "softmax", True),
    "categorical_from_logits": (lambda: losses.CategoricalCrossentropy(from_logits=True), "linear", True),
    "binary": (lambda: "binary_crossentropy", "sigmoid", True),
    "mse": (lambda: "mse", "linear", True),
}


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_round_trips(name, form, data, tmp_path):
    make_loss, last_activation, one_hot = LOSSES[name]
    x, y = data
    targets = np.eye(3, dtype=np.float32)[y] if one_hot else y
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(5, activation="relu"),
                        Dense(3, activation=last_activation)])
    model.compile("sgd", make_loss())
    model.fit(x, targets, epochs=1, batch_size=16, verbose=0)
    assert_round_trip(model, (x, targets), tmp_path, form)


@pytest.mark.parametrize("form", FORMATS)
def test_a_float64_model_round_trips_in_float64(form, data, tmp_path, float64):
    model = small_model("adam", dropout=False)
    train_a_little(model, data)
    assert model.dtype == np.float64
    loaded = assert_round_trip(model, data, tmp_path, form)
    assert loaded.dtype == np.float64


def test_a_float64_file_loads_as_float64_whatever_floatx_says(data, tmp_path, float64):
    model = small_model("adam")
    model.build((4, 4))
    model.save(tmp_path / "model.neurona")
    from neurona import backend

    backend.set_floatx("float32")
    assert load_model(tmp_path / "model.neurona").dtype == np.float64


@pytest.mark.parametrize("form", FORMATS)
def test_compile_false_loads_weights_without_training_settings(form, data, tmp_path):
    model = small_model("adam")
    train_a_little(model, data)
    model.save(tmp_path / f"model.{form}")
    loaded = load_model(tmp_path / f"model.{form}", compile=False)
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(data[0]), model.predict(data[0]))


@pytest.mark.parametrize("form", FORMATS)
def test_an_uncompiled_model_round_trips(form, data, tmp_path):
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(3, activation="softmax")])
    model.save(tmp_path / f"model.{form}")
    loaded = load_model(tmp_path / f"model.{form}")
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(data[0]), model.predict(data[0]))


def test_an_unbuilt_model_round_trips_in_our_format(tmp_path):
    model = Sequential([Flatten(), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.save(tmp_path / "model.neurona")
    loaded = load_model(tmp_path / "model.neurona")
    assert not loaded.built
    assert loaded.get_config() == model.get_config()


@pytest.mark.parametrize("suffix", ["weights.neurona", "weights.h5", "h5", "neurona", "keras"])
def test_weights_round_trip_into_a_fresh_model(suffix, data, tmp_path):
    model = small_model("adam")
    train_a_little(model, data)
    path = tmp_path / f"model.{suffix}"
    if suffix == "keras":
        model.save(path)  # load_weights reads a whole-model file too
    else:
        model.save_weights(path)
    fresh = small_model("adam")
    fresh.build((4, 4))
    fresh.load_weights(path)
    assert_same_weights(model, fresh)


def test_save_weights_refuses_a_keras_name(tmp_path):
    model = small_model()
    model.build((4, 4))
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "model.keras")
    assert not list(tmp_path.iterdir())


def test_load_weights_refuses_a_model_of_other_shapes(data, tmp_path):
    model = small_model()
    model.build((4, 4))
    model.save_weights(tmp_path / "w.neurona")
    other = Sequential([Flatten(input_shape=(4, 4)), Dense(7), Dense(3)])
    before = other.get_weights()
    with pytest.raises(ValueError, match="shape"):
        other.load_weights(tmp_path / "w.neurona")
    for old, new in zip(before, other.get_weights()):
        np.testing.assert_array_equal(old, new)
