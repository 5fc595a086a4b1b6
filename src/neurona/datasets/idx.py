"""IDX files (MNIST's format), raw or gzip: big-endian header, then raw bytes.

Header: two zero bytes, a type byte (0x08 uint8, 0x0C int32), the number of dimensions, then
each dimension as a big-endian uint32. MNIST's images are 0x00000803 (count, rows, cols), its
labels 0x00000801 (count).
"""

import gzip
import math
import os
import struct
import zlib

import numpy as np

from neurona.datasets.errors import DataFormatError

__all__ = ["DataFormatError", "decode_idx", "encode_idx", "read_idx"]

_DTYPES = {0x08: np.dtype(np.uint8), 0x0C: np.dtype(">i4")}
_TYPE_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}


def read_idx(path):
    """The array stored in an IDX file (`.gz` read transparently).

    Shapes: labels (count,), images (count, rows, cols) or (count, rows, cols, channels).
    """
    path = str(path)
    compressed = path.endswith(".gz")
    try:
        with (gzip.open if compressed else open)(path, "rb") as handle:
            data = handle.read()
    except EOFError as error:  # gzip's "Compressed file ended before the end-of-stream marker"
        raise DataFormatError(
            f"{path}: cannot be read as gzip (truncated: the file ends at byte {os.path.getsize(path)}, "
            "before the end of its compressed data)."
        ) from error
    except (OSError, zlib.error) as error:
        raise DataFormatError(
            f"{path}: cannot be read as {'gzip' if compressed else 'IDX'} ({error})."
        ) from error
    return decode_idx(data, path)


def decode_idx(data, origin):
    """The array held by the uncompressed IDX bytes `data`; `origin` names them in errors."""
    if len(data) < 8:
        raise DataFormatError(f"{origin}: too short for an IDX header ({len(data)} bytes).")
    (magic,) = struct.unpack(">I", data[:4])
    type_code, ndim = magic >> 8, magic & 0xFF
    if type_code not in _DTYPES or ndim == 0:
        raise DataFormatError(
            f"{origin}: wrong IDX magic number 0x{magic:08x}; expected 0x00000801 (labels), "
            "0x00000803 (images) or another uint8/int32 IDX header."
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DataFormatError(f"{origin}: truncated IDX header.")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    dtype = _DTYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: a hostile header cannot overflow
    found = len(data) - header_size
    if found != expected:
        raise DataFormatError(
            f"{origin}: the header announces {' x '.join(map(str, shape))} values ({expected} bytes "
            f"of data); the file holds {found} bytes."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a native-order, writable copy


def encode_idx(array):
    """(header, data): the IDX encoding of a uint8 or int32 array, as two bytes-like objects.

    `data` is a view of the array when it is uint8 (no copy); hashing or writing both parts
    gives exactly the bytes of an uncompressed IDX file.
    """
    array = np.asarray(array)
    if array.dtype not in _TYPE_CODES or array.ndim == 0:
        raise ValueError(
            f"encode_idx expects a uint8 or int32 array with at least one axis. "
            f"Received dtype={array.dtype}, shape={array.shape}."
        )
    header = struct.pack(f">I{array.ndim}I", (_TYPE_CODES[array.dtype] << 8) | array.ndim, *array.shape)
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder(">"))
    return header, memoryview(data.reshape(-1))
