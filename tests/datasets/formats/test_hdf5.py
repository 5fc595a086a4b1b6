import h5py
import numpy as np
import pytest

from neurona.datasets import DataFormatError, load
from neurona.datasets.formats.hdf5 import read_hdf5, write_hdf5

from ..builders import small_dataset


def test_round_trip_in_the_catvnoncat_layout(tmp_path):
    dataset = small_dataset(name="pets", image_shape=(8, 8, 3), num_classes=2)
    written = write_hdf5(dataset, tmp_path)
    assert [path.name for path in written] == ["train_pets.h5", "test_pets.h5"]
    with h5py.File(written[0]) as file:
        assert sorted(file) == ["list_classes", "train_set_x", "train_set_y"]
    loaded = load(tmp_path)
    assert loaded.checksums == dataset.checksums and loaded.class_names == ("0", "1")


def test_the_shared_catvnoncat_files(data_dir):
    arrays, class_names = read_hdf5(data_dir / "catvnoncat")
    assert arrays["x_train"].shape == (209, 64, 64, 3) and arrays["x_test"].shape == (50, 64, 64, 3)
    assert class_names == ["non-cat", "cat"]


def test_other_keys_by_option(tmp_path):
    path = tmp_path / "all.h5"
    with h5py.File(path, "w") as file:
        file["images"], file["labels"] = np.zeros((3, 4, 4), np.uint8), np.array([0, 1, 1])
        file["test_images"], file["test_labels"] = np.ones((2, 4, 4), np.uint8), np.array([1, 0])
    dataset = load(path, keys={"x_train": "images", "y_train": "labels", "x_test": "test_images", "y_test": "test_labels"})
    assert dataset.x_train.shape == (3, 4, 4) and dataset.class_names == ("0", "1")


def test_missing_keys_name_the_file_and_what_it_holds(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as file:
        file["images"] = np.zeros((3, 4, 4), np.uint8)
    with pytest.raises(DataFormatError, match=rf"{path}: no dataset train_set_x, train_set_y, test_set_x, "
                                              r"test_set_y \(found: other.h5:images\); name others with keys="):
        read_hdf5(path)


def test_not_an_hdf5_file(tmp_path):
    path = tmp_path / "fake.h5"
    path.write_bytes(b"not hdf5 at all")
    with pytest.raises(DataFormatError, match=rf"{path}: cannot be read as HDF5"):
        read_hdf5(path)
