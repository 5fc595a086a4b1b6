import hashlib

import numpy as np

from neurona.datasets.checksums import array_sha256, file_sha256, manifest_sha256

from .builders import idx_bytes


def test_an_array_checksum_is_the_sha256_of_its_idx_file(tmp_path):
    array = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(idx_bytes(array))
    assert array_sha256(array) == hashlib.sha256(idx_bytes(array)).hexdigest() == file_sha256(path)


def test_the_checksum_depends_on_shape_and_values():
    array = np.zeros((2, 6), np.uint8)
    assert array_sha256(array) != array_sha256(array.reshape(3, 4))
    assert array_sha256(array) != array_sha256(array + 1)
    assert array_sha256(array[:, ::2]) == array_sha256(np.ascontiguousarray(array[:, ::2]))


def test_manifest_checksum_is_order_and_content_sensitive():
    checksums = {"x_train": "a" * 64, "y_train": "b" * 64}
    expected = hashlib.sha256(f"{'a' * 64}  x_train\n{'b' * 64}  y_train\n".encode()).hexdigest()
    assert manifest_sha256(checksums) == expected
    assert manifest_sha256(dict(reversed(checksums.items()))) != expected
