"""Helpers shared by the saving tests."""

import os
from pathlib import Path

import numpy as np

from neurona.layers import Dense, Dropout, Flatten
from neurona.models import Sequential

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "keras"
FORMATS = ("neurona", "keras", "h5")


def small_model(optimizer="adam", dropout=True, loss="sparse_categorical_crossentropy"):
    layers = [Flatten(input_shape=(4, 4)), Dense(6, activation="relu")]
    if dropout:
        layers.append(Dropout(0.25))
    layers.append(Dense(3, activation="softmax"))
    model = Sequential(layers)
    model.compile(optimizer, loss, metrics=["accuracy"])
    return model


def snapshot(folder):
    """{relative path: (size, mtime_ns)} of everything under `folder`."""
    result = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.stat(path)
            result[os.path.relpath(path, folder)] = (info.st_size, info.st_mtime_ns)
    return result


def assert_same_weights(first, second):
    a, b = first.get_weights(), second.get_weights()
    assert [w.shape for w in a] == [w.shape for w in b]
    for left, right in zip(a, b):
        assert left.dtype == right.dtype
        np.testing.assert_array_equal(left, right)
