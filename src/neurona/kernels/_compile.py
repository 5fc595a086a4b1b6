"""How a kernel is compiled: Numba imported on first use, never at `import neurona`.

Kernel modules write their compiled versions as plain Python over arrays and scalars, with
`prange` for loops that may run on several threads. Nothing is compiled until a kernel first
runs on the Numba path; then `numba.njit` compiles it with these options, and `cache=True`
keeps the machine code on disk for the next process:

- `error_model="numpy"`: a division by zero gives inf or NaN as in NumPy instead of raising.
  Numba's default ("python") checks every division, which keeps loops scalar (an Adam step
  over 101,770 parameters: 263 us checked, 51 us vectorised).
- `fastmath={"contract"}`: multiply-adds may fuse into FMA instructions. Never "nnan" or
  "ninf": NaN and inf must survive, or TerminateOnNaN would never see them.
- `nogil=True`: a compiled kernel releases the GIL, so a server can predict on two threads.
"""

import builtins
import os
import types
from pathlib import Path

# Stand-in for `numba.prange` in kernel modules, so that they import without Numba; swapped
# for the real one in the kernel's globals just before it compiles.
prange = builtins.range

_numba = None
_import_error = None
NUMBA_CACHE_VARIABLE = "NUMBA_CACHE_DIR"


def numba_module():
    """The numba module, imported once, with a writable cache folder; None when missing."""
    global _numba, _import_error
    if _numba is not None or _import_error is not None:
        return _numba
    _configure_cache_dir()
    try:
        import numba
    except ImportError as error:  # a broken or missing install: the NumPy path still works
        _import_error = error
        return None
    # One thread unless an execution policy measured that more pay: a parallel loop waits for
    # its second thread, which a busy machine may not schedule for milliseconds (8 ms against
    # 7 us for an Adam step of a small model, measured while both cores were taken).
    numba.set_num_threads(1)
    _numba = numba
    return numba


def numba_import_error():
    numba_module()
    return _import_error


def _configure_cache_dir():
    """Numba caches beside the kernel's source file; when the installed package is read-only
    (a system-wide install), point it at neurona's cache instead, unless the user chose."""
    if os.environ.get(NUMBA_CACHE_VARIABLE):
        return
    package = Path(__file__).resolve().parent
    if os.access(package, os.W_OK) and _writable(package / "__pycache__"):
        return
    from neurona.utils.cache import cache_dir

    target = cache_dir() / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.environ[NUMBA_CACHE_VARIABLE] = str(target)


def _writable(folder):
    return os.access(folder, os.W_OK) if folder.exists() else os.access(folder.parent, os.W_OK)


class Compiled:
    """A Python function compiled by Numba the first time it is called through `dispatcher`."""

    def __init__(self, function, parallel=False, fastmath=("contract",)):
        self.function = function
        self.parallel = parallel
        self.fastmath = set(fastmath)
        self._dispatcher = None

    def dispatcher(self):
        if self._dispatcher is None:
            numba = numba_module()
            if numba is None:
                raise RuntimeError(
                    f"The Numba kernels need numba, which failed to import ({_import_error}). "
                    "Install it (pip install numba) or run the NumPy path: NEURONA_KERNELS=numpy."
                )
            self._dispatcher = numba.njit(
                cache=True, error_model="numpy", fastmath=self.fastmath, nogil=True,
                parallel=self.parallel,
            )(self._for_numba(numba))
        return self._dispatcher

    def _for_numba(self, numba):
        """The function over globals in which `prange` is Numba's and every `Compiled` it
        calls (a helper shared by several kernels) is that helper's dispatcher.

        Numba's cache checks a kernel's own source file only: after editing a helper in
        another module, clear the kernel cache (the `__pycache__/*.nbi` and `*.nbc` files)."""
        names = self.function.__code__.co_names
        module_globals = self.function.__globals__
        replaced = {"prange": numba.prange}
        for name in names:
            value = module_globals.get(name)
            if isinstance(value, Compiled):
                replaced[name] = value.dispatcher()
        function = types.FunctionType(self.function.__code__, {**module_globals, **replaced},
                                      self.function.__name__, self.function.__defaults__,
                                      self.function.__closure__)
        function.__qualname__ = self.function.__qualname__
        function.__module__ = self.function.__module__
        return function


def compiled(parallel=False, fastmath=("contract",)):
    """Decorator: mark a function as a kernel's Numba version (compiled lazily)."""

    def wrap(function):
        return Compiled(function, parallel=parallel, fastmath=fastmath)

    return wrap
