"""JSON read from untrusted files: bounded size and depth, no duplicate keys."""

import json

import numpy as np

from neurona.saving import limits
from neurona.saving.errors import ModelFileError


def loads(data, what):
    """Parse `data` (bytes or str) holding the JSON document `what` (named in errors).

    Raises:
        ModelFileError: too large, not UTF-8, not JSON, nested too deeply, or with a key
            given twice.
    """
    if len(data) > limits.MAX_JSON_BYTES:
        raise ModelFileError(
            f"{what} is {len(data)} bytes, more than the limit of {limits.MAX_JSON_BYTES} "
            "(neurona.saving.limits.MAX_JSON_BYTES)."
        )
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ModelFileError(f"{what} is not UTF-8 text: {error}.") from None
    try:
        value = json.loads(data, object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise ModelFileError(f"{what} is nested too deeply.") from None
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"{what} is not valid JSON: {error}.") from None
    if _depth(value) > limits.MAX_JSON_DEPTH:
        raise ModelFileError(f"{what} is nested more than {limits.MAX_JSON_DEPTH} levels deep.")
    return value


def dumps(value):
    """Compact UTF-8 JSON bytes; NumPy scalars become numbers, NaN and infinities are refused."""
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"), default=_plain)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Cannot write this configuration as JSON: {error}.") from None
    return text.encode("utf-8")


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON serializable")


def _no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result


def _depth(value):
    """Nesting depth of containers, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > limits.MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest
