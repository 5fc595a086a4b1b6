import numpy as np
import pytest

from neurona import datasets
from neurona.runs import config
from neurona.runs.data import class_probabilities, load_run_data, model_inputs, model_targets


def _config(npz, **overrides):
    return config.resolve("seed000", overrides={"dataset": str(npz), "limit_train": None, **overrides})


def test_limits_take_the_first_images(striped_npz):
    data = load_run_data(_config(striped_npz, limit_train=50, limit_test=10))
    full = datasets.load(str(striped_npz))
    assert np.array_equal(data.train_images, full.x_train[:50])
    assert np.array_equal(data.test_labels, full.y_test[:10])
    assert data.val_images is None
    assert data.class_names == ["top", "upper", "lower", "bottom"]
    assert data.image_shape == (8, 8)


def test_validation_split_holds_out_the_last_images_like_keras(striped_npz):
    data = load_run_data(_config(striped_npz, validation_split=0.25))
    full = datasets.load(str(striped_npz))
    assert np.array_equal(data.train_images, full.x_train[:120])
    assert np.array_equal(data.val_images, full.x_train[120:])


def test_seeded_validation_is_seed_004s_permutation(striped_npz):
    data = load_run_data(_config(striped_npz, validation_split=0.25, validation_seed=42))
    full = datasets.load(str(striped_npz))
    np.random.seed(42)
    permutation = np.random.permutation(160)
    assert np.array_equal(data.val_images, full.x_train[permutation[:40]])
    assert np.array_equal(data.train_labels, full.y_train[permutation[40:]])


def test_validate_on_test_uses_the_test_images(striped_npz):
    data = load_run_data(_config(striped_npz, validate_on_test=True))
    assert data.val_images is data.test_images


def test_a_split_leaving_nothing_is_refused(striped_npz):
    with pytest.raises(ValueError, match="both need at least one"):
        load_run_data(_config(striped_npz, limit_train=2, validation_split=0.1))


def test_description_names_the_data(striped_npz):
    description = load_run_data(_config(striped_npz)).description()
    assert description["name"] == "striped"
    assert len(description["checksum"]) == 64
    assert description["image_shape"] == [8, 8]


def test_model_inputs_scale_and_reshape():
    images = np.full((3, 4, 4), 255, dtype=np.uint8)
    x = model_inputs(images, (16,), "float32")
    assert x.shape == (3, 16) and x.dtype == np.float32 and x.max() == 1.0
    assert model_inputs(images, (4, 4), "float64").dtype == np.float64


def test_model_inputs_name_both_shapes_when_they_do_not_fit():
    images = np.zeros((2, 64, 64, 3), dtype=np.uint8)
    with pytest.raises(ValueError) as caught:
        model_inputs(images, (784,), "float32", what="the catvnoncat test images")
    message = str(caught.value)
    assert "(784,)" in message and "(64, 64, 3)" in message and "catvnoncat" in message


def test_model_targets():
    labels = np.array([0, 2, 1])
    assert model_targets(labels, "categorical_crossentropy", 3).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert model_targets(labels, "sparse_categorical_crossentropy", 3) is labels
    with pytest.raises(ValueError, match="up to 2 .* 2 outputs"):
        model_targets(labels, "sparse_categorical_crossentropy", 2)
    assert model_targets(np.array([0, 1]), "binary_crossentropy", 1).tolist() == [0, 1]


def test_class_probabilities_widen_a_sigmoid_output():
    assert class_probabilities(np.array([[0.25], [1.0]])).tolist() == [[0.75, 0.25], [0.0, 1.0]]
    softmax = np.array([[0.1, 0.9]])
    assert class_probabilities(softmax).tolist() == softmax.tolist()
