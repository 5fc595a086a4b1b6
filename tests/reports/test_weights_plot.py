import numpy as np
import pytest

pytest.importorskip("matplotlib")

from neurona.reports.weights_plot import (  # noqa: E402
    make_first_layer_weights_figure,
    plot_first_layer_weights,
    tile_units,
)


def test_tile_units_places_each_unit_row_by_row_between_gaps():
    kernel = np.random.default_rng(0).normal(size=(6 * 4, 5))
    mosaic = tile_units(kernel, (6, 4), columns=3, gap=1)
    assert mosaic.shape == (2 * 7 - 1, 3 * 5 - 1)
    for unit in range(5):
        top, left = (unit // 3) * 7, (unit % 3) * 5
        np.testing.assert_array_equal(mosaic[top:top + 6, left:left + 4], kernel[:, unit].reshape(6, 4))
    assert np.isnan(mosaic[6]).all() and np.isnan(mosaic[:, 4]).all()  # the gaps
    assert np.isnan(mosaic[7:, 10:]).all()  # the sixth cell has no unit


def test_figure_shows_the_tiled_units_on_a_scale_symmetric_around_zero():
    kernel = np.linspace(-0.2, 1.0, 16 * 9).reshape(16, 9)
    figure = make_first_layer_weights_figure(kernel, image_shape=(4, 4))
    (image,) = figure.axes[0].images
    np.testing.assert_array_equal(image.get_array().filled(np.nan), tile_units(kernel, (4, 4), columns=3))
    low, high = image.get_clim()
    assert low == -high and 0.9 < high <= 1.0
    assert figure.axes[1].get_ylabel() == "Weight"  # the colour bar
    assert figure.get_suptitle() == "First layer weights, all 9 units (row by row)"


def test_max_units_limits_the_units_and_the_title_says_so():
    figure = make_first_layer_weights_figure(np.ones((4, 100)), image_shape=(2, 2), max_units=9)
    assert np.isfinite(figure.axes[0].images[0].get_array().filled(np.nan)).sum() == 9 * 4
    assert "units 0-8 of 100" in figure.get_suptitle()


def test_a_kernel_that_does_not_fit_the_image_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"784 inputs per unit but image_shape=\(32, 32\).*kernel.shape=\(784, 8\)"):
        make_first_layer_weights_figure(np.zeros((784, 8)), image_shape=(32, 32))
    with pytest.raises(ValueError, match="max_units must be a positive integer. Received: max_units=0"):
        make_first_layer_weights_figure(np.zeros((4, 8)), image_shape=(2, 2), max_units=0)


def test_writes_a_png_even_for_an_all_zero_kernel(tmp_path, decode_png):
    width, height = decode_png(plot_first_layer_weights(np.zeros((784, 64)), tmp_path / "w.png"))
    assert width > 600 and height > 600
