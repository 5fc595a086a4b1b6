"""ONNX export, checked with onnxruntime: the same predictions to 1e-5 on 1,000 images."""

import gzip
import sys

import numpy as np
import pytest

from neurona import activations
from neurona.layers import Activation, Dense, Dropout, Flatten
from neurona.models import Sequential
from neurona.saving import export_onnx

onnxruntime = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def run_onnx(path, x):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": x})[0]


def seed003_model():
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(64, activation="relu"), Dropout(0.2),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def assert_same_predictions(model, x, path):
    export_onnx(model, path)
    expected = model.predict(x)
    actual = run_onnx(path, x)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)


def test_1000_images_give_the_same_predictions(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(1000, 28, 28)).astype("float32") / 255
    labels = rng.integers(0, 10, 1000)
    model = seed003_model()
    model.fit(images, labels, epochs=1, batch_size=128, verbose=0)
    assert_same_predictions(model, images, tmp_path / "model.onnx")


def test_1000_mnist_test_images_give_the_same_predictions(tmp_path, data_dir):
    path = data_dir / "mnist" / "t10k-images-idx3-ubyte.gz"
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    with gzip.open(path) as handle:
        images = np.frombuffer(handle.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)[:1000]
    images = images.astype("float32") / 255
    model = seed003_model()
    model.fit(images, np.arange(1000) % 10, epochs=1, batch_size=128, verbose=0)
    assert_same_predictions(model, images, tmp_path / "model.onnx")


def test_every_activation_exports(tmp_path):
    hidden = [Dense(8, activation=name) for name in ("linear", "relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu")]
    model = Sequential([Flatten(input_shape=(4, 4)), *hidden, Activation(activations.LeakyReLU(0.05)),
                        Activation(activations.ELU(0.5)), Dense(3), Activation("softmax")])
    x = np.random.default_rng(1).normal(size=(50, 4, 4)).astype("float32") * 3
    assert_same_predictions(model, x, tmp_path / "model.onnx")


def test_a_model_without_bias_exports(tmp_path):
    model = Sequential([Dense(4, use_bias=False, input_dim=3), Dense(2, activation="softmax")])
    assert_same_predictions(model, np.random.default_rng(2).random((10, 3), dtype=np.float32), tmp_path / "m.onnx")


def test_a_float64_model_exports_in_float64(tmp_path, float64):
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(5, activation="gelu"), Dense(3, activation="softmax")])
    assert_same_predictions(model, np.random.default_rng(3).random((20, 4, 4)), tmp_path / "model.onnx")


def test_the_batch_size_is_free(tmp_path):
    model = seed003_model()
    model.build((28, 28))
    export_onnx(model, tmp_path / "model.onnx")
    for batch in (1, 7):
        x = np.zeros((batch, 28, 28), dtype="float32")
        assert run_onnx(tmp_path / "model.onnx", x).shape == (batch, 10)


def test_an_unbuilt_model_is_refused(tmp_path):
    with pytest.raises(ValueError, match="must be built"):
        export_onnx(Sequential([Dense(2)]), tmp_path / "model.onnx")
    assert not list(tmp_path.iterdir())


def test_without_onnx_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    model = seed003_model()
    model.build((28, 28))
    with pytest.raises(ImportError, match=r"pip install 'neurona\[onnx\]'"):
        export_onnx(model, tmp_path / "model.onnx")
