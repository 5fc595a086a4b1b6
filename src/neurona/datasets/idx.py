"""IDX files (MNIST's format), raw or gzip: big-endian header, then raw bytes."""

import gzip
import struct

import numpy as np

_UINT8_MAGIC = {0x00000801: 1, 0x00000803: 3}


class DataFormatError(ValueError):
    """A data file is not what it claims to be; the message names the file and the problem."""


def read_idx(path):
    """The uint8 array stored in an IDX file (`.gz` read transparently).

    Shapes: labels (count,), images (count, rows, cols).
    """
    path = str(path)
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as error:
        raise DataFormatError(f"{path}: cannot be read as {'gzip' if path.endswith('.gz') else 'IDX'} ({error}).") from error
    if len(data) < 8:
        raise DataFormatError(f"{path}: too short for an IDX header ({len(data)} bytes).")
    (magic,) = struct.unpack(">I", data[:4])
    if magic not in _UINT8_MAGIC:
        raise DataFormatError(
            f"{path}: wrong IDX magic number 0x{magic:08x}; expected 0x00000801 (labels) or 0x00000803 (images)."
        )
    ndim = _UINT8_MAGIC[magic]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DataFormatError(f"{path}: truncated IDX header.")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    expected = int(np.prod(shape))
    found = len(data) - header_size
    if found != expected:
        raise DataFormatError(
            f"{path}: the header announces {' x '.join(map(str, shape))} = {expected} bytes of data; "
            f"the file holds {found}."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape).copy()
