import numpy as np
import pytest

from neurona.datasets import flatten, one_hot, scale, train_validation_split
from neurona.utils import to_categorical


def test_scale_is_the_tutorials_division():
    images = np.array([[0, 51, 255]], np.uint8)
    scaled = scale(images)
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, images.astype("float32") / 255)
    assert scale(images, dtype="float64").dtype == np.float64


def test_flatten_keeps_the_batch_axis():
    assert flatten(np.zeros((5, 28, 28))).shape == (5, 784)
    assert flatten(np.zeros((2, 64, 64, 3))).shape == (2, 12288)


def test_one_hot_is_to_categorical():
    assert one_hot is to_categorical
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


def test_seed_42_reproduces_seed_004s_split():
    x = np.arange(600).reshape(300, 2)
    y = np.arange(300)
    (x_train, y_train), (x_val, y_val) = train_validation_split(x, y, validation_size=100, seed=42)
    # seed 004, verbatim:
    np.random.seed(42)
    permutation = np.random.permutation(x.shape[0])
    x_shuffled, y_shuffled = x[permutation], y[permutation]
    np.testing.assert_array_equal(x_val, x_shuffled[:100])
    np.testing.assert_array_equal(x_train, x_shuffled[100:])
    np.testing.assert_array_equal(y_val, y_shuffled[:100])
    np.testing.assert_array_equal(y_train, y_shuffled[100:])


def test_fractions_generators_and_errors():
    x, y = np.arange(10), np.arange(10)
    (x_train, _), (x_val, _) = train_validation_split(x, y, 0.3, seed=np.random.default_rng(0))
    assert len(x_val) == 3 and sorted(np.concatenate([x_train, x_val])) == list(range(10))
    expected = r"validation_size must be a count in \[0, 10\] or a fraction in \(0, 1\). Received: validation_size=11"
    with pytest.raises(ValueError, match=expected):
        train_validation_split(x, y, 11)
    with pytest.raises(ValueError, match="Received: validation_size=1.5"):
        train_validation_split(x, y, 1.5)
    with pytest.raises(ValueError, match="same length. Received 10 and 9"):
        train_validation_split(x, y[:9], 2)


def test_image_shape_of_a_flat_row():
    from neurona.datasets import image_shape_of

    assert image_shape_of(784) == (28, 28)
    assert image_shape_of(12288) == (64, 64, 3)
    assert image_shape_of(10) is None
