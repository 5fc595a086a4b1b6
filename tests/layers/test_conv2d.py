import numpy as np
import pytest

from layer_checks import check_layer_gradients
from neurona import layers
from neurona.layers import Conv2D
from neurona.layers import conv as conv_module
from neurona.models import Sequential


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def reference_conv(x, kernel, bias, strides, dilation, padding):
    """A direct convolution, loop by loop, with Keras' padding rule (odd pixel bottom/right)."""
    n, h, w, c = x.shape
    kh, kw, _, f = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        pad_h, pad_w = max(0, (oh - 1) * sh + span_h - h), max(0, (ow - 1) * sw + span_w - w)
        top, left = pad_h // 2, pad_w // 2
        x = np.pad(x, ((0, 0), (top, pad_h - top), (left, pad_w - left), (0, 0)))
    else:
        oh, ow = (h - span_h) // sh + 1, (w - span_w) // sw + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out + (0 if bias is None else bias)


GEOMETRIES = [
    # (input h, w, c), kernel, strides, dilation, padding
    ((7, 6, 3), (3, 3), (1, 1), (1, 1), "valid"),
    ((7, 6, 3), (3, 3), (1, 1), (1, 1), "same"),
    ((7, 6, 2), (3, 2), (2, 2), (1, 1), "valid"),
    ((7, 6, 2), (3, 2), (2, 2), (1, 1), "same"),
    ((8, 5, 2), (2, 3), (2, 1), (1, 1), "same"),
    ((8, 7, 2), (3, 3), (1, 1), (2, 2), "valid"),
    ((8, 7, 2), (3, 2), (1, 1), (2, 3), "same"),
    ((5, 5, 1), (4, 4), (3, 3), (1, 1), "same"),
    ((6, 5, 3), (1, 1), (1, 1), (1, 1), "valid"),
    ((6, 5, 3), (1, 1), (2, 2), (1, 1), "valid"),
]
IDS = [f"{g[4]}-k{g[1][0]}x{g[1][1]}-s{g[2][0]}{g[2][1]}-d{g[3][0]}{g[3][1]}-c{g[0][2]}" for g in GEOMETRIES]


def built(geometry, rng, **options):
    shape, kernel_size, strides, dilation, padding = geometry
    layer = Conv2D(4, kernel_size, strides=strides, dilation_rate=dilation, padding=padding, **options)
    layer.build(shape)
    layer.params["kernel"][...] = rng.normal(size=layer.params["kernel"].shape)
    if layer.use_bias:
        layer.params["bias"][...] = rng.normal(size=4)
    return layer


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=IDS)
def test_forward_matches_a_direct_convolution(geometry, rng, kernel_path):
    layer = built(geometry, rng)
    x = rng.normal(size=(3,) + geometry[0]).astype(np.float32)

    out = layer.forward(x)

    expected = reference_conv(x.astype(np.float64), layer.params["kernel"].astype(np.float64),
                              layer.params["bias"], geometry[2], geometry[3], geometry[4])
    assert out.shape == expected.shape == (3,) + layer.compute_output_shape(geometry[0])
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=IDS)
def test_gradients_for_each_geometry(geometry, rng, kernel_path):
    layer = built(geometry, rng, activation="tanh")
    check_layer_gradients(layer, rng.normal(size=(2,) + geometry[0]), rng)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("activation", ["linear", "sigmoid", "elu", "gelu", "softmax"])
def test_gradients_through_each_activation(activation, rng, kernel_path):
    layer = built(GEOMETRIES[1], rng, activation=activation)
    check_layer_gradients(layer, rng.normal(size=(2, 7, 6, 3)), rng)


@pytest.mark.usefixtures("float64")
def test_gradients_through_relu_clear_of_the_kink(rng, kernel_path):
    layer = built(GEOMETRIES[3], rng, activation="relu")
    for _ in range(200):
        x = rng.normal(size=(2, 7, 6, 2))
        pre = reference_conv(x, layer.params["kernel"], layer.params["bias"], (2, 2), (1, 1), "same")
        if np.abs(pre).min() > 0.02:
            break
    else:
        raise AssertionError("no input clear of relu's kink")
    check_layer_gradients(layer, x, rng)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("options", [{"use_bias": False}, {"kernel_regularizer": "l2"},
                                     {"kernel_regularizer": "l1", "bias_regularizer": "l2"}],
                         ids=["no-bias", "l2", "l1-and-bias-l2"])
def test_gradients_with_options(options, rng, kernel_path):
    layer = built(GEOMETRIES[2], rng, **options)
    assert ("bias" in layer.params) == options.get("use_bias", True)
    check_layer_gradients(layer, rng.normal(size=(2, 7, 6, 2)), rng)


@pytest.mark.usefixtures("float64")
def test_batches_larger_than_the_column_budget_go_in_chunks(rng, kernel_path, monkeypatch):
    layer = built(GEOMETRIES[3], rng, activation="tanh")
    x = rng.normal(size=(5, 7, 6, 2))
    whole_out = layer.forward(x, training=True).copy()
    r = rng.normal(size=whole_out.shape)
    whole_grad = layer.backward(r).copy()
    whole_kernel_grad = layer.grads["kernel"].copy()
    # Room for the columns of two samples: three chunks, recomputed going back.
    per_sample = layer.geometry.oh * layer.geometry.ow * 3 * 2 * 2 * 8
    monkeypatch.setattr(conv_module, "COLUMNS_BUDGET_BYTES", 2 * per_sample)
    layer._buffers.clear()
    assert layer._chunk(5, 12, 8) == 2

    np.testing.assert_allclose(layer.forward(x, training=True), whole_out, rtol=1e-12)
    np.testing.assert_allclose(layer.backward(r), whole_grad, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], whole_kernel_grad, rtol=1e-12)
    check_layer_gradients(layer, x, rng)


