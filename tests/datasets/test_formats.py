import numpy as np
import pytest

from neurona.datasets import FORMATS, DataFormatError, read_dataset, write_dataset
from neurona.datasets.formats import detect_format

from .builders import small_dataset


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_round_trips(tmp_path, format):
    dataset = small_dataset(name="digits", n_train=9, n_test=4)
    written = write_dataset(dataset, tmp_path / "out", format)
    assert written and all(path.is_file() for path in written)
    assert detect_format(tmp_path / "out") == format
    loaded = read_dataset(tmp_path / "out")
    for part, array in dataset.parts().items():
        got = getattr(loaded, part)
        assert got.dtype == array.dtype and got.shape == array.shape
        np.testing.assert_array_equal(got, array)


@pytest.mark.parametrize("format", FORMATS)
def test_rgb_images_round_trip(tmp_path, format):
    dataset = small_dataset(name="pets", image_shape=(6, 6, 3), num_classes=2, n_train=5, n_test=2)
    write_dataset(dataset, tmp_path, format)
    assert read_dataset(tmp_path, format).checksums == dataset.checksums


@pytest.mark.parametrize("format", FORMATS)
def test_an_empty_test_split_round_trips(tmp_path, format):
    dataset = small_dataset(name="photos", n_train=6, n_test=0)
    write_dataset(dataset, tmp_path, format)
    loaded = read_dataset(tmp_path, format)
    assert loaded.x_test.shape == (0, 28, 28) and loaded.checksums == dataset.checksums


def test_detection_by_suffix_and_errors(tmp_path):
    for name, expected in (("a.npz", "npz"), ("a.h5", "hdf5"), ("a.HDF5", "hdf5"), ("a.csv", "csv")):
        (tmp_path / name).write_bytes(b"")
        assert detect_format(tmp_path / name) == expected
    (tmp_path / "a.txt").write_text("?")
    with pytest.raises(DataFormatError, match="a.txt: cannot tell the format from the suffix; pass format="):
        detect_format(tmp_path / "a.txt")
    with pytest.raises(FileNotFoundError, match="missing: no such file or folder"):
        detect_format(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="empty: no dataset files found"):
        detect_format(tmp_path / "empty")
    with pytest.raises(ValueError, match="format must be one of idx, npz.*Received: format='xls'"):
        write_dataset(small_dataset(), tmp_path / "out", "xls")
