import numpy as np
import pytest

pytest.importorskip("matplotlib")

from neurona.reports import run_files  # noqa: E402
from neurona.reports.conv_plots import (  # noqa: E402
    make_conv_filters_figure,
    make_feature_maps_figure,
    plot_conv_filters,
    plot_feature_maps,
)
from neurona.reports.weights_plot import tile_units  # noqa: E402


def test_filters_are_tiled_averaged_over_input_channels_on_a_scale_symmetric_around_zero():
    kernel = np.linspace(-1.0, 0.5, 3 * 3 * 2 * 5).reshape(3, 3, 2, 5)
    figure = make_conv_filters_figure(kernel)
    (image,) = figure.axes[0].images
    mean = kernel.mean(axis=2)
    np.testing.assert_allclose(image.get_array().filled(np.nan), tile_units(mean.reshape(9, 5), (3, 3), 3, gap=1))
    np.testing.assert_allclose(image.get_array()[:3, :3], mean[..., 0])
    low, high = image.get_clim()
    assert low == -high and 0.9 < high <= 1.0
    assert figure.axes[1].get_ylabel() == "Weight"
    assert figure.get_suptitle() == "First convolution, all 5 filters (3x3, mean over 2 input channels)"


def test_max_filters_limits_the_filters_and_the_title_says_so():
    figure = make_conv_filters_figure(np.ones((5, 5, 1, 40)), max_filters=12)
    assert np.isfinite(figure.axes[0].images[0].get_array().filled(np.nan)).sum() == 12 * 25
    assert figure.get_suptitle() == "First convolution, filters 0-11 of 40 (5x5)"


def test_bad_kernels_and_stages_are_named():
    with pytest.raises(ValueError, match=r"\(kh, kw, in_channels, filters\). Received: kernel.shape=\(784, 8\)"):
        make_conv_filters_figure(np.zeros((784, 8)))
    with pytest.raises(ValueError, match="max_filters must be a positive integer. Received: max_filters=0"):
        make_conv_filters_figure(np.zeros((3, 3, 1, 4)), max_filters=0)
    with pytest.raises(ValueError, match="stages must hold at least one"):
        make_feature_maps_figure(np.zeros((8, 8)), [])
    with pytest.raises(ValueError, match=r"maps of 'flatten' must have shape \(height, width, channels\). "
                                         r"Received: shape=\(10,\)"):
        make_feature_maps_figure(np.zeros((8, 8)), [("flatten", np.zeros(10))])


def test_feature_maps_show_the_input_then_each_stages_first_channels():
    rng = np.random.default_rng(0)
    conv, pool = rng.random((6, 6, 20)), rng.random((3, 3, 4))
    image = (rng.random((8, 8, 1)) * 255).astype(np.uint8)
    figure = make_feature_maps_figure(image, [("conv2d (Conv2D(20, 3x3))", conv), ("max_pooling2d", pool)],
                                      title="Feature maps of test image 0")
    axes = [axes for axes in figure.axes if axes.images]
    assert len(axes) == 3
    np.testing.assert_allclose(axes[0].images[0].get_array(), image[..., 0] / 255)
    assert axes[1].get_title() == "conv2d (Conv2D(20, 3x3)): channels 0-15 of 20, 6x6"
    np.testing.assert_allclose(axes[1].images[0].get_array().filled(np.nan),
                               tile_units(conv[..., :16].reshape(36, 16), (6, 6), 8))
    assert axes[2].get_title() == "max_pooling2d: all 4 channels, 3x3"
    assert axes[2].images[0].get_clim() == (0.0, pytest.approx(pool.max()))
    assert figure.get_suptitle() == "Feature maps of test image 0"


def test_both_write_pngs_that_decode_and_have_captions(tmp_path, decode_png):
    width, height = decode_png(plot_conv_filters(np.zeros((3, 3, 1, 32)), tmp_path / "conv_filters.png"))
    assert width > 300 and height > 300
    stages = [("conv2d", np.zeros((26, 26, 32))), ("max_pooling2d", np.zeros((13, 13, 32)))]
    width, height = decode_png(plot_feature_maps(np.zeros((28, 28)), stages, tmp_path / "feature_maps.png"))
    assert width > 600 and height > 400
    for name in ("conv_filters.png", "feature_maps.png"):
        assert name in run_files.PLOT_CAPTIONS
    assert run_files.plot_order("conv_filters.png") < run_files.plot_order("feature_maps.png") < \
        run_files.plot_order("other.png")