@pytest.mark.parametrize("n, k, s, d, padding, expected", [
    (28, 3, 1, 1, "valid", 26), (28, 3, 1, 1, "same", 28), (28, 3, 2, 1, "valid", 13),
    (28, 3, 2, 1, "same", 14), (7, 3, 2, 1, "same", 4), (7, 2, 3, 1, "valid", 2),
    (9, 3, 1, 2, "valid", 5), (9, 3, 1, 3, "same", 9), (5, 5, 1, 1, "valid", 1),
])
def test_output_sizes_follow_keras(n, k, s, d, padding, expected):
    layer = Conv2D(2, (k, 1), strides=(s, 1), dilation_rate=(d, 1), padding=padding)
    assert layer.compute_output_shape((n, 4, 3)) == (expected, 4, 2)


def test_same_padding_puts_the_odd_pixel_at_the_bottom_and_right(rng):
    # A 2x2 kernel over 4x4 at stride 1 pads one pixel in total: after the image, not before.
    layer = Conv2D(1, 2, padding="same", use_bias=False)
    layer.build((4, 4, 1))
    layer.params["kernel"][...] = np.array([1.0, 0.0, 0.0, 0.0]).reshape(2, 2, 1, 1)
    x = rng.normal(size=(1, 4, 4, 1)).astype(np.float32)
    # The kernel's top-left tap reads pixel (i, j) itself: no shift means nothing padded before.
    np.testing.assert_allclose(layer.forward(x), x, rtol=1e-6)
    assert layer.geometry.top == layer.geometry.left == 0


def test_weights_follow_keras_layout_and_glorot_fans():
    layer = Conv2D(64, (3, 3), seed=0)
    layer.build((11, 11, 32))
    kernel = layer.params["kernel"]
    assert kernel.shape == (3, 3, 32, 64) and layer.params["bias"].shape == (64,)
    assert [name for name in layer.params] == ["kernel", "bias"]
    limit = np.sqrt(6 / (9 * 32 + 9 * 64))
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.99 * limit
    assert layer.count_params() == 3 * 3 * 32 * 64 + 64


def test_the_keras_convnet_has_34826_parameters_and_flatten_keeps_hwc_order():
    model = Sequential([
        layers.Input(shape=(28, 28, 1)),
        Conv2D(32, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"),
    ])
    assert model.count_params() == 34826
    assert [layer.name for layer in model.layers[:2]] == ["conv2d", "max_pooling2d"] or \
        model.layers[0].name.startswith("conv2d")
    x = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
    np.testing.assert_array_equal(layers.Flatten().forward(x), x.reshape(1, 12))


@pytest.mark.parametrize("make, shape, message", [
    (lambda: Conv2D(4, 5), (3, 3, 1), r"Conv2D layer 'c': kernel_size=\(5, 5\) spans 5x5 pixels, larger than its 3x3 input"),
    (lambda: Conv2D(4, 3, dilation_rate=3), (6, 6, 1), r"kernel_size=\(3, 3\) with dilation_rate=\(3, 3\) spans 7x7"),
    (lambda: Conv2D(4, 3), (28, 28), r"expects inputs of shape \(batch, height, width, channels\)\. Received inputs of shape \(batch, 28, 28\)\. Add a channel axis"),
])
def test_bad_shapes_name_the_layer_and_the_argument(make, shape, message):
    layer = make()
    layer.name = "c"
    with pytest.raises(ValueError, match=message):
        layer.build(shape)


@pytest.mark.parametrize("kwargs, message", [
    ({"data_format": "channels_first"}, r"supports data_format='channels_last' only.*Received: data_format='channels_first'"),
    ({"strides": -1}, r"expects strides to be an integer >= 1 or a tuple of 2 of them\. Received: strides=-1"),
    ({"strides": (1, 0)}, r"Received: strides=\(1, 0\)"),
    ({"kernel_size": (3, 3, 3)}, r"Received: kernel_size=\(3, 3, 3\)"),
    ({"strides": 2, "dilation_rate": 2}, r"strides > 1 cannot be combined with dilation_rate > 1"),
    ({"padding": "causal"}, r"expects padding 'valid' or 'same'\. Received: padding='causal'"),
    ({"groups": 2}, r"does not support groups"),
])
def test_bad_arguments_name_the_layer_the_argument_and_the_value(kwargs, message):
    options = {"kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=r"Conv2D layer 'c'.*" + message):
        Conv2D(4, name="c", **options)


def test_a_bad_input_in_a_model_names_the_layer():
    with pytest.raises(ValueError, match=r"Conv2D layer 'conv_big': kernel_size=\(30, 30\)"):
        Sequential([layers.Input(shape=(28, 28, 1)), Conv2D(2, 30, name="conv_big")])


def test_config_round_trip():
    layer = Conv2D(8, (3, 2), strides=2, padding="same", activation="relu", use_bias=False,
                   kernel_regularizer="l2", name="c")
    again = Conv2D.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    assert layers.deserialize(layers.serialize(layer)).get_config() == layer.get_config()
