import numpy as np
import pytest

from layer_checks import check_layer_gradients, distinct_values
from neurona import layers
from neurona.layers import (AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D)


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def reference_pool(x, pool, strides, padding, reduce):
    """Pooling window by window; 'same' pads after the odd pixel, and windows keep only their
    real pixels (so max ignores padding and average divides by the real count)."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        top = max(0, (oh - 1) * sh + ph - h) // 2
        left = max(0, (ow - 1) * sw + pw - w) // 2
    else:
        oh, ow, top, left = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            y0, z0 = i * sh - top, j * sw - left
            window = x[:, max(y0, 0):y0 + ph, max(z0, 0):z0 + pw, :]
            out[:, i, j, :] = reduce(window, axis=(1, 2))
    return out


CASES = [
    ((6, 6, 2), (2, 2), None, "valid"),
    ((7, 5, 2), (2, 2), None, "valid"),
    ((7, 5, 2), (2, 2), None, "same"),
    ((7, 7, 3), (3, 3), (2, 2), "valid"),
    ((7, 6, 1), (3, 3), (2, 2), "same"),
    ((8, 6, 2), (3, 2), (1, 2), "same"),
    ((5, 5, 2), (2, 3), (3, 1), "valid"),
]
IDS = [f"{c[3]}-p{c[1][0]}{c[1][1]}-s{(c[2] or c[1])[0]}{(c[2] or c[1])[1]}-{c[0][0]}x{c[0][1]}" for c in CASES]


@pytest.mark.parametrize("kind, reduce", [(MaxPooling2D, np.max), (AveragePooling2D, np.mean)], ids=["max", "average"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_window_by_window_pooling(kind, reduce, case, rng, kernel_path):
    shape, pool, strides, padding = case
    layer = kind(pool, strides=strides, padding=padding)
    layer.build(shape)
    x = rng.normal(size=(3,) + shape).astype(np.float32) - 3.0  # negative: padding must not win a max

    out = layer.forward(x)

    expected = reference_pool(x.astype(np.float64), pool, strides or pool, padding, reduce)
    assert out.shape == expected.shape == (3,) + layer.compute_output_shape(shape)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("kind", [MaxPooling2D, AveragePooling2D], ids=["max", "average"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradients(kind, case, rng, kernel_path):
    shape, pool, strides, padding = case
    layer = kind(pool, strides=strides, padding=padding)
    layer.build(shape)
    check_layer_gradients(layer, distinct_values(rng, (2,) + shape), rng)


def test_average_same_divides_by_the_real_pixels_only(kernel_path):
    layer = AveragePooling2D(2, padding="same")
    layer.build((3, 3, 1))
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    out = layer.forward(x)[0, :, :, 0]
    np.testing.assert_allclose(out, [[3.0, 4.5], [7.5, 9.0]])


def test_max_same_pads_with_minus_infinity(kernel_path):
    layer = MaxPooling2D(2, padding="same")
    layer.build((3, 3, 1))
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    np.testing.assert_array_equal(layer.forward(x)[0, :, :, 0], [[-1.0, -3.0], [-7.0, -9.0]])


def test_max_sends_the_gradient_to_the_first_maximum_on_ties(kernel_path):
    layer = MaxPooling2D(2)
    layer.build((2, 2, 1))
    layer.forward(np.ones((1, 2, 2, 1), np.float32))
    grad = layer.backward(np.full((1, 1, 1, 1), 2.0, np.float32))
    np.testing.assert_array_equal(grad[0, :, :, 0], [[2.0, 0.0], [0.0, 0.0]])


def test_pooling_arguments_follow_keras():
    assert MaxPooling2D().pool_size == (2, 2)
    assert MaxPooling2D(3).strides == (3, 3)
    assert MaxPooling2D(3, strides=1).strides == (1, 1)
    with pytest.raises(TypeError):
        AveragePooling2D()  # no default pool_size, as in Keras
    assert layers.MaxPool2D is MaxPooling2D and layers.AvgPool2D is AveragePooling2D


@pytest.mark.parametrize("make, message", [
    (lambda: MaxPooling2D(0, name="p"), r"MaxPooling2D layer 'p' expects pool_size to be an integer >= 1.*Received: pool_size=0"),
    (lambda: MaxPooling2D(2, strides=-2, name="p"), r"Received: strides=-2"),
    (lambda: AveragePooling2D(2, padding="full", name="p"), r"expects padding 'valid' or 'same'"),
    (lambda: MaxPooling2D(2, data_format="channels_first", name="p"), r"supports data_format='channels_last' only"),
    (lambda: GlobalAveragePooling2D(data_format="channels_first", name="p"), r"supports data_format='channels_last' only"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_pool_larger_than_its_input_is_refused():
    layer = MaxPooling2D(4, name="p")
    with pytest.raises(ValueError, match=r"MaxPooling2D layer 'p': pool_size=\(4, 4\) spans 4x4 pixels, larger than its 3x3 input"):
        layer.build((3, 3, 2))


@pytest.mark.parametrize("kind", [GlobalAveragePooling2D, GlobalMaxPooling2D])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_shapes_and_values(kind, keepdims, rng):
    layer = kind(keepdims=keepdims)
    layer.build((4, 3, 5))
    x = rng.normal(size=(2, 4, 3, 5)).astype(np.float32)
    out = layer.forward(x)
    reduce = np.mean if kind is GlobalAveragePooling2D else np.max
    assert out.shape == (2,) + layer.compute_output_shape((4, 3, 5))
    assert out.shape == ((2, 1, 1, 5) if keepdims else (2, 5))
    np.testing.assert_allclose(out.reshape(2, 5), reduce(x, axis=(1, 2)), rtol=1e-6)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("kind", [GlobalAveragePooling2D, GlobalMaxPooling2D])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_gradients(kind, keepdims, rng):
    layer = kind(keepdims=keepdims)
    layer.build((4, 3, 5))
    check_layer_gradients(layer, distinct_values(rng, (2, 4, 3, 5)), rng)


def test_global_max_shares_the_gradient_between_ties():
    layer = GlobalMaxPooling2D()
    layer.build((2, 2, 1))
    layer.forward(np.array([1.0, 3.0, 3.0, 0.0], np.float32).reshape(1, 2, 2, 1))
    grad = layer.backward(np.ones((1, 1), np.float32))
    np.testing.assert_array_equal(grad.reshape(4), [0.0, 0.5, 0.5, 0.0])
