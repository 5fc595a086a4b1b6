"""An MLP's first-layer weights: each hidden unit's incoming weights drawn as an image."""

import math

import numpy as np
from matplotlib import colormaps

from neurona.reports._figure import new_figure, save_png
from neurona.reports._images import grid_shape

# A few very large weights would wash every other unit out to white; clip the colour scale
# at this percentile of |weight| instead of at the maximum.
_SCALE_PERCENTILE = 99.5


def make_first_layer_weights_figure(kernel, image_shape=(28, 28), max_units=64):
    """Figure of the first `max_units` hidden units' weights, each as an `image_shape` image.

    Args:
        kernel: the first Dense layer's kernel, (inputs, units) with inputs == prod(image_shape).
        image_shape: (height, width) of the input images.
        max_units: how many units to show at most (the first ones).

    Colours diverge around 0 on one shared scale: red pulls the unit up, blue down.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must have shape (inputs, units). Received: kernel.shape={kernel.shape}")
    if kernel.shape[0] != math.prod(image_shape):
        raise ValueError(
            f"kernel has {kernel.shape[0]} inputs per unit but image_shape={tuple(image_shape)} holds "
            f"{math.prod(image_shape)} pixels. Received: kernel.shape={kernel.shape}"
        )
    if not isinstance(max_units, (int, np.integer)) or max_units < 1:
        raise ValueError(f"max_units must be a positive integer. Received: max_units={max_units!r}")
    num_units = kernel.shape[1]
    shown = kernel[:, :max_units]
    finite = np.abs(shown[np.isfinite(shown)])
    limit = float(np.percentile(finite, _SCALE_PERCENTILE)) if finite.size else 0.0
    limit = limit if limit > 0 else 1.0

    rows, columns = grid_shape(shown.shape[1])
    panel = 1.0 if columns > 4 else 1.6
    figure = new_figure(panel * columns + 1.3, panel * rows + 0.7)
    axes = figure.add_subplot()
    # One image of all the units (rather than an axes per unit) draws 64 units in a blink.
    colormap = colormaps["RdBu_r"].with_extremes(bad="white")
    image = axes.imshow(tile_units(shown, image_shape, columns), cmap=colormap, vmin=-limit, vmax=limit,
                        interpolation="nearest")
    axes.set_axis_off()
    figure.colorbar(image, ax=axes, shrink=0.6, label="Weight")
    which = f"units 0-{shown.shape[1] - 1} of {num_units}" if shown.shape[1] < num_units else f"all {num_units} units"
    figure.suptitle(f"First layer weights, {which} (row by row)", fontsize=13)
    return figure


def tile_units(kernel, image_shape, columns, gap=None):
    """The units' images side by side, row by row, separated by NaN gaps.

    Args:
        kernel: (inputs, units) with inputs == prod(image_shape).
        image_shape: (height, width) of one unit's image.
        columns: units per row.
        gap: pixels between units; about 1/14 of the image height by default.

    Returns:
        float array (rows * (height + gap) - gap, columns * (width + gap) - gap).
    """
    height, width = image_shape
    gap = max(1, height // 14) if gap is None else gap
    rows = -(-kernel.shape[1] // columns)
    mosaic = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan)
    for unit in range(kernel.shape[1]):
        top, left = (unit // columns) * (height + gap), (unit % columns) * (width + gap)
        mosaic[top:top + height, left:left + width] = kernel[:, unit].reshape(height, width)
    return mosaic


def plot_first_layer_weights(kernel, path, image_shape=(28, 28), max_units=64):
    """Write the first layer's weights (see `make_first_layer_weights_figure`) as a PNG at `path`."""
    return save_png(make_first_layer_weights_figure(kernel, image_shape, max_units), path)
