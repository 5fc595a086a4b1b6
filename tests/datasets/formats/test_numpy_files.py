import numpy as np
import pytest

from neurona.datasets import DataFormatError, load
from neurona.datasets.formats.numpy_files import read_npy_folder, read_npz, write_npy_folder, write_npz

from ..builders import small_dataset, small_parts, write_keras_npz


def test_npz_round_trip_keeps_arrays_and_class_names(tmp_path):
    dataset = small_dataset(num_classes=3)
    write_npz(dataset, tmp_path / "small.npz")
    loaded = load(tmp_path / "small.npz")
    assert loaded.checksums == dataset.checksums and loaded.class_names == dataset.class_names
    assert loaded.name == "small" and loaded.source == f"npz {tmp_path / 'small.npz'}"


def test_keras_mnist_npz_layout(tmp_path):
    parts = small_parts()
    arrays, class_names = read_npz(write_keras_npz(tmp_path / "mnist.npz", parts))
    assert class_names is None
    for key, array in parts.items():
        np.testing.assert_array_equal(arrays[key], array)


def test_npy_folder_round_trip(tmp_path):
    dataset = small_dataset()
    write_npy_folder(dataset, tmp_path)
    arrays, class_names = read_npy_folder(tmp_path)
    assert tuple(class_names) == dataset.class_names
    assert load(tmp_path).checksums == dataset.checksums


def test_missing_keys_are_listed(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, x_train=np.zeros((1, 2, 2), np.uint8), images=np.zeros(1))
    with pytest.raises(DataFormatError, match=rf"{path}: no y_train, x_test, y_test \(it holds x_train, images\)"):
        read_npz(path)


def test_object_arrays_are_refused_not_unpickled(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, **{**small_parts(), "x_train": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(DataFormatError, match=rf"{path}: cannot be read as .npz .*allow_pickle"):
        read_npz(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataFormatError, match=rf"{path}: cannot be read as .npz"):
        read_npz(path)
