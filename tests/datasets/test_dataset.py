import numpy as np
import pytest

from neurona.datasets import DataFormatError, Dataset
from neurona.datasets.checksums import array_sha256
from neurona.datasets.dataset import as_images, as_labels, make_dataset

from .builders import small_parts


def test_make_dataset_keeps_keras_shapes_and_computes_checksums():
    parts = small_parts()
    dataset = make_dataset(parts, name="small", source="test")
    assert isinstance(dataset, Dataset)
    (x_train, y_train), (x_test, y_test) = dataset.load_data()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == ((40, 28, 28), (40,), (12, 28, 28), (12,))
    assert x_train.dtype == y_train.dtype == np.uint8
    assert dataset.class_names == tuple(str(i) for i in range(int(max(parts["y_train"].max(), parts["y_test"].max())) + 1))
    assert dataset.checksums["x_train"] == array_sha256(parts["x_train"])
    assert len(dataset.checksum) == 64 and dataset.image_shape == (28, 28)
    assert "small" in repr(dataset) and "40 train + 12 test" in repr(dataset)


def test_whole_floats_and_wide_integers_become_uint8():
    assert as_images(np.array([[0.0, 255.0]]), "x").dtype == np.uint8
    labels = as_labels(np.array([[1], [0]], dtype=np.int64), "y")
    assert labels.dtype == np.uint8 and labels.shape == (2,)
    assert as_labels(np.array([0, 300]), "y").dtype == np.int32


@pytest.mark.parametrize("images, message", [
    (np.array([[0, 256]]), r"x: pixel values must be whole numbers in 0-255; found 256 at index \(0, 1\)"),
    (np.array([[0.5, 1.0]]), r"found 0.5 at index \(0, 0\)"),
    (np.array([[np.nan, 1.0]]), r"found nan"),
    (np.array([["a", "b"]]), "pixel values must be numbers; got dtype <U1"),
    (np.array([1, 2]), r"images need a batch axis and pixels; got shape \(2,\)"),
])
def test_invalid_pixels(images, message):
    with pytest.raises(DataFormatError, match=message):
        as_images(images, "x")


def test_invalid_labels():
    with pytest.raises(DataFormatError, match="y: labels must be whole numbers in 0-.*found -1"):
        as_labels(np.array([1, -1]), "y")
    with pytest.raises(DataFormatError, match=r"one per image, shape \(n,\); got \(2, 2\)"):
        as_labels(np.zeros((2, 2)), "y")


def test_image_and_label_counts_must_agree():
    parts = small_parts()
    parts["y_test"] = parts["y_test"][:-1]
    with pytest.raises(DataFormatError, match="somewhere: 12 test images but 11 test labels"):
        make_dataset(parts, name="small", source="somewhere")


def test_class_names_must_cover_the_labels():
    parts = small_parts(num_classes=3)
    with pytest.raises(DataFormatError, match="label 2 found but only 2 class names"):
        make_dataset(parts, name="small", source="here", class_names=["a", "b"])
