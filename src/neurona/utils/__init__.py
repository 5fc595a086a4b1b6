"""Utilities with Keras' names: to_categorical, set_random_seed, Progbar, np_utils."""

import random

import numpy as np

from neurona.utils import np_utils
from neurona.utils.np_utils import to_categorical
from neurona.utils.progbar import Progbar
from neurona.utils.py_dataset import PyDataset, Sequence


def set_random_seed(seed):
    """Seed Python's and NumPy's global generators, from which neurona draws its randomness.

    After `set_random_seed(n)` the same model code gives bit-identical weights and history.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"set_random_seed expects a non-negative integer. Received: seed={seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


__all__ = ["Progbar", "PyDataset", "Sequence", "np_utils", "set_random_seed", "to_categorical"]
