"""Classification metrics from labels: confusion matrix and per-class precision, recall, F1.

NumPy only, so the CLI's `evaluate` needs no plotting library (and no scikit-learn).
"""

import numpy as np


def as_class_indices(y, argument="y"):
    """Class indices (n,) from integer labels (n,) or (n, 1), or one-hot / probabilities (n, k)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"{argument} must have shape (n,), (n, 1) or (n, classes). Received: {argument}.shape={y.shape}")
    y = y.reshape(-1)
    if not np.issubdtype(y.dtype, np.integer) and not np.all(y == np.round(y)):
        raise ValueError(f"{argument} must hold whole class indices. Received: {argument}[:5]={y[:5].tolist()}")
    return y.astype(np.int64)


def _checked_labels(y_true, y_pred, num_classes):
    y_true = as_class_indices(y_true, "y_true")
    y_pred = as_class_indices(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must hold as many samples. Received: {y_true.size} and {y_pred.size}")
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    for argument, labels in (("y_true", y_true), ("y_pred", y_pred)):
        outside = labels[(labels < 0) | (labels >= num_classes)]
        if outside.size:
            raise ValueError(
                f"{argument} holds class {outside[0]}, outside 0..{num_classes - 1} (num_classes={num_classes})"
            )
    return y_true, y_pred, num_classes


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Count of samples per (true class, predicted class).

    Args:
        y_true, y_pred: class indices (n,), or one-hot / probabilities (n, num_classes).
        num_classes: size of the matrix; by default the largest label seen plus one.

    Returns:
        int64 array (num_classes, num_classes): rows are true classes, columns predictions.

    >>> confusion_matrix([0, 1, 1], [0, 1, 0])
    array([[1, 0],
           [1, 1]])
    """
    y_true, y_pred, num_classes = _checked_labels(y_true, y_pred, num_classes)
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def _safe_ratio(numerator, denominator):
    """numerator / denominator, 0.0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


def classification_report(y_true, y_pred, class_names=None):
    """Precision, recall, F1 and support per class, with accuracy and macro / weighted averages.

    Args:
        y_true, y_pred: class indices (n,), or one-hot / probabilities (n, num_classes).
        class_names: one name per class; their count fixes num_classes. By default the
            classes are 0..max label, named by their index.

    Returns:
        A JSON-ready dict:
        `{"classes": [{"label", "precision", "recall", "f1", "support"}, ...],
          "accuracy": float, "macro_avg": {...}, "weighted_avg": {...}, "samples": int}`.
        A ratio whose denominator is 0 (a class never predicted, or never present) is 0.0.
    """
    num_classes = None if class_names is None else len(class_names)
    y_true, y_pred, num_classes = _checked_labels(y_true, y_pred, num_classes)
    if class_names is None:
        class_names = [str(index) for index in range(num_classes)]
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    true_positives = np.diag(matrix)
    support = matrix.sum(axis=1)
    precision = _safe_ratio(true_positives, matrix.sum(axis=0))
    recall = _safe_ratio(true_positives, support)
    f1 = _safe_ratio(2 * precision * recall, precision + recall)

    rows = [
        {"label": str(name), "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for name, p, r, f, s in zip(class_names, precision, recall, f1, support)
    ]
    total = int(support.sum())
    weights = support / total if total else np.zeros(num_classes)

    def average(weighting):
        return {
            "precision": float(np.sum(weighting * precision)),
            "recall": float(np.sum(weighting * recall)),
            "f1": float(np.sum(weighting * f1)),
            "support": total,
        }

    return {
        "classes": rows,
        "accuracy": float(true_positives.sum() / total) if total else 0.0,
        "macro_avg": average(np.full(num_classes, 1 / num_classes) if num_classes else np.zeros(0)),
        "weighted_avg": average(weights),
        "samples": total,
    }


def format_classification_report(report, digits=3):
    """The report of `classification_report` as an aligned text table, like scikit-learn's."""
    width = max([len(row["label"]) for row in report["classes"]] + [len("weighted avg")])
    number = 10
    header = f"{'':>{width}} {'precision':>{number}} {'recall':>{number}} {'f1':>{number}} {'support':>{number}}"

    def line(label, row):
        values = "".join(f" {row[key]:>{number}.{digits}f}" for key in ("precision", "recall", "f1"))
        return f"{label:>{width}}{values} {row['support']:>{number}}"

    lines = [header, ""]
    lines += [line(row["label"], row) for row in report["classes"]]
    lines += [
        "",
        f"{'accuracy':>{width}} {'':>{number}} {'':>{number}} {report['accuracy']:>{number}.{digits}f} "
        f"{report['samples']:>{number}}",
        line("macro avg", report["macro_avg"]),
        line("weighted avg", report["weighted_avg"]),
    ]
    return "\n".join(lines)
