"""ONNX export, checked with onnxruntime: the same predictions as `model.predict`, to 1e-5 for
dense models on 1,000 images and to 1e-4 for every image layer and option."""

import gzip
import subprocess
import sys

import numpy as np
import pytest

from neurona import activations
from neurona.layers import (Activation, AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, Flatten,
                            GlobalAveragePooling2D, GlobalMaxPooling2D, Layer, MaxPooling2D, Rescaling, Reshape,
                            ZeroPadding2D)
from neurona.models import Sequential
from neurona.saving import export_onnx

onnxruntime = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")


def run_onnx(path, x):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": x})[0]


def seed003_model():
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(64, activation="relu"), Dropout(0.2),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def assert_same_predictions(model, x, path, atol=1e-5, **export_options):
    export_onnx(model, path, **export_options)
    expected = model.predict(x)
    actual = run_onnx(path, x)
    assert actual.shape == expected.shape == (len(x), *model.output_shape)
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=0, atol=atol)


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


# Image layers ------------------------------------------------------------------------------


def images(shape, batch=6, seed=0):
    """Random NHWC images with values of both signs, so that padding never wins a maximum."""
    return np.random.default_rng(seed).normal(size=(batch, *shape)).astype("float32")


def op_types(path):
    return [node.op_type for node in onnx.load(str(path)).graph.node]


def trained(model, x, epochs=2):
    """`model` after a few steps of SGD towards random targets (moving statistics move)."""
    model.build(x.shape[1:])
    model.compile(optimizer="sgd", loss="mse")
    targets = np.random.default_rng(9).normal(size=(len(x), *model.output_shape)).astype(x.dtype)
    model.fit(x, targets, epochs=epochs, batch_size=8, verbose=0)
    return model


CONV_CASES = {
    "valid": dict(kernel_size=3),
    "same": dict(kernel_size=3, padding="same"),
    "same_even_kernel": dict(kernel_size=(4, 2), padding="same"),
    "valid_strided": dict(kernel_size=3, strides=2),
    "same_strided": dict(kernel_size=(3, 2), strides=(2, 3), padding="same"),
    "same_stride_over_kernel": dict(kernel_size=2, strides=3, padding="same"),
    "valid_dilated": dict(kernel_size=3, dilation_rate=(2, 3)),
    "same_dilated": dict(kernel_size=(2, 3), dilation_rate=2, padding="same"),
    "pointwise": dict(kernel_size=1),
    "pointwise_strided": dict(kernel_size=1, strides=2),
    "no_bias_tanh": dict(kernel_size=3, use_bias=False, activation="tanh"),
    "relu": dict(kernel_size=3, padding="same", activation="relu"),
    "gelu": dict(kernel_size=2, activation="gelu"),
    "softmax_over_channels": dict(kernel_size=3, activation="softmax"),
}


@pytest.mark.parametrize("options", CONV_CASES.values(), ids=CONV_CASES.keys())
def test_conv2d_exports(tmp_path, options):
    model = Sequential([Conv2D(5, input_shape=(9, 11, 3), bias_initializer="glorot_uniform", seed=1, **options)])
    assert_same_predictions(model, images((9, 11, 3)), tmp_path / "model.onnx", atol=1e-4)


def test_conv2d_pads_are_explicit_with_the_odd_pixel_bottom_right(tmp_path):
    model = Sequential([Conv2D(2, (4, 3), strides=2, padding="same", input_shape=(8, 7, 1))])
    export_onnx(model, tmp_path / "model.onnx")
    conv = next(node for node in onnx.load(str(tmp_path / "model.onnx")).graph.node if node.op_type == "Conv")
    attributes = {attribute.name: onnx.helper.get_attribute_value(attribute) for attribute in conv.attribute}
    # Height: out 4, 3*2 + 4 - 8 = 2 pixels (1 top, 1 bottom); width: out 4, 3*2 + 3 - 7 = 2 (1, 1).
    # Then a 4x3 kernel at stride 1 on 8x7 'same': 3 rows (1 top, 2 bottom), 2 columns (1, 1).
    assert attributes["pads"] == [1, 1, 1, 1]
    assert attributes["strides"] == [2, 2] and attributes["dilations"] == [1, 1]
    assert "auto_pad" not in attributes
    model = Sequential([Conv2D(2, (4, 3), padding="same", input_shape=(8, 7, 1))])
    export_onnx(model, tmp_path / "model.onnx")
    conv = next(node for node in onnx.load(str(tmp_path / "model.onnx")).graph.node if node.op_type == "Conv")
    pads = next(onnx.helper.get_attribute_value(a) for a in conv.attribute if a.name == "pads")
    assert pads == [1, 1, 2, 1]


