"""The tolerances within which the NumPy references and the Numba kernels must agree."""

import numpy as np

# float32: the compiled loops round in another order (FMA contraction, float64 scalars inside
# the loop), so results differ from NumPy's by a few units in the last place.
FLOAT32 = {"rtol": 2e-6, "atol": 1e-6}
FLOAT64 = {"rtol": 1e-12, "atol": 1e-13}


def tolerance(dtype):
    return FLOAT64 if np.dtype(dtype) == np.float64 else FLOAT32
