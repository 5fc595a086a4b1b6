"""An unpickler that rebuilds NumPy arrays and nothing else.

A pickle can name any importable callable and call it while loading; this one refuses every
global except the few NumPy needs to rebuild an ndarray, so a hostile file raises instead of
running code. Callers also check a file's SHA-256 before reading it.
"""

import codecs
import importlib
import pickle  # restricted: only NumpyOnlyUnpickler below reads pickles, admitting NumPy arrays only

import numpy as np

UnpicklingError = pickle.UnpicklingError

# (module, name) as written in the pickle -> where the object lives in the installed NumPy.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): ("multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"): ("multiarray", "_reconstruct"),
    ("numpy", "ndarray"): ("numpy", "ndarray"),
    ("numpy", "dtype"): ("numpy", "dtype"),
    # Python 3 writes an array's bytes at protocol 2 as _codecs.encode(text, "latin1"): a pure
    # function without side effects.
    ("_codecs", "encode"): ("codecs", "encode"),
}


def _multiarray():
    try:
        return importlib.import_module("numpy._core.multiarray")  # NumPy >= 2
    except ImportError:
        return importlib.import_module("numpy.core.multiarray")


class NumpyOnlyUnpickler(pickle.Unpickler):
    """`NumpyOnlyUnpickler(file, encoding="latin1").load()`: tuples, lists, numbers, strings
    and numeric NumPy arrays; any other global raises pickle.UnpicklingError."""

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise UnpicklingError(f"refused to load {module}.{name}: only NumPy arrays are allowed")
        home, attribute = _ALLOWED[(module, name)]
        return getattr({"numpy": np, "codecs": codecs}.get(home) or _multiarray(), attribute)


def load_numpy_pickle(file):
    """The object in a pickle of NumPy arrays (Python 2 pickles included: latin1 strings).

    Raises pickle.UnpicklingError for any other global, and for object arrays.
    """
    loaded = NumpyOnlyUnpickler(file, encoding="latin1").load()
    _refuse_object_arrays(loaded)
    return loaded


def _refuse_object_arrays(value):
    if isinstance(value, np.ndarray) and value.dtype.hasobject:
        raise UnpicklingError("refused an object array: only numeric NumPy arrays are allowed")
    if isinstance(value, (tuple, list)):
        for item in value:
            _refuse_object_arrays(item)
