"""Process-wide numeric settings: the default float type, epsilon, random generators, names.

As in Keras, `floatx()` is the dtype new weights and converted inputs get ('float32' by
default). Randomness flows from NumPy's global seed unless a `seed` is passed explicitly, so
`np.random.seed(1)` (or `neurona.utils.set_random_seed(1)`) makes a whole run repeatable.
"""

import collections
import contextlib

import numpy as np

_FLOAT_TYPES = ("float16", "float32", "float64")
_floatx = "float32"
_epsilon = 1e-7
_name_counts = collections.Counter()


def floatx():
    """The default float type, as a string: 'float32' unless changed by `set_floatx`."""
    return _floatx


def set_floatx(value):
    """Set the default float type ('float16', 'float32' or 'float64')."""
    global _floatx
    if str(value) not in _FLOAT_TYPES:
        raise ValueError(f"Unknown floatx type: {value!r}. Expected one of {_FLOAT_TYPES}.")
    _floatx = str(value)


def epsilon():
    """The fuzz factor used to keep logarithms and divisions finite (1e-7, as in Keras)."""
    return _epsilon


def set_epsilon(value):
    global _epsilon
    _epsilon = float(value)


def make_rng(seed=None):
    """A `numpy.random.Generator`: from `seed` when given, else drawn from NumPy's global state.

    `seed` may be an int, a `Generator` (returned as is) or None.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1, size=4)
    return np.random.default_rng(seed)


def unique_name(prefix):
    """'dense', then 'dense_1', 'dense_2', ... as Keras names layers and models."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session():
    """Reset automatic layer and model names (Keras' `clear_session`)."""
    _name_counts.clear()


# Below this many multiply-adds, a matrix product runs no faster on two BLAS threads than on
# one: handing work to a second thread costs what it saves. Above it, a step's products take
# about 0.55x the time on two threads of an idle 2-core machine (batch 32 x 784 x 128, 3.2M:
# 174 -> 99 us; batch 32 x 784 x 32, 0.8M: no gain). `python -m benchmarks.blas_crossover`
# measures it; see BENCHMARKS.md.
MULTITHREAD_MIN_MULTIPLY_ADDS = 1_000_000
_blas_threads = None


def set_blas_threads(threads):
    """Fix the BLAS thread count used while training (None: chosen per model and batch size)."""
    global _blas_threads
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None. Received: threads={threads!r}")
    _blas_threads = threads


def blas_threads_for(multiply_adds):
    """BLAS threads for a step whose largest matrix product has `multiply_adds`, or None to
    leave BLAS as it is. The choice depends only on shapes, so results stay reproducible."""
    if _blas_threads is not None:
        return _blas_threads
    return 1 if multiply_adds < MULTITHREAD_MIN_MULTIPLY_ADDS else None


@contextlib.contextmanager
def blas_thread_limit(threads):
    """Limit BLAS to `threads` inside the block (needs threadpoolctl; a no-op without it)."""
    if threads is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=threads, user_api="blas"):
        yield
