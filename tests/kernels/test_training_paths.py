"""Training on the Numba kernels and on the NumPy references: the same run, within rounding."""

import subprocess
import sys

import numpy as np
import pytest

from neurona import kernels
from neurona.layers import Dense, Dropout
from neurona.models import Sequential

OPTIMIZERS = ["sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"]


def train(path, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=("accuracy",),
          last="softmax", dtype=np.float32, epochs=2):
    rng = np.random.default_rng(0)
    x = rng.random((300, 20)).astype(dtype)
    labels = (x[:, :5].sum(axis=1) * 2).astype(int) % 4
    y = labels if loss == "sparse_categorical_crossentropy" else np.eye(4)[labels]
    if loss == "binary_crossentropy":
        y = (labels > 1).astype(float)[:, None]
    kernels.set_kernels(path)
    try:
        model = Sequential([Dense(16, activation="relu", input_shape=(20,), seed=1), Dropout(0.25, seed=2),
                            Dense(8, activation="tanh", seed=3),
                            Dense(y.shape[1] if y.ndim == 2 else 4, activation=last, seed=4)])
        model.compile(optimizer, loss, list(metrics))
        model.set_training_state(shuffle_seed=5)
        history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
        return history.history, model.get_weights(), model.predict(x[:50])
    finally:
        kernels.set_kernels(None)


def assert_same_run(first, second, rtol, atol):
    (history_a, weights_a, predictions_a), (history_b, weights_b, predictions_b) = first, second
    assert history_a.keys() == history_b.keys()
    for key in history_a:
        np.testing.assert_allclose(history_a[key], history_b[key], rtol=rtol, atol=atol, err_msg=key)
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    np.testing.assert_allclose(predictions_a, predictions_b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_both_paths_train_the_same_model(optimizer):
    pytest.importorskip("numba")
    # Two epochs of float32 steps: rounding differences grow with the steps; 1e-4 is Keras'
    # parity tolerance.
    assert_same_run(train("numpy", optimizer), train("numba", optimizer), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("loss, last, metrics", [
    ("categorical_crossentropy", "softmax", ("accuracy",)),
    ("binary_crossentropy", "sigmoid", ("accuracy",)),
    ("categorical_crossentropy", "softmax", ("accuracy", "mse")),  # mse: no fused step
    ("sparse_categorical_crossentropy", "softmax", ()),
])
def test_both_paths_agree_for_each_loss_and_metric_set(loss, last, metrics):
    pytest.importorskip("numba")
    assert_same_run(train("numpy", "rmsprop", loss, metrics, last), train("numba", "rmsprop", loss, metrics, last),
                    rtol=1e-4, atol=1e-5)


def test_float64_paths_agree_closely(float64):
    pytest.importorskip("numba")
    assert_same_run(train("numpy", dtype=np.float64), train("numba", dtype=np.float64), rtol=1e-9, atol=1e-11)


def test_each_path_is_bit_identical_from_run_to_run(kernel_path):
    first, second = train(kernel_path, "adam"), train(kernel_path, "adam")
    assert first[0] == second[0]
    for a, b in zip(first[1] + [first[2]], second[1] + [second[2]]):
        np.testing.assert_array_equal(a, b)


def test_import_and_help_compile_nothing():
    """`import neurona` does not even import Numba; `neurona --help` neither."""
    code = "import sys, neurona, neurona.cli; print('numba' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    help_code = ("import sys\nfrom neurona.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                 "print('numba' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", help_code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
