import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex  # noqa: E402

from neurona.reports._figure import MISTAKE_COLOR  # noqa: E402
from neurona.reports._images import display_images  # noqa: E402
from neurona.reports.image_grids import (  # noqa: E402
    confident_mistakes,
    make_confident_mistakes_figure,
    make_prediction_grid_figure,
    make_sample_grid_figure,
    plot_confident_mistakes,
    plot_prediction_grid,
    plot_sample_grid,
)

from .conftest import figure_pixels  # noqa: E402

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven"]


def _panels(figure):
    """The visible image axes of a grid figure, row by row."""
    return [axes for axes in figure.axes if axes.get_visible() and axes.images]


def _is_marked_mistake(axes):
    return to_hex(axes.title.get_color()) == MISTAKE_COLOR and all(
        spine.get_visible() and to_hex(spine.get_edgecolor()) == MISTAKE_COLOR for spine in axes.spines.values()
    )


def _label_of(image):
    """The digits fixture's label: the index of the brightest row."""
    return int(np.argmax(image.mean(axis=1)))


def test_sample_grid_is_4x4_with_each_image_titled_by_its_label(digits):
    images, labels = digits
    figure = make_sample_grid_figure(images, labels, class_names=NAMES, seed=1)
    panels = _panels(figure)
    assert len(panels) == 16
    for axes in panels:
        assert axes.get_title() == NAMES[_label_of(axes.images[0].get_array())]
    assert "16 sample images" in figure.get_suptitle()


def test_sample_grid_seed_picks_the_samples(digits):
    def titles(seed):
        return [axes.get_title() for axes in _panels(make_sample_grid_figure(*digits, seed=seed))]

    assert titles(0) == titles(0)
    assert titles(0) != titles(5)


def test_sample_grid_takes_flat_rgb_and_few_samples(digits):
    images, labels = digits
    assert len(_panels(make_sample_grid_figure(images.reshape(40, 64), labels))) == 16
    rgb = np.repeat(images[..., None], 3, axis=-1) / 255.0
    assert _panels(make_sample_grid_figure(rgb, labels))[0].images[0].get_array().shape == (8, 8, 3)
    assert len(_panels(make_sample_grid_figure(images[:5], labels[:5]))) == 5


def test_display_images_scales_to_unit_range():
    assert display_images(np.full((1, 2, 2), 255, np.uint8)).max() == 1.0
    assert display_images(np.full((1, 2, 2), 0.5)).max() == 0.5
    standardized = display_images(np.array([[[-2.0, 0.0], [1.0, 2.0]]]))
    assert standardized.min() == 0.0 and standardized.max() == 1.0
    with pytest.raises(ValueError, match=r"square number of pixels.*images.shape=\(1, 10\)"):
        display_images(np.zeros((1, 10)))


def test_prediction_grid_titles_true_arrow_predicted_and_flags_mistakes(digits):
    images, labels = digits
    predicted = labels.copy()
    predicted[::3] = (labels[::3] + 1) % 8  # every third sample is wrong
    figure = make_prediction_grid_figure(images, labels, predicted, class_names=NAMES, seed=2)
    panels = _panels(figure)
    assert len(panels) == 9
    mistakes = 0
    for axes in panels:
        true_name, predicted_name = axes.get_title().split(" → ")
        right = true_name == predicted_name
        assert true_name == NAMES[_label_of(axes.images[0].get_array())]
        assert _is_marked_mistake(axes) is (not right)
        assert not right or not any(spine.get_visible() for spine in axes.spines.values())
        mistakes += not right
    assert 0 < mistakes < 9
    assert f"{9 - mistakes} of 9 right" in figure.get_suptitle()


def test_prediction_grid_accepts_probabilities(digits):
    images, labels = digits
    figure = make_prediction_grid_figure(images, labels, np.eye(8)[labels], seed=0)
    assert all(not _is_marked_mistake(axes) for axes in _panels(figure))


def test_prediction_grid_rejects_mismatched_lengths(digits):
    images, labels = digits
    with pytest.raises(ValueError, match="len\\(y_pred\\)=3"):
        make_prediction_grid_figure(images, labels, labels[:3])


def test_confident_mistakes_are_ordered_by_predicted_probability():
    y_true = np.array([0, 0, 1, 1, 2])
    probabilities = np.array([
        [0.9, 0.1, 0.0],   # right
        [0.3, 0.7, 0.0],   # wrong, 0.7
        [0.05, 0.05, 0.9],  # wrong, 0.9
        [0.4, 0.6, 0.0],   # right
        [0.6, 0.0, 0.4],   # wrong, 0.6
    ])
    np.testing.assert_array_equal(confident_mistakes(y_true, probabilities), [2, 1, 4])
    np.testing.assert_array_equal(confident_mistakes(y_true, probabilities, count=2), [2, 1])


def test_confident_mistakes_figure_titles_true_predicted_probability(digits):
    images, labels = digits
    probabilities = np.full((40, 8), 0.01)
    probabilities[np.arange(40), labels] = 0.93
    probabilities[3] = np.eye(8)[(labels[3] + 2) % 8] * 0.99   # the surest mistake
    probabilities[10] = np.eye(8)[(labels[10] + 1) % 8] * 0.6
    figure = make_confident_mistakes_figure(images, labels, probabilities, class_names=NAMES)
    panels = _panels(figure)
    assert [axes.get_title() for axes in panels] == [
        f"{NAMES[labels[3]]} → {NAMES[(labels[3] + 2) % 8]}\np = 99.0%",
        f"{NAMES[labels[10]]} → {NAMES[(labels[10] + 1) % 8]}\np = 60.0%",
    ]
    assert all(_is_marked_mistake(axes) for axes in panels)
    assert figure.get_suptitle() == "The 2 most confident of 2 mistakes (true → predicted)"


def test_confident_mistakes_without_mistakes_says_so(digits, tmp_path, decode_png):
    images, labels = digits
    figure = make_confident_mistakes_figure(images, labels, np.eye(8)[labels])
    assert _panels(figure) == []
    assert any("No mistakes: all 40 predictions are right." in text.get_text() for text in figure.axes[0].texts)
    assert decode_png(plot_confident_mistakes(images, labels, np.eye(8)[labels], tmp_path / "m.png"))


def test_confident_mistakes_rejects_a_bad_count(digits):
    with pytest.raises(ValueError, match="count must be a positive integer. Received: count=0"):
        make_confident_mistakes_figure(*digits, np.eye(8)[digits[1]], count=0)


def test_each_grid_writes_a_png_of_the_figure_size(digits, tmp_path, decode_png):
    images, labels = digits
    probabilities = np.roll(np.eye(8)[labels], 1, axis=1)
    written = [
        (plot_sample_grid(images, labels, tmp_path / "samples.png"), make_sample_grid_figure(images, labels)),
        (plot_prediction_grid(images, labels, labels, tmp_path / "predictions.png"),
         make_prediction_grid_figure(images, labels, labels)),
        (plot_confident_mistakes(images, labels, probabilities, tmp_path / "mistakes.png"),
         make_confident_mistakes_figure(images, labels, probabilities)),
    ]
    for path, figure in written:
        assert decode_png(path) == figure_pixels(figure)
        assert min(decode_png(path)) > 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mistakes.png", "predictions.png", "samples.png"]


def test_a_bad_image_shape_is_named_as_given(digits):
    images, labels = digits
    with pytest.raises(ValueError, match=r"images.shape=\(40, 10\)"):
        make_sample_grid_figure(np.zeros((40, 10)), labels)
    with pytest.raises(ValueError, match="at least one sample"):
        make_sample_grid_figure(images[:0], labels[:0])