POOL_CASES = {
    "valid": dict(pool_size=2),
    "valid_odd_sizes": dict(pool_size=(3, 2)),
    "valid_strides_differ": dict(pool_size=(3, 2), strides=(1, 2)),
    "same": dict(pool_size=2, padding="same"),
    "same_overlapping": dict(pool_size=3, strides=2, padding="same"),
    "same_stride_one": dict(pool_size=3, strides=1, padding="same"),
    "same_stride_over_pool": dict(pool_size=2, strides=3, padding="same"),
}


@pytest.mark.parametrize("options", POOL_CASES.values(), ids=POOL_CASES.keys())
@pytest.mark.parametrize("pooling", [MaxPooling2D, AveragePooling2D])
def test_pooling_exports(tmp_path, pooling, options):
    model = Sequential([pooling(input_shape=(7, 9, 3), **options)])
    assert_same_predictions(model, images((7, 9, 3)), tmp_path / "model.onnx", atol=1e-4)


def test_average_pooling_same_divides_by_real_pixels_only(tmp_path):
    model = Sequential([AveragePooling2D(3, strides=1, padding="same", input_shape=(4, 4, 1))])
    x = np.ones((1, 4, 4, 1), dtype="float32")
    export_onnx(model, tmp_path / "model.onnx")
    np.testing.assert_allclose(run_onnx(tmp_path / "model.onnx", x), x, rtol=0, atol=1e-6)


@pytest.mark.parametrize("opset", [17, 18])
@pytest.mark.parametrize("after_conv", [False, True], ids=["on_nhwc", "on_nchw"])
@pytest.mark.parametrize("keepdims", [False, True], ids=["flat", "keepdims"])
@pytest.mark.parametrize("pooling", [GlobalAveragePooling2D, GlobalMaxPooling2D])
def test_global_pooling_exports(tmp_path, pooling, keepdims, after_conv, opset):
    layers = [Conv2D(4, 3, seed=2)] if after_conv else []
    model = Sequential([*layers, pooling(keepdims=keepdims)])
    model.build((6, 7, 3))
    assert_same_predictions(model, images((6, 7, 3)), tmp_path / "model.onnx", atol=1e-4, opset=opset)


def moved(model):
    """The model's BatchNormalization layers, after checking that training moved their statistics."""
    norms = [layer for layer in model.layers if isinstance(layer, BatchNormalization)]
    for layer in norms:
        assert np.abs(layer.params["moving_mean"]).max() > 1e-2
        assert np.abs(layer.params["moving_variance"] - 1).max() > 1e-2
    return norms


BATCH_NORM_CASES = {
    "after_conv": ([Conv2D(4, 3, seed=3), BatchNormalization(momentum=0.5)], (6, 7, 2)),
    "on_the_input_image": ([BatchNormalization(momentum=0.5)], (5, 6, 3)),
    "no_center_no_scale": ([Conv2D(4, 3, seed=3), BatchNormalization(momentum=0.5, center=False, scale=False)],
                           (6, 7, 2)),
    "no_center": ([BatchNormalization(momentum=0.5, center=False, epsilon=0.1)], (5, 6, 3)),
    "no_scale": ([BatchNormalization(momentum=0.5, scale=False)], (5, 6, 3)),
    "height_axis": ([Conv2D(3, 2, seed=3), BatchNormalization(axis=1, momentum=0.5)], (6, 7, 2)),
    "width_axis": ([BatchNormalization(axis=2, momentum=0.5)], (5, 6, 3)),
    "sequence": ([BatchNormalization(momentum=0.5)], (5, 4)),
    "dense": ([Flatten(), Dense(6, seed=3), BatchNormalization(momentum=0.5, epsilon=0.05)], (3, 4)),
    "dense_no_center_no_scale": ([Flatten(), Dense(6, seed=3),
                                  BatchNormalization(momentum=0.5, center=False, scale=False)], (3, 4)),
}


