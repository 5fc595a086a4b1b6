"""The safetensors format, written and read with NumPy alone (no pickle, no code).

Layout (https://github.com/huggingface/safetensors):

    8 bytes      N, the header length, unsigned little-endian
    N bytes      JSON: {"name": {"dtype": "F32", "shape": [d0, d1], "data_offsets": [begin, end]},
                        ..., "__metadata__": {"key": "text"}}   (padded with spaces)
    rest         the tensors' bytes, little-endian, C order; offsets are relative to here

Reading checks the header before any tensor byte is read: known dtypes only, offsets that
match each shape exactly, tensors packed end to end with no gap or overlap, and a total that
matches the size of the member or file holding them.
"""

import math
import struct

import numpy as np

from neurona.saving import limits, safe_json
from neurona.saving.errors import ModelFileError

DTYPES = {"F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}
_CODES = {dtype: code for code, dtype in DTYPES.items()}


def encode(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` ({name: array}) in the order given."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(key): str(value) for key, value in metadata.items()}
    for name, value in tensors.items():
        array = np.asarray(value)
        dtype = array.dtype.newbyteorder("<")
        if dtype not in _CODES:
            raise TypeError(f"safetensors: cannot store {name!r} of dtype {array.dtype}.")
        data = np.ascontiguousarray(array, dtype=dtype).tobytes()
        header[name] = {"dtype": _CODES[dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = safe_json.dumps(header)
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks)


class Header:
    """A validated header: `tensors` maps name -> (dtype, shape, begin, end), in file order."""

    def __init__(self, tensors, metadata, data_start):
        self.tensors = tensors
        self.metadata = metadata
        self.data_start = data_start

    def shapes(self):
        return {name: shape for name, (_, shape, _, _) in self.tensors.items()}


def read_header(stream, size, what):
    """Read and check the header from `stream`, positioned at the start of `size` bytes."""
    if size < 8:
        raise ModelFileError(f"{what} is truncated: {size} bytes, fewer than its 8-byte header length.")
    (length,) = struct.unpack("<Q", _read_exact(stream, 8, what))
    if length > min(limits.MAX_JSON_BYTES, size - 8):
        raise ModelFileError(
            f"{what} declares a header of {length} bytes, more than "
            f"{'the file holds' if length > size - 8 else 'the limit of ' + str(limits.MAX_JSON_BYTES)}."
        )
    raw = safe_json.loads(_read_exact(stream, length, what), f"the header of {what}")
    if not isinstance(raw, dict):
        raise ModelFileError(f"the header of {what} must be a JSON object.")
    metadata = raw.pop("__metadata__", None) or {}
    if not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
        raise ModelFileError(f"the __metadata__ of {what} must map names to strings.")
    if len(raw) > limits.MAX_TENSORS:
        raise ModelFileError(f"{what} declares {len(raw)} tensors, more than the limit of {limits.MAX_TENSORS}.")
    tensors = {name: _check_entry(name, entry, what) for name, entry in raw.items()}
    ordered = dict(sorted(tensors.items(), key=lambda item: item[1][2]))
    expected_begin = 0
    for name, (_, _, begin, end) in ordered.items():
        if begin != expected_begin:
            raise ModelFileError(
                f"{what}: tensor {name!r} starts at byte {begin}, expected {expected_begin} "
                "(tensors must follow each other with no gap or overlap)."
            )
        expected_begin = end
    if expected_begin > limits.MAX_UNCOMPRESSED_BYTES:
        raise ModelFileError(
            f"{what} declares {expected_begin} bytes of tensors, more than the limit of "
            f"{limits.MAX_UNCOMPRESSED_BYTES} (neurona.saving.limits.MAX_UNCOMPRESSED_BYTES)."
        )
    if 8 + length + expected_begin != size:
        state = "truncated" if 8 + length + expected_begin > size else "followed by unexpected bytes"
        raise ModelFileError(
            f"{what} is {state}: its header declares {expected_begin} bytes of tensors, "
            f"the file holds {size - 8 - length}."
        )
    return Header(ordered, metadata, 8 + length)


def read_tensors(stream, header, what):
    """The tensors of `header` as writable native-endian arrays, read from `stream` in order."""
    result = {}
    for name, (dtype, shape, begin, end) in header.tensors.items():
        data = _read_exact(stream, end - begin, what)
        result[name] = np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    return result


def _check_entry(name, entry, what):
    if not (isinstance(entry, dict) and set(entry) == {"dtype", "shape", "data_offsets"}):
        raise ModelFileError(f"{what}: tensor {name!r} must have exactly dtype, shape and data_offsets.")
    dtype = DTYPES.get(entry["dtype"]) if isinstance(entry["dtype"], str) else None
    if dtype is None:
        raise ModelFileError(
            f"{what}: tensor {name!r} has dtype {entry['dtype']!r}; expected one of {sorted(DTYPES)}."
        )
    shape, offsets = entry["shape"], entry["data_offsets"]
    if not (isinstance(shape, list) and len(shape) <= 32 and all(_is_count(dim) for dim in shape)):
        raise ModelFileError(f"{what}: tensor {name!r} has an invalid shape {shape!r}.")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(v) for v in offsets)
            and offsets[0] <= offsets[1]):
        raise ModelFileError(f"{what}: tensor {name!r} has invalid data_offsets {offsets!r}.")
    nbytes = math.prod(shape) * dtype.itemsize
    if offsets[1] - offsets[0] != nbytes:
        raise ModelFileError(
            f"{what}: tensor {name!r} of shape {tuple(shape)} and dtype {entry['dtype']} needs "
            f"{nbytes} bytes, its data_offsets span {offsets[1] - offsets[0]}."
        )
    return dtype, tuple(shape), offsets[0], offsets[1]


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _read_exact(stream, count, what):
    chunks, left = [], count
    while left:
        chunk = stream.read(min(left, 1 << 24))
        if not chunk:
            raise ModelFileError(f"{what} is truncated: {count - left} of {count} bytes could be read.")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
