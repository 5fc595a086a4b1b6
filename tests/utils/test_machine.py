"""The BLAS a process names is NumPy's own, whatever order threadpoolctl lists libraries in."""

import itertools

from neurona.utils.machine import numpy_blas

NUMPY = {"user_api": "blas", "internal_api": "openblas", "version": "0.3.31",
         "filepath": "/venv/lib/python3.11/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so"}
SCIPY = {"user_api": "blas", "internal_api": "openblas", "version": "0.3.30",
         "filepath": "/venv/lib/python3.11/site-packages/scipy.libs/libscipy_openblas-6cdc3b4a.so"}
OPENMP = {"user_api": "openmp", "internal_api": "openmp", "filepath": "/usr/lib/libgomp.so.1"}


def test_numpy_s_blas_is_chosen_in_any_order():
    # Importing Numba loads SciPy's OpenBLAS beside NumPy's, and the listing order varies.
    for pools in itertools.permutations([NUMPY, SCIPY, OPENMP]):
        assert numpy_blas(list(pools)) is NUMPY


def test_without_numpy_s_the_first_by_path_is_chosen():
    other = {**SCIPY, "filepath": "/usr/lib/libopenblas.so"}
    for pools in itertools.permutations([SCIPY, other, OPENMP]):
        assert numpy_blas(list(pools)) is other
    assert numpy_blas([OPENMP]) is None
