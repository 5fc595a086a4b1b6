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


def set_kernels(path):
    """Run the compiled 'numba' kernels or the 'numpy' references (None: Numba when it
    imports, unless NEURONA_KERNELS says otherwise). Takes effect at the next fit or predict."""
    from neurona import kernels

    kernels.set_kernels(path)


def set_blas_threads(threads):
    """Fix the BLAS thread count used while training (None: chosen by measuring this machine,
    see `neurona.kernels.policy`)."""
    from neurona.kernels import policy

    policy.set_blas_threads(threads)


def blas_threads_for(multiply_adds):
    """BLAS threads for a step whose largest matrix product has `multiply_adds`, or None to
    leave BLAS as it is (all cores). Depends only on shapes and this machine's measurement,
    so results stay reproducible."""
    from neurona.kernels import policy

    return policy.blas_threads_for(multiply_adds)


@contextlib.contextmanager
def blas_thread_limit(threads):
    """Limit BLAS to `threads` inside the block (needs threadpoolctl; a no-op without it)."""
    from neurona.kernels import policy

    with policy.blas_limit(threads):
        yield
