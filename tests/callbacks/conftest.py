import numpy as np
import pytest

from neurona.layers import Dense
from neurona.models import Sequential


@pytest.fixture
def data():
    """96 samples of 4 features, 3 classes that depend on the first two features."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)
    return x, y


@pytest.fixture
def make_model():
    def make(optimizer="adam"):
        model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(3, activation="softmax")])
        model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    return make
