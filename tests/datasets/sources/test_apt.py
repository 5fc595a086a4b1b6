"""The apt source with a fake `apt-get` on PATH that hands over a .deb built here."""

import gzip
import os

import numpy as np
import pytest

from neurona.datasets.errors import DataFormatError, SourceUnavailable
from neurona.datasets.resolve import resolve
from neurona.datasets.sources import AptPackage

from ..builders import FASHION_MNIST, IDX_GZ_NAMES, build_deb, fake_apt_get, files_in, idx_bytes, small_parts, spec_for

FOLDER = "usr/share/datasets/fashion-mnist"


def deb_of(tmp_path, parts):
    files = {IDX_GZ_NAMES[part]: gzip.compress(idx_bytes(array)) for part, array in parts.items()}
    return build_deb(tmp_path / "dataset-fashion-mnist_0.0_all.deb", files, folder=FOLDER)


@pytest.fixture
def bin_folder(tmp_path, monkeypatch):
    """A folder put first on PATH, for the fake apt-get."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


def test_apt_get_download_then_the_package_files(tmp_path, bin_folder, cache_dir):
    parts = small_parts()
    fake_apt_get(bin_folder, deb_of(tmp_path, parts))
    dataset = resolve(spec_for(parts, FASHION_MNIST), sources=["apt"])
    assert dataset.source == f"Debian package dataset-fashion-mnist (/{FOLDER}), now cached in {cache_dir / 'fashion-mnist'}"
    np.testing.assert_array_equal(dataset.x_train, parts["x_train"])
    names = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    assert files_in(cache_dir) == [f"fashion-mnist/{name}" for name in names]


def test_the_shared_fashion_files_in_a_package_match_the_real_checksums(tmp_path, bin_folder, data_dir):
    files = {path.name: path.read_bytes() for path in (data_dir / "fashion-mnist").glob("*.gz")}
    fake_apt_get(bin_folder, build_deb(tmp_path / "real.deb", files, folder=FOLDER, compression=""))
    dataset = resolve(FASHION_MNIST, sources=["apt"])
    assert dataset.x_train.shape == (60000, 28, 28) and dataset.checksums == FASHION_MNIST.checksums


def test_apt_failures_are_reported(tmp_path, bin_folder):
    fake_apt_get(bin_folder, fail_with="Unable to locate package dataset-fashion-mnist")
    with pytest.raises(SourceUnavailable, match="apt-get download dataset-fashion-mnist failed: E: Unable to locate package"):
        AptPackage("dataset-fashion-mnist", FOLDER).read(FASHION_MNIST)


def test_no_apt_get(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SourceUnavailable, match="apt-get not found"):
        AptPackage("dataset-fashion-mnist", FOLDER).read(FASHION_MNIST)


def test_errors_name_the_file_inside_the_package(tmp_path, bin_folder):
    files = {name: gzip.compress(b"") for name in IDX_GZ_NAMES.values()}
    deb = build_deb(tmp_path / "dataset-fashion-mnist_0.0_all.deb", {**files, IDX_GZ_NAMES["x_train"]: b"not gzip"}, folder=FOLDER)
    fake_apt_get(bin_folder, deb)
    with pytest.raises(DataFormatError, match=rf"^{deb.name}:/{FOLDER}/train-images-idx3-ubyte.gz: cannot be read as gzip"):
        AptPackage("dataset-fashion-mnist", FOLDER).read(FASHION_MNIST)
    fake_apt_get(bin_folder, build_deb(deb, {}, folder="usr/share/other"))
    with pytest.raises(SourceUnavailable, match=rf"{deb.name} has no files in /{FOLDER}"):
        AptPackage("dataset-fashion-mnist", FOLDER).read(FASHION_MNIST)
