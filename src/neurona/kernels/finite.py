"""Whether every value of an array is finite: the check `fit` makes once over its inputs."""

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled


def all_finite_numpy(values):
    """True when no value is NaN or inf (`values` contiguous, any shape)."""
    return bool(np.all(np.isfinite(values)))


@kernel(all_finite_numpy)
@compiled(fastmath=("contract", "reassoc"))
def all_finite(values):
    # One pass and no temporary: np.isfinite writes a boolean array as large as the data.
    # x - x is 0 for finite x and NaN for NaN or inf (no "nnan"/"ninf" fast-math flags, so
    # it is not folded to 0); "reassoc" lets the block sums vectorise.
    flat = values.reshape(-1)
    block = 4096
    for start in range(0, flat.size, block):
        total = flat[start] * 0  # the array's dtype: no conversion in the loop
        for i in range(start, min(start + block, flat.size)):
            total += flat[i] - flat[i]
        if total != 0.0:
            return False
    return True
