"""Convolutional models in every format: Keras-written files load and predict as Keras does,
every image layer round-trips (BatchNormalization's moving statistics included), Keras reads
what we write, and Keras options neurona lacks are refused with one clear error.

The cnn_* fixtures were written by Keras 3.15.1 (see tools/make_keras_fixtures.py, `--only cnn`).
"""

import json
import os
import shutil
import zipfile

import numpy as np
import pytest

from neurona import activations
from neurona.layers import (AveragePooling2D, BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D,
                            GlobalMaxPooling2D, Input, MaxPooling2D, Reshape, Rescaling, ZeroPadding2D)
from neurona.models import Sequential, load_model
from neurona.saving import ModelFileError, model_state
from neurona.saving.keras_config import model_to_keras

from .helpers import FIXTURES, FORMATS, assert_same_weights
from .test_round_trip import assert_round_trip

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # quiet TensorFlow, for the tests that import Keras
CNN_FIXTURES = ["cnn_conv", "cnn_batchnorm", "cnn_pooling", "cnn_reshaping"]


@pytest.fixture
def images():
    """48 images of 6x6 pixels, 2 channels, 3 classes."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(48, 6, 6, 2)).astype(np.float32), rng.integers(0, 3, 48)


# Keras-written files ------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("name", CNN_FIXTURES)
def test_keras_cnn_files_give_keras_predictions(name, suffix, kernel_path):
    arrays = np.load(FIXTURES / f"{name}.npz")
    model = load_model(FIXTURES / f"{name}.{suffix}")
    predictions = model.predict(arrays["x"])
    assert predictions.shape == arrays["predictions"].shape and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions, arrays["predictions"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_cnn_files_bring_their_layer_settings(suffix):
    conv = load_model(FIXTURES / f"cnn_conv.{suffix}")
    assert conv.input_shape == (9, 9, 2)
    assert [(layer.kernel_size, layer.strides, layer.padding, layer.dilation_rate, layer.use_bias,
             layer.activation.name) for layer in conv.layers[:4]] == [
        ((3, 3), (1, 1), "same", (1, 1), True, "relu"), ((2, 3), (1, 1), "valid", (1, 1), False, "linear"),
        ((3, 3), (2, 2), "same", (1, 1), True, "linear"), ((2, 2), (1, 1), "valid", (2, 2), True, "tanh")]
    assert not conv.compiled

    pooling = load_model(FIXTURES / f"cnn_pooling.{suffix}")
    assert [type(layer).__name__ for layer in pooling.layers] == [
        "Conv2D", "MaxPooling2D", "AveragePooling2D", "MaxPooling2D", "GlobalMaxPooling2D", "Reshape",
        "GlobalAveragePooling2D", "Dense"]
    average = pooling.layers[2]
    assert (average.pool_size, average.strides, average.padding) == ((3, 3), (2, 2), "same")
    assert pooling.layers[4].keepdims and not pooling.layers[6].keepdims

    reshaping = load_model(FIXTURES / f"cnn_reshaping.{suffix}")
    rescaling, reshape, padding = reshaping.layers[:3]
    assert reshaping.input_shape == (36,)
    assert (rescaling.scale, rescaling.offset) == (pytest.approx(1 / 255), -0.5)
    assert reshape.target_shape == (6, -1, 1)
    assert padding.padding == ((1, 2), (0, 1))


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_batch_normalization_brings_its_moving_statistics(suffix):
    model = load_model(FIXTURES / f"cnn_batchnorm.{suffix}")
    images, vectors = model.layers[1], model.layers[4]
    assert (images.momentum, images.epsilon, images.center) == (0.5, 0.001, True)
    assert (vectors.momentum, vectors.epsilon, vectors.center) == (0.7, 0.01, False)
    assert list(images.params) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert list(vectors.params) == ["gamma", "moving_mean", "moving_variance"]
    assert images.non_trainable_names == {"moving_mean", "moving_variance"}
    # Trained 3 epochs at momentum 0.5: far from the initial zeros and ones.
    assert np.abs(images.params["moving_mean"]).min() > 1e-3
    assert np.abs(images.params["moving_variance"] - 1).min() > 1e-3
    assert model.compiled and model.optimizer.iterations == 9


# Round trips -------------------------------------------------------------------------------

CNN_CASES = {
    "conv2d_same": lambda: [Input(shape=(6, 6, 2)), Conv2D(3, 3, padding="same", activation="relu",
                                                           kernel_regularizer="l2", bias_initializer="ones")],
    "conv2d_valid": lambda: [Conv2D(2, (2, 3), use_bias=False, kernel_initializer="he_normal",
                                    input_shape=(6, 6, 2))],
    "conv2d_strided": lambda: [Input(shape=(6, 6, 2)), Conv2D(2, 3, strides=2, padding="same")],
    "conv2d_dilated": lambda: [Input(shape=(6, 6, 2)), Conv2D(2, 2, dilation_rate=2, activation="tanh")],
    "batch_norm": lambda: [Input(shape=(6, 6, 2)), Conv2D(2, 3), BatchNormalization(momentum=0.5), Flatten(),
                           BatchNormalization(center=False, epsilon=0.01, gamma_regularizer="l2")],
    "batch_norm_frozen": lambda: [Input(shape=(6, 6, 2)), BatchNormalization(trainable=False), Conv2D(2, 3)],
    "max_pooling": lambda: [Input(shape=(6, 6, 2)), MaxPooling2D()],
    "max_pooling_same": lambda: [Input(shape=(6, 6, 2)), MaxPooling2D(3, strides=2, padding="same")],
    "average_pooling_same": lambda: [Input(shape=(6, 6, 2)), AveragePooling2D(3, strides=2, padding="same")],
    "global_average_pooling": lambda: [Input(shape=(6, 6, 2)), Conv2D(3, 3), GlobalAveragePooling2D()],
    "global_max_pooling": lambda: [Input(shape=(6, 6, 2)), Conv2D(3, 3), GlobalMaxPooling2D(keepdims=True)],
    "rescaling": lambda: [Input(shape=(6, 6, 2)), Rescaling(1 / 255, offset=-0.5), Conv2D(2, 3)],
    "reshape": lambda: [Input(shape=(6, 6, 2)), Reshape((3, -1, 2)), Conv2D(2, 2)],
    "zero_padding": lambda: [Input(shape=(6, 6, 2)), ZeroPadding2D(((1, 2), (0, 1))), Conv2D(2, 3)],
}


def cnn_model(case):
    layers = CNN_CASES[case]()
    model = Sequential(layers + [Flatten(), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("case", sorted(CNN_CASES))
def test_every_image_layer_round_trips(case, form, images, tmp_path):
    model = cnn_model(case)
    x, y = images
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert_round_trip(model, images, tmp_path, form)


@pytest.mark.parametrize("form", FORMATS)
def test_trained_batch_normalization_round_trips_with_its_moving_statistics(form, images, tmp_path):
    model = cnn_model("batch_norm")
    initial = [layer.get_weights() for layer in model.layers if isinstance(layer, BatchNormalization)]
    x, y = images
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    loaded = assert_round_trip(model, images, tmp_path, form)
    for layer, before in zip([layer for layer in loaded.layers if isinstance(layer, BatchNormalization)], initial):
        assert layer.non_trainable_names == {"moving_mean", "moving_variance"}
        moving_mean, moving_variance = layer.get_weights()[-2:]
        assert not np.array_equal(moving_mean, before[-2]) and not np.array_equal(moving_variance, before[-1])
    # The optimizer's state covers the trainable weights only.
    assert [name for _, name, _ in model_state.trainable_entries(loaded)] == [
        "kernel", "bias", "gamma", "beta", "gamma", "kernel", "bias"]


@pytest.mark.parametrize("suffix", ["weights.neurona", "weights.h5", "h5", "keras"])
def test_cnn_weights_load_into_a_fresh_model(suffix, images, tmp_path):
    model = cnn_model("batch_norm")
    model.fit(*images, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / f"model.{suffix}"
    if suffix == "keras":
        model.save(path)
    else:
        model.save_weights(path)
    fresh = cnn_model("batch_norm")
    fresh.load_weights(path)
    assert_same_weights(model, fresh)
    np.testing.assert_array_equal(fresh.predict(images[0]), model.predict(images[0]))


# Keras reads what we write -------------------------------------------------------------------

def every_image_layer_model():
    return Sequential([
        Input(shape=(28, 28, 1)),
        Rescaling(1 / 255),
        ZeroPadding2D(((1, 0), (2, 1))),
        Conv2D(4, 3, padding="same", activation="relu"),
        BatchNormalization(momentum=0.5),
        MaxPooling2D(),
        Conv2D(4, (2, 3), strides=2, use_bias=False),
        AveragePooling2D(3, strides=2, padding="same"),
        Conv2D(3, 2, dilation_rate=2, padding="same", activation="tanh"),
        GlobalMaxPooling2D(keepdims=True),
        Reshape((3,)),
        BatchNormalization(center=False, epsilon=0.01),
        Dense(6, activation="relu"),
        Reshape((2, 3, 1)),
        GlobalAveragePooling2D(),
        Dense(3, activation="softmax"),
    ])


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning", "ignore::RuntimeWarning")
@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_loads_the_cnn_files_neurona_writes(suffix, tmp_path):
    keras = pytest.importorskip("keras", reason="Keras 3 is not installed (it is a dev-only check)")
    rng = np.random.default_rng(4)
    x, y = (rng.random((32, 28, 28, 1)) * 255).astype(np.float32), rng.integers(0, 3, 32)
    model = every_image_layer_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / f"model.{suffix}")

    loaded = keras.models.load_model(tmp_path / f"model.{suffix}")
    predictions = np.asarray(loaded.predict(x, verbose=0))
    assert predictions.shape == (32, 3) and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions, model.predict(x), rtol=0, atol=1e-4)
    for theirs, ours in zip(loaded.get_weights(), model.get_weights()):  # moving statistics included
        np.testing.assert_array_equal(theirs, ours)
    assert int(loaded.optimizer.iterations) == model.optimizer.iterations


def test_the_keras_configs_we_write_are_keras_3_configs():
    """Each new layer's config has the keys Keras 3's own get_config gives (Keras fills in
    only BatchNormalization's renorm options, which Keras 3.0 does not know), with its values."""
    keras = pytest.importorskip("keras", reason="Keras 3 is not installed (it is a dev-only check)")
    model = every_image_layer_model()
    ignored = {"dtype", "renorm", "renorm_clipping", "renorm_momentum"}
    for entry in model_to_keras(model, "keras3")["config"]["layers"][1:]:
        if entry["class_name"] == "Dense":
            continue
        ours = entry["config"]
        layer = keras.layers.deserialize({key: value for key, value in entry.items() if key != "build_config"})
        theirs = json.loads(json.dumps(layer.get_config()))  # tuples as the lists a file holds
        assert set(theirs) - ignored == set(ours) - ignored, entry["class_name"]
        for key, value in ours.items():
            if key not in ignored and not isinstance(value, dict):
                assert theirs[key] == value, (entry["class_name"], key)


# Refusals ------------------------------------------------------------------------------------

def edited_keras(tmp_path, name, change):
    with zipfile.ZipFile(FIXTURES / f"{name}.keras") as source:
        entries = {member: source.read(member) for member in source.namelist()}
    config = json.loads(entries["config.json"])
    change(config["config"]["layers"])
    entries["config.json"] = json.dumps(config).encode()
    path = tmp_path / f"edited_{name}.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for member, value in entries.items():
            archive.writestr(member, value)
    return path


def edited_h5(tmp_path, name, change):
    import h5py

    path = tmp_path / f"edited_{name}.h5"
    shutil.copy(FIXTURES / f"{name}.h5", path)
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        change(config["config"]["layers"])
        handle.attrs["model_config"] = json.dumps(config)
    return path


def set_option(position, key, value):
    def change(layers):
        layers[position]["config"][key] = value
    return change


REFUSED = {
    "conv2d_groups": ("cnn_conv", set_option(1, "groups", 2), r"Keras layer 1 \(Conv2D 'conv2d'\): groups=2 is not "
                      r"supported by neurona \(only 1"),
    "conv2d_channels_first": ("cnn_conv", set_option(2, "data_format", "channels_first"),
                              r"Keras layer 2 \(Conv2D 'conv2d_1'\): data_format='channels_first' is not supported"),
    "conv2d_constraint": ("cnn_conv", set_option(1, "kernel_constraint", {"class_name": "NonNeg", "config": {}}),
                          r"Keras layer 1 \(Conv2D 'conv2d'\): kernel_constraint=\{'class_name': 'NonNeg'"),
    "pooling_channels_first": ("cnn_pooling", set_option(2, "data_format", "channels_first"),
                               r"\(MaxPooling2D 'max_pooling2d'\): data_format='channels_first' is not supported"),
    "batch_norm_renorm": ("cnn_batchnorm", set_option(2, "renorm", True),
                          r"\(BatchNormalization 'batch_normalization'\): renorm=True is not supported"),
    "batch_norm_axes": ("cnn_batchnorm", set_option(2, "axis", [1, 2]),
                        r"\(BatchNormalization 'batch_normalization'\): axis=\[1, 2\] is not supported"),
}


@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_keras_option_neurona_lacks_is_refused_naming_the_layer_and_option(case, suffix, tmp_path):
    name, change, match = REFUSED[case]
    path = (edited_keras if suffix == "keras" else edited_h5)(tmp_path, name, change)
    with pytest.raises(ModelFileError, match=match) as refusal:
        load_model(path)
    message = str(refusal.value)
    assert message.startswith(str(path)) and "\n" not in message and "Traceback" not in message


def test_keras_2s_batch_normalization_axis_list_is_read_as_its_axis(tmp_path):
    path = edited_h5(tmp_path, "cnn_batchnorm", set_option(2, "axis", [3]))
    arrays = np.load(FIXTURES / "cnn_batchnorm.npz")
    model = load_model(path)
    assert model.layers[1].axis == 3
    np.testing.assert_allclose(model.predict(arrays["x"]), arrays["predictions"], rtol=0, atol=1e-4)


def test_an_activation_keras_cannot_name_inside_conv2d_is_refused_on_save(tmp_path):
    model = Sequential([Input(shape=(6, 6, 2)), Conv2D(2, 3, activation=activations.LeakyReLU(0.1), name="features")])
    with pytest.raises(ValueError, match=r"model\.keras: layer 'features' uses leaky_relu .* inside a Conv2D layer"):
        model.save(tmp_path / "model.keras")
    assert not list(tmp_path.iterdir())
