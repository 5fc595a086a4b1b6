"""Convolutional models end to end: both kernel paths, reproducibility, learning on MNIST."""

import numpy as np
import pytest

from neurona import kernels, layers
from neurona.models import Sequential


def convnet(seed=0, batch_norm=False):
    stack = [layers.Input(shape=(12, 12, 1)), layers.Conv2D(6, 3, activation="relu", seed=seed)]
    if batch_norm:
        stack.append(layers.BatchNormalization())
    stack += [layers.MaxPooling2D(2), layers.Conv2D(8, 3, padding="same", strides=2, activation="relu", seed=seed + 1),
              layers.AveragePooling2D(2, padding="same"), layers.Flatten(), layers.Dropout(0.3, seed=seed + 2),
              layers.Dense(3, activation="softmax", seed=seed + 3)]
    return Sequential(stack)


def train(path, batch_norm=False, epochs=2, optimizer="adam"):
    rng = np.random.default_rng(0)
    x = rng.random((160, 12, 12, 1)).astype(np.float32)
    y = (x[:, :6].mean(axis=(1, 2, 3)) * 6).astype(int) % 3
    kernels.set_kernels(path)
    try:
        model = convnet(batch_norm=batch_norm)
        model.compile(optimizer, "sparse_categorical_crossentropy", ["accuracy"])
        model.set_training_state(shuffle_seed=7)
        history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
        return history.history, model.get_weights(), model.predict(x[:40])
    finally:
        kernels.set_kernels(None)


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch-norm"])
def test_both_kernel_paths_train_the_same_cnn(batch_norm):
    pytest.importorskip("numba")
    # SGD: Adam divides by the gradient's size, so a rounding difference in a gradient near
    # zero (beta's, behind a normalisation) becomes a whole learning-rate step.
    (history_a, weights_a, predictions_a) = train("numpy", batch_norm, optimizer="sgd")
    (history_b, weights_b, predictions_b) = train("numba", batch_norm, optimizer="sgd")
    for key in history_a:
        np.testing.assert_allclose(history_a[key], history_b[key], rtol=1e-4, atol=1e-5)
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(predictions_a, predictions_b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_the_same_seed_gives_bit_identical_weights(path):
    if path == "numba":
        pytest.importorskip("numba")
    first, second = train(path, batch_norm=True), train(path, batch_norm=True)
    assert first[0] == second[0]
    for a, b in zip(first[1], second[1]):
        np.testing.assert_array_equal(a, b)


def test_the_keras_convnet_learns_mnist(data_dir):
    from neurona.datasets import mnist

    (x, y), (x_test, y_test) = mnist.load_data()
    x = (x[:3000, ..., None] / 255).astype(np.float32)
    x_test = (x_test[:1000, ..., None] / 255).astype(np.float32)
    model = Sequential([
        layers.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu", seed=1), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu", seed=2), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(), layers.Dropout(0.5, seed=3), layers.Dense(10, activation="softmax", seed=4),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x, y[:3000], batch_size=128, epochs=2, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test[:1000], verbose=0)
    assert accuracy > 0.8, accuracy  # chance is 0.1; 84% here after two epochs of 3,000 images
    probabilities = model.predict(x_test[:1])
    assert probabilities.shape == (1, 10) and abs(probabilities.sum() - 1) < 1e-5


def test_images_without_a_channel_axis_get_a_clear_error():
    model = convnet()
    with pytest.raises(ValueError, match=r"expects x of shape \(batch, 12, 12, 1\)\. Received x of shape \(4, 12, 12\)"):
        model.predict(np.zeros((4, 12, 12), np.float32))


def test_fit_and_predict_stay_within_a_gigabyte_beyond_the_callers_arrays():
    import tracemalloc

    rng = np.random.default_rng(0)
    x = rng.random((2048, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 2048)
    model = Sequential([
        layers.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    tracemalloc.start()
    try:
        # Validation batches of 1,024 size the largest buffers, whatever the dataset's length.
        model.fit(x, y, batch_size=128, epochs=1, validation_split=0.5, verbose=0)
        model.predict(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**30, f"{peak / 2**20:.0f} MiB"
