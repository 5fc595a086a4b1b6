"""Grids of images: random samples with labels, test predictions, the most confident mistakes."""

import numpy as np

from neurona.reports._figure import MISTAKE_COLOR, RIGHT_COLOR, new_figure, save_png
from neurona.reports._images import check_same_length, display_images, grid_shape, label_text, show_image
from neurona.reports.metrics import as_class_indices

ARROW = "→"
_PANEL_INCHES = 1.9


def _image_grid_figure(count, title_lines=1):
    """A figure with a grid of image axes for `count` panels; extra cells are hidden."""
    rows, columns = grid_shape(count)
    figure = new_figure(_PANEL_INCHES * columns + 0.2, (_PANEL_INCHES + 0.12 * title_lines) * rows + 0.5)
    axes_grid = figure.subplots(rows, columns, squeeze=False).ravel()
    for axes in axes_grid[count:]:
        axes.set_visible(False)
    return figure, axes_grid[:count]


def _random_indices(num_samples, count, seed):
    if num_samples == 0:
        raise ValueError("images must hold at least one sample. Received: 0")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(num_samples, size=min(count, num_samples), replace=False))


def _mark_panel(axes, wrong):
    """Red title and a thick red frame for a mistake; green title and no frame when right."""
    axes.title.set_color(MISTAKE_COLOR if wrong else RIGHT_COLOR)
    for spine in axes.spines.values():
        spine.set_visible(wrong)
        spine.set_color(MISTAKE_COLOR)
        spine.set_linewidth(3)


def make_sample_grid_figure(images, labels, class_names=None, seed=0, count=16):
    """Figure of `count` (4x4 by default) random samples, each titled with its label (seed 002).

    Args:
        images: (n, h, w), (n, h*w) square, (n, h, w, 1) or (n, h, w, 3); values 0-255 or 0-1.
        labels: class indices (n,) or one-hot (n, classes).
        class_names: names to show instead of class indices.
        seed: an int or a numpy Generator; the same seed shows the same samples.
    """
    images = np.asarray(images)
    labels = as_class_indices(labels, "labels")
    check_same_length(images=images, labels=labels)
    indices = _random_indices(len(images), count, seed)
    # Convert only the samples shown: a float copy of all of MNIST would take 376 MB.
    shown = display_images(images, indices)
    figure, axes_list = _image_grid_figure(len(indices))
    for axes, image, index in zip(axes_list, shown, indices):
        show_image(axes, image)
        axes.set_title(label_text(labels[index], class_names), fontsize=11)
        for spine in axes.spines.values():
            spine.set_visible(False)
    figure.suptitle(f"{len(indices)} sample images with their labels", fontsize=13)
    return figure


def plot_sample_grid(images, labels, path, class_names=None, seed=0):
    """Write the 4x4 grid of random samples (see `make_sample_grid_figure`) as a PNG at `path`."""
    return save_png(make_sample_grid_figure(images, labels, class_names, seed), path)


def make_prediction_grid_figure(images, y_true, y_pred, class_names=None, seed=0, count=9):
    """Figure of `count` (3x3) random test samples titled 'true → predicted', mistakes in red.

    Args:
        images: as for `make_sample_grid_figure`, (n, ...).
        y_true: true classes (n,) or one-hot (n, classes).
        y_pred: predicted classes (n,) or probabilities (n, classes).
        seed: an int or a numpy Generator; picks the samples.
    """
    images = np.asarray(images)
    y_true = as_class_indices(y_true, "y_true")
    y_pred = as_class_indices(y_pred, "y_pred")
    check_same_length(images=images, y_true=y_true, y_pred=y_pred)
    indices = _random_indices(len(images), count, seed)
    shown = display_images(images, indices)
    figure, axes_list = _image_grid_figure(len(indices))
    for axes, image, index in zip(axes_list, shown, indices):
        show_image(axes, image)
        true, predicted = label_text(y_true[index], class_names), label_text(y_pred[index], class_names)
        axes.set_title(f"{true} {ARROW} {predicted}", fontsize=11)
        _mark_panel(axes, wrong=y_true[index] != y_pred[index])
    wrong = int(np.sum(y_true[indices] != y_pred[indices]))
    figure.suptitle(
        f"Test predictions (true {ARROW} predicted): {len(indices) - wrong} of {len(indices)} right",
        fontsize=13,
    )
    return figure


def plot_prediction_grid(images, y_true, y_pred, path, class_names=None, seed=0):
    """Write the 3x3 grid of test predictions (see `make_prediction_grid_figure`) at `path`."""
    return save_png(make_prediction_grid_figure(images, y_true, y_pred, class_names, seed), path)


def confident_mistakes(y_true, probabilities, count=9):
    """Indices of the wrong predictions with the highest predicted probability, most confident first.

    Args:
        y_true: true classes (n,) or one-hot (n, classes).
        probabilities: (n, classes), e.g. the softmax outputs of `model.predict`.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(
            f"probabilities must have shape (n, classes). Received: probabilities.shape={probabilities.shape}"
        )
    y_true = as_class_indices(y_true, "y_true")
    check_same_length(y_true=y_true, probabilities=probabilities)
    predicted = np.argmax(probabilities, axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    # Stable sort, so ties keep the samples' order.
    return wrong[np.argsort(-confidence, kind="stable")][:count]


def make_confident_mistakes_figure(images, y_true, probabilities, class_names=None, count=9):
    """Figure of the `count` most confident mistakes, each titled 'true → predicted' and its probability.

    Args:
        images: as for `make_sample_grid_figure`, (n, ...).
        y_true: true classes (n,) or one-hot (n, classes).
        probabilities: (n, classes).
        count: how many mistakes to show at most (a positive integer).

    With no mistakes the figure says so instead of showing an empty grid.
    """
    if not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive integer. Received: count={count!r}")
    images = np.asarray(images)
    probabilities = np.asarray(probabilities)
    check_same_length(images=images, probabilities=probabilities)
    y_true = as_class_indices(y_true, "y_true")
    indices = confident_mistakes(y_true, probabilities, count)
    num_wrong = int(np.sum(np.argmax(probabilities, axis=1) != y_true))
    if len(indices) == 0:
        figure = new_figure(5, 2.2)
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.text(0.5, 0.5, f"No mistakes: all {len(y_true):,} predictions are right.",
                  ha="center", va="center", fontsize=12, color=RIGHT_COLOR)
        figure.suptitle("Most confident mistakes", fontsize=13)
        return figure
    figure, axes_list = _image_grid_figure(len(indices), title_lines=2)
    for axes, image, index in zip(axes_list, display_images(images, indices), indices):
        predicted = int(np.argmax(probabilities[index]))
        show_image(axes, image)
        true, shown = label_text(y_true[index], class_names), label_text(predicted, class_names)
        axes.set_title(f"{true} {ARROW} {shown}\np = {probabilities[index, predicted]:.1%}", fontsize=10)
        _mark_panel(axes, wrong=True)
    figure.suptitle(
        f"The {len(indices)} most confident of {num_wrong:,} mistakes (true {ARROW} predicted)",
        fontsize=13,
    )
    return figure


def plot_confident_mistakes(images, y_true, probabilities, path, class_names=None, count=9):
    """Write the most confident mistakes (see `make_confident_mistakes_figure`) as a PNG at `path`."""
    return save_png(make_confident_mistakes_figure(images, y_true, probabilities, class_names, count), path)
