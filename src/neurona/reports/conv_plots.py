"""A convolutional network seen from inside: its first filters, and one image's feature maps."""

import numpy as np
from matplotlib import colormaps

from neurona.reports._figure import new_figure, save_png
from neurona.reports._images import display_images, grid_shape, show_image
from neurona.reports.weights_plot import tile_units

# As for the MLP's weights: a few very large weights would wash the others out to white.
_SCALE_PERCENTILE = 99.5
_MAPS_PER_ROW = 8


def make_conv_filters_figure(kernel, max_filters=64):
    """Figure of the first `max_filters` filters of a Conv2D kernel, each a kh x kw image.

    Args:
        kernel: (kh, kw, in_channels, filters), Conv2D's layout.
        max_filters: how many filters to show at most (the first ones).

    Each filter is averaged over its input channels (a grayscale image has one: the filter
    itself). Colours diverge around 0 on one shared scale: red weights raise the filter's
    output where the image is bright, blue ones lower it.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4:
        raise ValueError(
            f"kernel must have Conv2D's shape (kh, kw, in_channels, filters). Received: kernel.shape={kernel.shape}")
    if not isinstance(max_filters, (int, np.integer)) or max_filters < 1:
        raise ValueError(f"max_filters must be a positive integer. Received: max_filters={max_filters!r}")
    height, width, channels, num_filters = kernel.shape
    shown = kernel[..., :max_filters].mean(axis=2)
    count = shown.shape[-1]
    finite = np.abs(shown[np.isfinite(shown)])
    limit = float(np.percentile(finite, _SCALE_PERCENTILE)) if finite.size else 0.0
    limit = limit if limit > 0 else 1.0

    rows, columns = grid_shape(count)
    panel = 0.75 if columns > 4 else 1.2
    figure = new_figure(panel * columns + 1.4, panel * rows + 0.8)
    axes = figure.add_subplot()
    colormap = colormaps["RdBu_r"].with_extremes(bad="white")
    image = axes.imshow(tile_units(shown.reshape(height * width, count), (height, width), columns, gap=1),
                        cmap=colormap, vmin=-limit, vmax=limit, interpolation="nearest")
    axes.set_axis_off()
    figure.colorbar(image, ax=axes, shrink=0.6, label="Weight")
    which = f"filters 0-{count - 1} of {num_filters}" if count < num_filters else f"all {num_filters} filters"
    mean = f", mean over {channels} input channels" if channels > 1 else ""
    figure.suptitle(f"First convolution, {which} ({height}x{width}{mean})", fontsize=13)
    return figure


def plot_conv_filters(kernel, path, max_filters=64):
    """Write the first convolution's filters (see `make_conv_filters_figure`) as a PNG at `path`."""
    return save_png(make_conv_filters_figure(kernel, max_filters), path)


def make_feature_maps_figure(image, stages, title="Feature maps", max_channels=16):
    """Figure of an input image, then the first `max_channels` channels of each stage's output.

    Args:
        image: the input, (h, w), (h, w, 1) or (h, w, 3); values 0-255 or 0-1.
        stages: [(label, maps)], maps (height, width, channels) of one layer's output for that image.
        title: the figure's title.

    Each stage is drawn on its own colour scale (from its lowest value, or 0, to its highest),
    brighter where the filters respond.
    """
    if not stages:
        raise ValueError("stages must hold at least one (label, maps) pair. Received: []")
    if not isinstance(max_channels, (int, np.integer)) or max_channels < 1:
        raise ValueError(f"max_channels must be a positive integer. Received: max_channels={max_channels!r}")
    for label, maps in stages:
        if np.ndim(maps) != 3:
            raise ValueError(f"the maps of {label!r} must have shape (height, width, channels). "
                             f"Received: shape={np.shape(maps)}")
    shown_image = display_images(np.asarray(image)[np.newaxis])[0]

    figure = new_figure(10, 2.3 + 2.0 * len(stages))
    axes_list = figure.subplots(len(stages) + 1, 1, height_ratios=[1.15] + [1] * len(stages))
    show_image(axes_list[0], shown_image)
    axes_list[0].set_title("Input", fontsize=11)
    colormap = colormaps["viridis"].with_extremes(bad="white")
    for axes, (label, maps) in zip(axes_list[1:], stages):
        maps = np.asarray(maps, dtype=np.float64)
        height, width, channels = maps.shape
        count = min(channels, max_channels)
        columns = min(count, _MAPS_PER_ROW)
        mosaic = tile_units(maps[..., :count].reshape(height * width, count), (height, width), columns)
        finite = mosaic[np.isfinite(mosaic)]
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        picture = axes.imshow(mosaic, cmap=colormap, vmin=low, vmax=high if high > low else low + 1.0,
                              interpolation="nearest")
        axes.set_axis_off()
        which = f"channels 0-{count - 1} of {channels}" if count < channels else f"all {channels} channels"
        axes.set_title(f"{label}: {which}, {height}x{width}", fontsize=11)
        figure.colorbar(picture, ax=axes, shrink=0.9)
    figure.suptitle(title, fontsize=13)
    return figure


def plot_feature_maps(image, stages, path, title="Feature maps", max_channels=16):
    """Write an image's feature maps (see `make_feature_maps_figure`) as a PNG at `path`."""
    return save_png(make_feature_maps_figure(image, stages, title, max_channels), path)