@pytest.mark.parametrize("layers, input_shape", BATCH_NORM_CASES.values(), ids=BATCH_NORM_CASES.keys())
def test_batch_normalization_exports_its_moving_statistics(tmp_path, layers, input_shape):
    x = images(input_shape, batch=32) * 2 + 1
    model = trained(Sequential(layers), x)
    (norm,) = moved(model)
    if norm.scale and norm.center:
        assert np.abs(norm.params["gamma"] - 1).max() > 0 and np.abs(norm.params["beta"]).max() > 0
    assert_same_predictions(model, x, tmp_path / "model.onnx", atol=1e-4)
    node = next(node for node in onnx.load(str(tmp_path / "model.onnx")).graph.node
                if node.op_type == "BatchNormalization")
    epsilon = next(onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == "epsilon")
    assert epsilon == pytest.approx(norm.epsilon)


@pytest.mark.parametrize("scale, offset", [(1 / 255, 0.0), (2.0, -1.0)])
def test_rescaling_exports(tmp_path, scale, offset):
    model = Sequential([Rescaling(scale, offset, input_shape=(5, 5, 2)), Conv2D(3, 3, seed=4), Rescaling(0.5, 3)])
    x = np.random.default_rng(4).integers(0, 256, (6, 5, 5, 2)).astype("float32")
    assert_same_predictions(model, x, tmp_path / "model.onnx", atol=1e-4)


RESHAPE_CASES = {
    "rows_to_images": ([Reshape((4, 3, 1)), Conv2D(2, 2, seed=5)], (12,)),
    "with_minus_one": ([Reshape((-1, 3))], (4, 6)),
    "images_after_conv": ([Conv2D(4, 2, seed=5), Reshape((-1,)), Dense(2, seed=5)], (4, 5, 2)),
    "images_to_images": ([Conv2D(4, 2, seed=5), Reshape((6, 2, 4)), Conv2D(2, 1, seed=5)], (4, 5, 2)),
}


@pytest.mark.parametrize("layers, input_shape", RESHAPE_CASES.values(), ids=RESHAPE_CASES.keys())
def test_reshape_exports_in_channels_last_order(tmp_path, layers, input_shape):
    model = Sequential(layers)
    model.build(input_shape)
    assert_same_predictions(model, images(input_shape), tmp_path / "model.onnx", atol=1e-4)


@pytest.mark.parametrize("padding", [((1, 2), (3, 0)), (2, 1), 1])
@pytest.mark.parametrize("after_conv", [False, True], ids=["on_nhwc", "on_nchw"])
def test_zero_padding_exports(tmp_path, padding, after_conv):
    layers = [Conv2D(3, 2, seed=6)] if after_conv else []
    model = Sequential([*layers, ZeroPadding2D(padding), Conv2D(2, 3, seed=6)])
    model.build((5, 6, 2))
    assert_same_predictions(model, images((5, 6, 2)), tmp_path / "model.onnx", atol=1e-4)


def test_flatten_after_conv_keeps_height_width_channels_order(tmp_path):
    model = Sequential([Conv2D(3, 2, seed=7, input_shape=(4, 5, 2)), Flatten()])
    assert_same_predictions(model, images((4, 5, 2)), tmp_path / "model.onnx", atol=1e-4)


