"""Dropout's mask, drawn from uniform numbers and applied in one pass.

The uniform numbers come from the layer's NumPy generator on both paths, so a seed gives the
same mask whichever path runs: mask = (u >= rate) / (1 - rate), out = x * mask.
"""

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled


def dropout_mask_numpy(x, uniform, rate, mask, out):
    """Fill `mask` with 0 or 1 / (1 - rate) from `uniform` (same size as x); out = x * mask."""
    np.multiply(uniform >= rate, 1.0 / (1.0 - rate), out=mask)
    np.multiply(x, mask, out=out)


@kernel(dropout_mask_numpy)
@compiled()
def dropout_mask(x, uniform, rate, mask, out):
    scale = 1.0 / (1.0 - rate)
    flat_x, flat_u = x.reshape(-1), uniform.reshape(-1)
    flat_mask, flat_out = mask.reshape(-1), out.reshape(-1)
    for i in range(flat_x.size):
        keep = scale if flat_u[i] >= rate else 0.0
        flat_mask[i] = keep
        flat_out[i] = flat_x[i] * flat_mask[i]
