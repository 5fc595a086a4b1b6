"""Dev-only: Keras itself reads the files neurona writes, and continues training as we do.

Skipped unless Keras 3 is installed (it is not a dependency). To run it:

    python3 -m venv .keras-venv && .keras-venv/bin/pip install keras tensorflow-cpu h5py tf-keras pytest
    .keras-venv/bin/pip install -e . && .keras-venv/bin/python -m pytest tests/saving/test_keras_dev.py
"""

import os

import numpy as np
import pytest

from neurona import activations, optimizers
from neurona.layers import Activation, Dense, Dropout, Flatten
from neurona.models import Sequential, load_model

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning",
                                        "ignore::RuntimeWarning")


def every_layer_model():
    model = Sequential([
        Flatten(input_shape=(4, 4)),
        Dense(8, activation="relu", kernel_regularizer="l2"),
        Dropout(0.25),
        *[Dense(6, activation=name) for name in ("sigmoid", "tanh", "elu", "gelu", "leaky_relu", "linear")],
        Activation(activations.LeakyReLU(0.1)),
        Activation(activations.ELU(0.5)),
        Activation("relu"),
        Dense(3, activation="softmax", use_bias=False),
    ])
    model.compile(optimizers.Nadam(learning_rate=0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_keras_loads_what_neurona_writes(suffix, tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 4, 4), dtype=np.float32), rng.integers(0, 3, 32)
    model = every_layer_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / f"model.{suffix}")

    loaded = keras.models.load_model(tmp_path / f"model.{suffix}")
    predictions = np.asarray(loaded.predict(x, verbose=0))
    assert predictions.shape == (32, 3) and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions, model.predict(x), rtol=0, atol=1e-5)
    assert int(loaded.optimizer.iterations) == model.optimizer.iterations
    assert type(loaded.optimizer).__name__ == "Nadam"


def test_keras_2_loads_the_h5_neurona_writes(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    x = np.random.default_rng(1).random((8, 4, 4), dtype=np.float32)
    model = every_layer_model()
    model.build((4, 4))
    model.save(tmp_path / "mi_modelo.h5")
    loaded = tf_keras.models.load_model(tmp_path / "mi_modelo.h5")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x), rtol=0, atol=1e-5)


KERAS_OPTIMIZERS = {
    "SGD": dict(learning_rate=0.1, momentum=0.9, nesterov=True),
    "Adam": dict(learning_rate=0.01, amsgrad=True),
    "RMSprop": dict(learning_rate=0.01, momentum=0.5, centered=True),
    "Adagrad": dict(learning_rate=0.1),
    "Adadelta": dict(learning_rate=1.0),
    "Adamax": dict(learning_rate=0.01),
    "Nadam": dict(learning_rate=0.01),
}


@pytest.mark.parametrize("name", sorted(KERAS_OPTIMIZERS))
def test_keras_optimizer_state_means_the_same_in_both_directions(name, tmp_path):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.integers(0, 2, 8)

    # Keras trains and saves; neurona loads and takes the next step.
    keras.utils.set_random_seed(0)
    theirs = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                               keras.layers.Dense(2, activation="softmax")])
    theirs.compile(getattr(keras.optimizers, name)(**KERAS_OPTIMIZERS[name]), "sparse_categorical_crossentropy")
    for _ in range(3):
        theirs.train_on_batch(x, y)
    theirs.save(tmp_path / "theirs.keras")
    ours = load_model(tmp_path / "theirs.keras")
    theirs.train_on_batch(x, y)
    ours.train_on_batch(x, y)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=0, atol=1e-5)

    # neurona trains and saves; Keras loads and takes the next step.
    ours.train_on_batch(x, y)
    ours.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    theirs.train_on_batch(x, y)
    ours.train_on_batch(x, y)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=0, atol=1e-5)
