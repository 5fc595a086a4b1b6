import numpy as np
import pytest

from neurona.datasets.errors import SourceUnavailable
from neurona.datasets.sources import CACHE, DATA_DIR, SYSTEM, KerasCache

from ..builders import FASHION_MNIST, MNIST, small_parts, write_idx_gz, write_keras_npz


def assert_parts_equal(arrays, parts):
    for part, array in parts.items():
        np.testing.assert_array_equal(arrays[part], array)


def test_data_directory(tmp_path, monkeypatch):
    parts = small_parts()
    write_idx_gz(tmp_path / "data" / "mnist", parts)
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    assert_parts_equal(DATA_DIR.read(MNIST), parts)
    assert DATA_DIR.describe(MNIST) == f"data directory {tmp_path / 'data' / 'mnist'}"


def test_data_directory_not_set(no_data_dir):
    with pytest.raises(SourceUnavailable, match="NEURONA_DATA_DIR is not set"):
        DATA_DIR.read(MNIST)
    assert DATA_DIR.describe(MNIST) == "data directory (NEURONA_DATA_DIR not set)"


def test_cache_and_system_folders(cache_dir, tmp_path):
    parts = small_parts()
    write_idx_gz(cache_dir / "fashion-mnist", parts)
    write_idx_gz(tmp_path / "system" / "fashion-mnist", parts)
    assert_parts_equal(CACHE.read(FASHION_MNIST), parts)
    assert_parts_equal(SYSTEM.read(FASHION_MNIST), parts)
    with pytest.raises(SourceUnavailable, match=rf"{cache_dir / 'mnist'} not found"):
        CACHE.read(MNIST)


def test_keras_cache_npz_and_fashion_folder(tmp_path):
    parts = small_parts()
    write_keras_npz(tmp_path / "keras" / "datasets" / "mnist.npz", parts)
    write_idx_gz(tmp_path / "keras" / "datasets" / "fashion-mnist", parts)
    assert_parts_equal(KerasCache("mnist.npz").read(MNIST), parts)
    assert_parts_equal(KerasCache("fashion-mnist").read(FASHION_MNIST), parts)
    with pytest.raises(SourceUnavailable, match="other.npz not found"):
        KerasCache("other.npz").read(MNIST)


def test_a_folder_missing_a_file_is_unavailable(cache_dir):
    parts = small_parts()
    write_idx_gz(cache_dir / "mnist", parts)
    (cache_dir / "mnist" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(SourceUnavailable, match="no train-images-idx"):
        CACHE.read(MNIST)
