"""Kernels: the engine's hot loops, each as a NumPy reference and a Numba version.

The NumPy reference is the readable specification of the maths and the fallback; the Numba
version computes the same thing in one compiled pass (equal within float32 rounding, see the
tests in `tests/kernels/`). Kernels are pure functions of their arguments: what backward
needs and the scratch arrays are passed in by the caller, never kept here.

Which one runs:
- Numba when it imports, else NumPy;
- `NEURONA_KERNELS=numpy` (or `numba`), read when `fit` or `predict` starts;
- `neurona.backend.set_kernels("numpy")`, which takes precedence over the variable.

Families, one module each: `optimizers` (every optimizer's update in one pass), `dense` (the
bias and activation epilogue, forward and back), `losses` (softmax or sigmoid with
cross-entropy: loss, gradient and accuracy in one pass), `dropout` (masks), `gather` (batch
rows), `finite` (the inputs' check), `conv`, `pooling` and `normalization` (the convolutional
layers' loops), `resample` (the augmentation layers' affine resampling of a batch), and
`activations`, the NumPy formulas they share (erf among them). `policy`
fixes the path and the thread counts for one call of `fit` or `predict`, in the thread that
makes it.
"""

import os
import threading

from neurona.kernels._compile import Compiled, numba_import_error, numba_module

KERNELS_VARIABLE = "NEURONA_KERNELS"
PATHS = ("numba", "numpy")

_COMPILED_DTYPES = "fd"  # the float32 and float64 arrays that lead every kernel's arguments
_requested = None   # set_kernels(); None: the variable, else Numba when it imports


class _State(threading.local):
    """The path in force, per thread (None until first resolved), so that a fit on one
    thread and a predict on another each run under their own execution policy."""

    use_numba = None


_state = _State()


def set_kernels(path):
    """Run the 'numba' kernels or the 'numpy' references (None: back to the default)."""
    global _requested
    if path is not None and path not in PATHS:
        raise ValueError(f"Unknown kernel path: {path!r}. Expected one of {PATHS} or None.")
    _requested = path
    resolve()


def requested_path():
    """The path asked for: set_kernels(), else NEURONA_KERNELS, else None (automatic)."""
    if _requested is not None:
        return _requested
    value = os.environ.get(KERNELS_VARIABLE, "").strip().lower()
    if not value:
        return None
    if value not in PATHS:
        raise ValueError(f"{KERNELS_VARIABLE} must be one of {PATHS}. Found {KERNELS_VARIABLE}={value!r}.")
    return value


def resolve():
    """Decide the path from the settings now in force, and make it current in this thread;
    returns its name."""
    path = requested_path()
    if path is None:
        path = "numba" if numba_module() is not None else "numpy"
    elif path == "numba" and numba_module() is None:
        raise RuntimeError(
            f"Numba kernels were asked for, but numba failed to import ({numba_import_error()}). "
            f"Install numba, or set {KERNELS_VARIABLE}=numpy."
        )
    _state.use_numba = path == "numba"
    return path


def active_path():
    """'numba' or 'numpy': the path kernels run on now."""
    if _state.use_numba is None:
        resolve()
    return "numba" if _state.use_numba else "numpy"


def using_numba():
    """Whether the Numba kernels run now (a cheap check for callers that prepare arguments)."""
    use = _state.use_numba
    return resolve() == "numba" if use is None else use


def _set_current(path):
    """Make `path` current (used by an execution policy while it is applied)."""
    _state.use_numba = path == "numba"


class Kernel:
    """One piece of math with two implementations of the same signature.

    `reference` is NumPy; `compiled` (a `Compiled` from `kernels._compile`) is Numba, compiled
    the first time it runs. Calling the kernel runs whichever path is current; the first
    argument is always an array, and a float16 one takes the reference.
    """

    def __init__(self, reference, compiled):
        self.reference = reference
        self.compiled = compiled
        self.__name__ = reference.__name__.removesuffix("_numpy")
        self.__doc__ = reference.__doc__

    def __call__(self, *args):
        use = _state.use_numba
        if use is None:
            use = resolve() == "numba"
        # Numba has no float16 arithmetic: half-precision arrays take the reference.
        if use and args[0].dtype.char in _COMPILED_DTYPES:
            return self.compiled.dispatcher()(*args)
        return self.reference(*args)

    def numpy(self, *args):
        return self.reference(*args)

    def numba(self, *args):
        return self.compiled.dispatcher()(*args)

    def __repr__(self):
        return f"<kernel {self.__name__}>"


def kernel(reference):
    """Decorator on a Numba version: `@kernel(reference)` pairs it with its NumPy reference."""

    def wrap(compiled):
        if not isinstance(compiled, Compiled):
            raise TypeError("kernel() wraps a function decorated with kernels._compile.compiled().")
        return Kernel(reference, compiled)

    return wrap


__all__ = ["KERNELS_VARIABLE", "Kernel", "PATHS", "active_path", "kernel", "requested_path", "resolve",
           "set_kernels"]
