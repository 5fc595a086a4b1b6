"""Loss and accuracy per epoch, training against validation (seeds 002 and 004)."""

import numpy as np
from matplotlib.ticker import MaxNLocator

from neurona.reports._figure import new_figure, save_png

TRAIN_COLOR = "#1565c0"
VALIDATION_COLOR = "#e65100"
LEARNING_RATE_COLOR = "#2e7d32"
BEST_EPOCH_COLOR = "#555555"
BEST_EPOCH_LABEL = "lowest val_loss"
_MARKERS_UP_TO_EPOCHS = 40


def _series(history, *names):
    """The first of `names` present in `history`, as a float array, or None."""
    for name in names:
        if name in history:
            return np.asarray(history[name], dtype=np.float64)
    return None


def best_epoch(history):
    """The 1-based epoch of the lowest 'val_loss', or None without (finite) validation loss."""
    val_loss = _series(getattr(history, "history", history), "val_loss")
    if val_loss is None or not np.any(np.isfinite(val_loss)):
        return None
    return int(np.argmin(np.where(np.isfinite(val_loss), val_loss, np.inf))) + 1


def make_history_figure(history):
    """Figure with a loss panel and, when recorded, an accuracy panel and a learning-rate panel
    (last), epochs 1-based on shared x.

    Args:
        history: {'loss': [...], 'val_loss': [...], 'accuracy' or 'acc': [...],
            'val_accuracy' or 'val_acc': [...], 'learning_rate': [...]} (all but 'loss'
            optional), or a History.

    The epoch of the lowest val_loss gets a dashed vertical line on every panel (its label
    starts with 'lowest val_loss') and an annotation on the loss panel.
    """
    history = getattr(history, "history", history)
    loss = _series(history, "loss")
    if loss is None or loss.size == 0:
        raise ValueError(f"history must hold a non-empty 'loss' list. Received keys: {sorted(history)}")
    panels = [("Loss", loss, _series(history, "val_loss"))]
    accuracy = _series(history, "accuracy", "acc")
    if accuracy is not None and accuracy.size:
        panels.append(("Accuracy", accuracy, _series(history, "val_accuracy", "val_acc")))

    learning_rate = _series(history, "learning_rate")
    with_rate = learning_rate is not None and learning_rate.size > 0
    count = len(panels) + with_rate
    figure = new_figure(5.2 * count + 0.4, 4.2)
    axes_list = figure.subplots(1, count, sharex=True, squeeze=False)[0]
    best = best_epoch(history)
    if with_rate:
        _draw_learning_rate(axes_list[-1], learning_rate, best)
    for axes, (name, train, validation) in zip(axes_list, panels):
        _draw_series(axes, train, "Training", TRAIN_COLOR)
        if validation is not None and validation.size:
            _draw_series(axes, validation, "Validation", VALIDATION_COLOR)
        if best is not None:
            axes.axvline(best, color=BEST_EPOCH_COLOR, linestyle="--", linewidth=1.2,
                         label=f"{BEST_EPOCH_LABEL} (epoch {best})")
        axes.set_title(f"{name} per epoch")
        axes.set_xlabel("Epoch")
        axes.set_ylabel(name)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        axes.set_xlim(0.5, max(len(train), 1) + 0.5)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best", fontsize=9)
    if best is not None:
        _annotate_best(axes_list[0], best, panels[0][2][best - 1], len(loss))
        epochs = len(loss)
        figure.suptitle(f"Training history: validation loss lowest at epoch {best} of {epochs}")
    else:
        figure.suptitle(f"Training history ({len(loss)} epochs)")
    return figure


def _draw_learning_rate(axes, rates, best):
    """The learning rate in force at each epoch's end (LearningRateScheduler, ReduceLROnPlateau),
    on a log scale when it spans more than a factor of 10."""
    _draw_series(axes, rates, "Learning rate", LEARNING_RATE_COLOR)
    positive = rates[np.isfinite(rates) & (rates > 0)]
    if positive.size and positive.max() > 10 * positive.min():
        axes.set_yscale("log")
    if best is not None:
        axes.axvline(best, color=BEST_EPOCH_COLOR, linestyle="--", linewidth=1.2,
                     label=f"{BEST_EPOCH_LABEL} (epoch {best})")
    axes.set_title("Learning rate per epoch")
    axes.set_xlabel("Epoch")
    axes.set_ylabel("Learning rate")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axes.set_xlim(0.5, len(rates) + 0.5)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=9)


def _draw_series(axes, values, label, color):
    epochs = np.arange(1, len(values) + 1)
    marker = "o" if len(values) <= _MARKERS_UP_TO_EPOCHS else None
    axes.plot(epochs, values, color=color, marker=marker, markersize=4, linewidth=1.8, label=label)


def _annotate_best(axes, epoch, value, num_epochs):
    """Circle the lowest validation loss and write its epoch and value at the top of its line.

    The panel gets headroom for the note, so it never covers a curve; the note sits on the
    side of the line with more room.
    """
    axes.plot([epoch], [value], marker="o", markersize=11, markerfacecolor="none",
              markeredgecolor=BEST_EPOCH_COLOR, markeredgewidth=1.5)
    bottom, top = axes.get_ylim()
    axes.set_ylim(bottom, top + 0.3 * (top - bottom))
    right_half = epoch - 1 > (num_epochs - 1) / 2
    axes.annotate(
        f"lowest val_loss\nepoch {epoch}: {value:.4g}",
        xy=(epoch, 0.97),
        xycoords=("data", "axes fraction"),
        xytext=(-6 if right_half else 6, 0),
        textcoords="offset points",
        ha="right" if right_half else "left",
        va="top",
        fontsize=9,
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": BEST_EPOCH_COLOR},
    )


def plot_history(history, path):
    """Write the loss / accuracy history plot (see `make_history_figure`) as a PNG at `path`.

    Returns:
        `path` as a Path.
    """
    return save_png(make_history_figure(history), path)
