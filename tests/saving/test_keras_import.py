"""Keras-written files load in neurona without Keras: the committed fixtures and seed 003.

The fixtures under tests/fixtures/keras/ were written by Keras 3.15.1 and tf.keras 2.21
(see tools/make_keras_fixtures.py); each .npz holds inputs and Keras' outputs for them.
"""

import json
import zipfile

import numpy as np
import pytest

from neurona.layers import Dense, Dropout, Flatten
from neurona.models import Sequential, load_model
from neurona.optimizers import RMSprop

from .helpers import FIXTURES


def assert_close(actual, expected, atol=1e-5):
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=0, atol=atol)


@pytest.mark.parametrize("name", ["mlp_dropout.keras", "mlp_dropout.h5", "activations.keras"])
def test_keras_files_give_keras_predictions(name, kernel_path):
    arrays = np.load(FIXTURES / f"{name.split('.')[0]}.npz")
    model = load_model(FIXTURES / name)
    assert_close(model.predict(arrays["x"]), arrays["predictions"])


@pytest.mark.parametrize("name", ["mlp_dropout.keras", "mlp_dropout.h5"])
def test_keras_files_bring_their_architecture_and_training_settings(name):
    model = load_model(FIXTURES / name)
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dropout", "Dense"]
    assert [layer.name for layer in model.layers] == ["flatten", "dense", "dropout", "dense_1"]
    assert model.input_shape == (4, 4)
    assert model.layers[2].rate == 0.25
    assert isinstance(model.optimizer, RMSprop)
    assert model.optimizer.learning_rate == 0.001  # not Keras' float32 0.0010000000474974513
    assert model.loss.name == "sparse_categorical_crossentropy"
    assert model.metrics_names == ["loss", "accuracy"]
    assert model.optimizer.iterations == 4  # 2 epochs of 2 batches, restored from the file


def test_keras_activation_layers_become_the_layers_of_their_names():
    model = load_model(FIXTURES / "activations.keras")
    kinds = [(type(layer).__name__, layer.activation.name) for layer in model.layers]
    assert kinds == [("Dense", "sigmoid"), ("Dense", "tanh"), ("Dense", "elu"), ("Dense", "gelu"),
                     ("Dense", "leaky_relu"), ("Activation", "relu"), ("LeakyReLU", "leaky_relu"),
                     ("ELU", "elu"), ("ReLU", "relu"), ("Dense", "linear"),
                     ("Softmax", "softmax")]
    assert model.layers[6].negative_slope == pytest.approx(0.1)
    assert model.layers[6].activation.alpha == pytest.approx(0.1)
    assert model.layers[7].alpha == model.layers[7].activation.alpha == 0.5
    assert not model.layers[2].use_bias
    assert model.layers[1].kernel_regularizer.l2 == pytest.approx(0.01)
    assert model.layers[0].kernel_initializer.name == "he_normal"


@pytest.mark.parametrize("name", ["adam", "rmsprop", "nadam"])
def test_keras_optimizer_state_continues_training_as_keras_does(name, kernel_path):
    arrays = np.load(FIXTURES / "optimizers.npz")
    model = load_model(FIXTURES / f"optimizer_{name}.keras")
    assert model.optimizer.iterations == 3
    model.train_on_batch(arrays["x"], arrays["y"])
    for index, weight in enumerate(model.get_weights()):
        assert_close(weight, arrays[f"{name}_after_{index}"])


def test_seed003_mi_modelo_h5_written_by_keras_2_loads():
    arrays = np.load(FIXTURES / "mi_modelo.npz")
    model = load_model(FIXTURES / "mi_modelo.h5")
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense"]
    assert model.input_shape == (28, 28)
    assert isinstance(model.optimizer, RMSprop) and model.optimizer.iterations == 4
    assert model.metrics_names == ["loss", "accuracy"]
    images = arrays["images"].astype("float32") / 255
    assert_close(model.predict(images), arrays["predictions"])
    # As the tutorial does: one image without a batch axis.
    with pytest.warns(UserWarning, match="without a batch axis"):
        single = model.predict(images[3])
    assert_close(single, arrays["predictions"][3:4])


def test_seed003_flow_save_h5_then_load_model(tmp_path, monkeypatch):
    """modelo.save('mi_modelo.h5'); modelo = load_model('mi_modelo.h5'); modelo.predict(...)."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(3)
    train_images = rng.random((64, 28, 28), dtype=np.float32)
    train_labels = rng.integers(0, 10, 64)
    modelo = Sequential([Flatten(input_shape=(28, 28)), Dense(16, activation="relu"),
                         Dense(10, activation="softmax")])
    modelo.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    modelo.fit(train_images, train_labels, epochs=2, batch_size=16, verbose=0)
    modelo.save("mi_modelo.h5")

    cargado = load_model("mi_modelo.h5")
    np.testing.assert_array_equal(cargado.predict(train_images), modelo.predict(train_images))
    assert cargado.evaluate(train_images, train_labels, verbose=0) == modelo.evaluate(
        train_images, train_labels, verbose=0)
    with open("mi_modelo.h5", "rb") as handle:
        assert handle.read(8) == b"\x89HDF\r\n\x1a\n"


def test_load_weights_reads_keras_files_into_a_matching_model():
    arrays = np.load(FIXTURES / "mlp_dropout.npz")
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(5, activation="relu"), Dropout(0.25),
                        Dense(3, activation="softmax")])
    for name in ("mlp_dropout.keras", "mlp_dropout.h5"):
        model.load_weights(FIXTURES / name)
        assert_close(model.predict(arrays["x"]), arrays["predictions"])


def _edited_keras(tmp_path, change):
    with zipfile.ZipFile(FIXTURES / "mlp_dropout.keras") as source:
        entries = {name: source.read(name) for name in source.namelist()}
    config = json.loads(entries["config.json"])
    change(config)
    entries["config.json"] = json.dumps(config).encode()
    path = tmp_path / "edited.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    return path


def test_a_keras_optimizer_option_neurona_lacks_loads_the_model_uncompiled(tmp_path):
    path = _edited_keras(tmp_path, lambda c: c["compile_config"]["optimizer"]["config"].update(clipnorm=1.0))
    with pytest.warns(UserWarning, match=r"clipnorm=1.0 is not available in neurona; the model is loaded"):
        model = load_model(path)
    assert not model.compiled
    arrays = np.load(FIXTURES / "mlp_dropout.npz")
    assert_close(model.predict(arrays["x"]), arrays["predictions"])


def test_a_keras_optimizer_neurona_lacks_loads_the_model_uncompiled(tmp_path):
    path = _edited_keras(tmp_path, lambda c: c["compile_config"]["optimizer"].update(class_name="Lion"))
    with pytest.warns(UserWarning, match="the optimizer Lion is not available in neurona"):
        assert not load_model(path).compiled


def test_a_keras_mixed_precision_policy_is_refused(tmp_path):
    from neurona.saving import ModelFileError

    def change(config):
        config["config"]["layers"][2]["config"]["dtype"] = "mixed_float16"

    with pytest.raises(ModelFileError, match="dtype policy 'mixed_float16' is not supported"):
        load_model(_edited_keras(tmp_path, change))
