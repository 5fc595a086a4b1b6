import pytest

pytest.importorskip("matplotlib")

from neurona.reports.history_plot import make_history_figure, plot_history  # noqa: E402


def test_a_learning_rate_panel_comes_last_when_the_history_has_one(overfitting_history, tmp_path, decode_png):
    rates = [0.1 * 0.8**epoch for epoch in range(len(overfitting_history["loss"]))]
    figure = make_history_figure({**overfitting_history, "learning_rate": rates})
    loss_axes, accuracy_axes, rate_axes = figure.axes
    assert rate_axes.get_title() == "Learning rate per epoch" and rate_axes.get_ylabel() == "Learning rate"
    (curve,) = [line for line in rate_axes.get_lines() if line.get_label() == "Learning rate"]
    assert list(curve.get_xdata()) == list(range(1, len(rates) + 1))
    assert list(curve.get_ydata()) == pytest.approx(rates)
    assert rate_axes.get_yscale() == "log"  # 0.1 down to 0.1 * 0.8**29: more than a factor of 10
    assert [line.get_label() for line in rate_axes.get_lines()][-1] == "lowest val_loss (epoch 8)"
    assert loss_axes.get_title() == "Loss per epoch" and accuracy_axes.get_title() == "Accuracy per epoch"
    assert figure.get_size_inches()[0] > make_history_figure(overfitting_history).get_size_inches()[0]

    path = plot_history({**overfitting_history, "learning_rate": rates}, tmp_path / "history.png")
    assert decode_png(path)[0] > decode_png(plot_history(overfitting_history, tmp_path / "plain.png"))[0]


def test_a_constant_learning_rate_stays_on_a_linear_scale():
    figure = make_history_figure({"loss": [1.0, 0.8, 0.7], "learning_rate": [0.01, 0.01, 0.005]})
    loss_axes, rate_axes = figure.axes
    assert rate_axes.get_yscale() == "linear"
    assert loss_axes.get_title() == "Loss per epoch"


def test_without_a_learning_rate_there_is_no_panel(overfitting_history):
    assert len(make_history_figure(overfitting_history).axes) == 2
    assert len(make_history_figure({"loss": [1.0, 0.5], "learning_rate": []}).axes) == 1
