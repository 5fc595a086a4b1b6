"""The confusion matrix as a heat map with the count written in every cell."""

import numpy as np

from neurona.reports._figure import new_figure, save_png

_ANNOTATE_UP_TO_CLASSES = 30


def make_confusion_matrix_figure(matrix, class_names=None):
    """Figure of a confusion matrix: rows true classes, columns predictions, counts in the cells.

    Args:
        matrix: (num_classes, num_classes) counts, e.g. from `metrics.confusion_matrix`.
        class_names: tick labels (num_classes,); class indices by default.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"matrix must be square (num_classes, num_classes). Received: matrix.shape={matrix.shape}")
    num_classes = matrix.shape[0]
    if class_names is None:
        class_names = [str(index) for index in range(num_classes)]
    if len(class_names) != num_classes:
        raise ValueError(
            f"class_names must name every class of the matrix. Received: {len(class_names)} names "
            f"for matrix.shape={matrix.shape}"
        )
    class_names = [str(name) for name in class_names]
    long_names = max(len(name) for name in class_names) > 3
    side = min(12.0, max(4.5, 0.6 * num_classes + (2.0 if long_names else 1.2)))
    figure = new_figure(side + 1.2, side)
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues", interpolation="nearest", vmin=0)
    figure.colorbar(image, ax=axes, shrink=0.8, label="Samples")

    if num_classes <= _ANNOTATE_UP_TO_CLASSES:
        fontsize = max(6, min(11, 110 // num_classes))
        threshold = matrix.max() / 2
        for row in range(num_classes):
            for column in range(num_classes):
                value = matrix[row, column]
                text = f"{value:,}" if np.issubdtype(matrix.dtype, np.integer) else f"{value:.2g}"
                # Zeros fade, so the off-diagonal mistakes stand out.
                color = "white" if value > threshold else "#b0b0b0" if value == 0 else "black"
                axes.text(column, row, text, ha="center", va="center", fontsize=fontsize, color=color)

    ticks = np.arange(num_classes)
    axes.set_xticks(ticks, class_names, rotation=45 if long_names else 0, ha="right" if long_names else "center",
                    rotation_mode="anchor")
    axes.set_yticks(ticks, class_names)
    axes.set_xlabel("Predicted class")
    axes.set_ylabel("True class")
    total = matrix.sum()
    accuracy = np.trace(matrix) / total if total else 0.0
    axes.set_title(f"Confusion matrix: {total:,} samples, accuracy {accuracy:.1%}")
    return figure


def plot_confusion_matrix(matrix, path, class_names=None):
    """Write the confusion matrix (see `make_confusion_matrix_figure`) as a PNG at `path`."""
    return save_png(make_confusion_matrix_figure(matrix, class_names), path)
