import types

import pytest

pytest.importorskip("matplotlib")

from neurona.reports.history_plot import BEST_EPOCH_LABEL, best_epoch, make_history_figure, plot_history  # noqa: E402

from .conftest import figure_pixels  # noqa: E402


def _best_epoch_lines(axes):
    return [line for line in axes.get_lines() if line.get_label().startswith(BEST_EPOCH_LABEL)]


def test_best_epoch_is_the_one_based_epoch_of_lowest_val_loss(overfitting_history):
    assert best_epoch(overfitting_history) == 8
    assert best_epoch({"loss": [1.0, 0.5]}) is None
    assert best_epoch({"loss": [1, 1, 1], "val_loss": [float("nan"), 0.5, 0.7]}) == 2
    assert best_epoch({"loss": [1.0], "val_loss": [float("nan")]}) is None


def test_lowest_val_loss_epoch_is_marked_on_both_panels(overfitting_history):
    figure = make_history_figure(overfitting_history)
    loss_axes, accuracy_axes = figure.axes
    assert loss_axes.get_title() == "Loss per epoch"
    assert accuracy_axes.get_title() == "Accuracy per epoch"
    for axes in (loss_axes, accuracy_axes):
        assert axes.get_xlabel() == "Epoch"
        (line,) = _best_epoch_lines(axes)
        assert list(line.get_xdata()) == [8, 8]
        assert line.get_label() == "lowest val_loss (epoch 8)"
    assert loss_axes.get_ylabel() == "Loss" and accuracy_axes.get_ylabel() == "Accuracy"
    (note,) = [text for text in loss_axes.texts if "lowest val_loss" in text.get_text()]
    assert "epoch 8" in note.get_text()
    assert note.get_text() == f"lowest val_loss\nepoch 8: {overfitting_history['val_loss'][7]:.4g}"
    assert note.xy[0] == 8
    assert "epoch 8 of 30" in figure.get_suptitle()


def test_epochs_are_one_based_and_series_labelled(overfitting_history):
    loss_axes = make_history_figure(overfitting_history).axes[0]
    lines = {line.get_label(): line for line in loss_axes.get_lines()}
    assert list(lines["Training"].get_xdata()) == list(range(1, 31))
    assert list(lines["Validation"].get_ydata()) == pytest.approx(overfitting_history["val_loss"])


def test_without_validation_nothing_is_marked_and_acc_is_read():
    figure = make_history_figure({"loss": [1.0, 0.6, 0.4], "acc": [0.5, 0.7, 0.8]})
    assert len(figure.axes) == 2
    for axes in figure.axes:
        assert _best_epoch_lines(axes) == []
        assert [line.get_label() for line in axes.get_lines()] == ["Training"]
    assert list(figure.axes[1].get_lines()[0].get_ydata()) == [0.5, 0.7, 0.8]


def test_val_acc_spelling_is_plotted_too():
    figure = make_history_figure({"loss": [1.0, 0.6], "val_loss": [1.1, 0.9], "acc": [0.5, 0.6],
                                  "val_acc": [0.4, 0.55]})
    labels = [line.get_label() for line in figure.axes[1].get_lines()]
    assert labels[:2] == ["Training", "Validation"]


def test_loss_only_history_has_one_panel():
    figure = make_history_figure(types.SimpleNamespace(history={"loss": [1.0, 0.5]}))
    assert [axes.get_title() for axes in figure.axes] == ["Loss per epoch"]


def test_missing_loss_names_the_keys():
    with pytest.raises(ValueError, match=r"non-empty 'loss'.*\['accuracy'\]"):
        make_history_figure({"accuracy": [0.5]})


def test_plot_history_writes_a_png(tmp_path, overfitting_history, decode_png):
    path = plot_history(overfitting_history, tmp_path / "history.png")
    assert path == tmp_path / "history.png"
    assert decode_png(path) == figure_pixels(make_history_figure(overfitting_history))
    width, height = decode_png(path)
    assert width > 2 * height > 600  # two panels side by side


def test_epoch_ticks_are_whole_numbers_even_for_one_epoch():
    figure = make_history_figure({"loss": [0.4], "val_loss": [0.3]})
    axes = figure.axes[0]
    low, high = axes.get_xlim()
    visible = [tick for tick in axes.get_xticks() if low <= tick <= high]
    assert visible == [1]
