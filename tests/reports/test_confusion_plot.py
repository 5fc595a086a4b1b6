import numpy as np
import pytest

pytest.importorskip("matplotlib")

from neurona.reports.confusion_plot import make_confusion_matrix_figure, plot_confusion_matrix  # noqa: E402

MATRIX = np.array([[5, 1, 0], [2, 1200, 3], [0, 0, 7]])


def test_every_cell_shows_its_count():
    axes = make_confusion_matrix_figure(MATRIX).axes[0]
    cells = {(round(text.get_position()[1]), round(text.get_position()[0])): text.get_text() for text in axes.texts}
    assert cells == {(row, column): f"{MATRIX[row, column]:,}" for row in range(3) for column in range(3)}


def test_axes_are_labelled_with_class_names_and_title_gives_accuracy():
    axes = make_confusion_matrix_figure(MATRIX, class_names=["cat", "dog", "bird"]).axes[0]
    assert axes.get_xlabel() == "Predicted class" and axes.get_ylabel() == "True class"
    assert [label.get_text() for label in axes.get_xticklabels()] == ["cat", "dog", "bird"]
    assert [label.get_text() for label in axes.get_yticklabels()] == ["cat", "dog", "bird"]
    assert axes.get_title() == f"Confusion matrix: 1,218 samples, accuracy {1212 / 1218:.1%}"


def test_rejects_non_square_matrix_and_wrong_name_count():
    with pytest.raises(ValueError, match=r"square.*matrix.shape=\(2, 3\)"):
        make_confusion_matrix_figure(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="2 names for matrix.shape=\\(3, 3\\)"):
        make_confusion_matrix_figure(MATRIX, class_names=["a", "b"])


def test_writes_a_png(tmp_path, decode_png):
    width, height = decode_png(plot_confusion_matrix(MATRIX, tmp_path / "confusion_matrix.png"))
    assert 400 < height < width < 1500