def mnist_convnet():
    """The Keras MNIST convnet example."""
    model = Sequential([
        Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Flatten(),
        Dropout(0.5),
        Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_the_mnist_convnet_gives_the_same_predictions(tmp_path):
    rng = np.random.default_rng(8)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    model = mnist_convnet()
    model.fit(x, rng.integers(0, 10, 64), epochs=1, batch_size=32, verbose=0)
    assert_same_predictions(model, x, tmp_path / "model.onnx", atol=1e-4)
    # Channels first once, back once before Flatten: nothing between the spatial layers.
    assert op_types(tmp_path / "model.onnx") == ["Transpose", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool",
                                                 "Transpose", "Flatten", "MatMul", "Add", "Softmax", "Identity"]
    for batch in (1, 7):
        assert run_onnx(tmp_path / "model.onnx", x[:batch]).shape == (batch, 10)


def test_the_declared_output_shape_is_the_models(tmp_path):
    model = Sequential([Conv2D(4, 3, padding="same", input_shape=(6, 5, 2)), BatchNormalization(),
                        AveragePooling2D(2), GlobalMaxPooling2D(keepdims=True)])
    export_onnx(model, tmp_path / "model.onnx")
    (output,) = onnx.load(str(tmp_path / "model.onnx")).graph.output
    dims = [dim.dim_value or dim.dim_param for dim in output.type.tensor_type.shape.dim]
    assert dims == ["batch", *model.output_shape] == ["batch", 1, 1, 4]
    assert run_onnx(tmp_path / "model.onnx", images((6, 5, 2))).shape == (6, 1, 1, 4)


def test_a_float64_convnet_exports_in_float64(tmp_path, float64):
    x = images((8, 8, 2), batch=16).astype("float64")
    model = trained(Sequential([Conv2D(4, 3, padding="same", activation="gelu", input_shape=(8, 8, 2)),
                                BatchNormalization(momentum=0.5), AveragePooling2D(2, padding="same"),
                                MaxPooling2D(2, strides=1), GlobalAveragePooling2D(), Dense(3)]), x)
    assert model.dtype == "float64"
    # onnxruntime has no double Conv, AveragePool or Erf: those run in float32.
    assert_same_predictions(model, x, tmp_path / "model.onnx", atol=1e-5)


def test_a_layer_without_export_is_named(tmp_path):
    class Squash(Layer):
        def forward(self, x, training=False):
            return x

    model = Sequential([Dense(3, input_dim=2), Squash(name="squash")])
    with pytest.raises(ValueError, match="Layer 'squash' of type Squash has no ONNX export"):
        export_onnx(model, tmp_path / "model.onnx")
    assert not list(tmp_path.iterdir())


def test_an_opset_before_13_is_refused(tmp_path):
    model = seed003_model()
    model.build((28, 28))
    with pytest.raises(ValueError, match="opset 13 or later"):
        export_onnx(model, tmp_path / "model.onnx", opset=12)


def test_the_layers_do_not_import_onnx():
    code = ("import sys, neurona.layers; "
            "assert 'onnx' not in sys.modules and 'neurona.saving.onnx_export' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def residual_cnn():
    """A small functional CNN: a residual add over two convolutions, a concatenation, a
    shared Dense, and every merge layer."""
    from neurona import keras, layers

    inputs = keras.Input(shape=(8, 8, 1))
    stem = layers.Conv2D(4, 3, padding="same", activation="relu", seed=1)(inputs)
    branch = layers.Conv2D(4, 3, padding="same", seed=2)(layers.BatchNormalization()(stem))
    merged = layers.add([stem, branch])
    joined = layers.concatenate([merged, layers.MaxPooling2D(1)(stem)])
    pooled = layers.GlobalAveragePooling2D()(joined)
    shared = layers.Dense(8, activation="tanh", seed=3)
    a, b = shared(pooled), shared(layers.Dense(8, seed=4)(pooled))
    mixed = layers.average([layers.maximum([a, b]), layers.minimum([a, b]), layers.multiply([a, b]),
                            layers.subtract([a, b])])
    return keras.Model(inputs, layers.Dense(3, activation="softmax", seed=5)(mixed), name="residual_cnn")


def test_a_functional_model_exports_with_every_merge_layer(tmp_path):
    rng = np.random.default_rng(3)
    model = residual_cnn()
    model.compile("adam", "sparse_categorical_crossentropy")
    x = rng.normal(size=(32, 8, 8, 1)).astype("float32")
    model.fit(x, rng.integers(0, 3, 32), epochs=1, batch_size=8, verbose=0)
    assert_same_predictions(model, x, tmp_path / "residual.onnx", atol=1e-4)


def test_a_sequential_nested_in_a_functional_model_exports(tmp_path):
    from neurona import keras

    inner = Sequential([Conv2D(3, 3, input_shape=(6, 6, 2)), Flatten(), Dense(4, activation="relu")])
    inputs = keras.Input(shape=(6, 6, 2))
    model = keras.Model(inputs, Dense(2, activation="softmax")(inner(inputs)))
    x = np.random.default_rng(1).normal(size=(5, 6, 6, 2)).astype("float32")
    assert_same_predictions(model, x, tmp_path / "nested.onnx", atol=1e-4)


def test_a_model_with_two_outputs_is_refused(tmp_path):
    from neurona import keras

    inputs = keras.Input(shape=(3,))
    hidden = Dense(2)(inputs)
    model = keras.Model(inputs, [hidden, Dense(1)(hidden)], name="two")
    with pytest.raises(ValueError, match="ONNX export writes models with one output. Model 'two' has 2"):
        export_onnx(model, tmp_path / "model.onnx")
    assert not list(tmp_path.iterdir())
