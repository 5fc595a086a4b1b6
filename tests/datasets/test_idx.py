import gzip
import hashlib

import numpy as np
import pytest

from neurona.datasets.idx import DataFormatError, decode_idx, encode_idx, read_idx

from .builders import idx_bytes


def test_round_trip_of_images_labels_and_int32(tmp_path):
    arrays = [np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), np.array([7, 1], np.uint8),
              np.arange(2 * 2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 2, 3), np.array([300, -1, 5], np.int32)]
    for array in arrays:
        path = tmp_path / "file-idx-ubyte.gz"
        path.write_bytes(gzip.compress(idx_bytes(array)))
        loaded = read_idx(path)
        assert loaded.dtype == array.dtype and loaded.shape == array.shape
        np.testing.assert_array_equal(loaded, array)
        loaded[0] = 0  # writable, native byte order


def test_the_encoding_is_the_mnist_file_format():
    header, data = encode_idx(np.zeros((2, 28, 28), np.uint8))
    assert bytes(header) == bytes.fromhex("00000803" "00000002" "0000001c" "0000001c")
    assert len(data) == 2 * 28 * 28
    assert idx_bytes(np.array([1, 2], np.uint8)) == bytes.fromhex("00000801 00000002 0102")


def test_raw_files_read_too(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.array([3, 4, 5], np.uint8)))
    np.testing.assert_array_equal(read_idx(path), [3, 4, 5])


def test_the_shared_mnist_train_images_have_the_readme_checksum(data_dir):
    data = gzip.decompress((data_dir / "mnist" / "train-images-idx3-ubyte.gz").read_bytes())
    assert hashlib.sha256(data).hexdigest() == "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    assert idx_bytes(decode_idx(data, "x")) == data


def test_truncated_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((4, 28, 28), np.uint8)))[:-20])
    with pytest.raises(DataFormatError, match=rf"{path}: cannot be read as gzip"):
        read_idx(path)


@pytest.mark.parametrize("data, message", [
    (bytes.fromhex("00000901 00000001 00"), "wrong IDX magic number 0x00000901"),
    (bytes.fromhex("00000803 00000002 0000001c"), "truncated IDX header"),
    (bytes.fromhex("00000801 00000003 0102"), r"the header announces 3 values \(3 bytes of data\); the file holds 2 bytes"),
    (bytes.fromhex("00000801 00000001 0102"), r"the header announces 1 values \(1 bytes of data\); the file holds 2 bytes"),
    (b"\x00\x00", "too short for an IDX header"),
])
def test_bad_headers_name_the_file_and_the_problem(data, message):
    with pytest.raises(DataFormatError, match=rf"labels.idx: {message}"):
        decode_idx(data, "labels.idx")


def test_only_uint8_and_int32_encode():
    with pytest.raises(ValueError, match="uint8 or int32.*float64"):
        encode_idx(np.zeros(3))
