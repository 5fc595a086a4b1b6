"""What a run writes besides its model: metrics.json's content and the plots.

The plots' file names are those `reports.run_files` captions, so the HTML report describes
each one.
"""

import math
import os
import platform

import numpy as np

import neurona
from neurona.layers import Dense


def environment():
    """{'versions': {python, numpy, neurona}, 'machine': {platform, processor, cores}}."""
    return {
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "neurona": neurona.__version__,
        },
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
        },
    }


def run_metrics(evaluation, history, data, timing, flags):
    """The content of metrics.json.

    Args:
        evaluation: the test set's `evaluation.Evaluation`.
        history: {'loss': [...], ...} per epoch.
        data: the run's `data.RunData`.
        timing: {'train_seconds': float}.
        flags: {'interrupted': bool, 'stopped_early': bool, 'epochs_planned': int}.
    """
    metrics = {
        "test_accuracy": evaluation.accuracy,
        "test_loss": evaluation.loss,
        "train_seconds": round(timing["train_seconds"], 3),
        "test_seconds": round(evaluation.seconds, 3),
        "train_samples": int(len(data.train_labels)),
        "validation_samples": int(len(data.val_labels)) if data.val_labels is not None else 0,
        "test_samples": int(len(evaluation.labels)),
        "epochs_run": len(history.get("loss", [])),
        "epochs_planned": flags["epochs_planned"],
    }
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        values = history.get(key)
        if values:
            metrics[f"final_{'train_' if not key.startswith('val_') else ''}{key}"] = float(values[-1])
    val_loss = np.asarray(history.get("val_loss", []), dtype=np.float64)
    if np.isfinite(val_loss).any():
        # The epoch with the lowest validation loss: where seed 004 sees overfitting begin.
        metrics["best_epoch"] = int(np.argmin(np.where(np.isfinite(val_loss), val_loss, np.inf))) + 1
    if flags.get("stopped_early"):
        metrics["stopped_early"] = True
    if flags.get("interrupted"):
        metrics["interrupted"] = True
    metrics["classification_report"] = evaluation.report
    metrics["dataset"] = data.description()
    metrics.update(environment())
    return metrics


def write_plots(run_dir, history, data, evaluation, model, seed=0):
    """Write every plot of a run into `run_dir`; returns the paths written.

    history.png (when there is a history), samples.png, predictions.png,
    confusion_matrix.png, confident_mistakes.png and, when the first layer with a kernel
    sees whole images, first_layer_weights.png.
    """
    from neurona.reports import plots

    names = data.class_names
    written = []
    if history.get("loss"):
        written.append(plots.plot_history(history, run_dir / "history.png"))
    written.append(plots.plot_sample_grid(data.train_images, data.train_labels, run_dir / "samples.png",
                                          class_names=names, seed=seed))
    written.append(plots.plot_prediction_grid(data.test_images, evaluation.labels, evaluation.predicted,
                                              run_dir / "predictions.png", class_names=names, seed=seed))
    written.append(plots.plot_confusion_matrix(evaluation.confusion, run_dir / "confusion_matrix.png",
                                               class_names=names))
    written.append(plots.plot_confident_mistakes(data.test_images, evaluation.labels, evaluation.probabilities,
                                                 run_dir / "confident_mistakes.png", class_names=names))
    weights = first_layer_images(model, data.image_shape)
    if weights is not None:
        kernel, image_shape = weights
        written.append(plots.plot_first_layer_weights(kernel, run_dir / "first_layer_weights.png",
                                                      image_shape=image_shape))
    return written


def first_layer_images(model, image_shape):
    """(kernel (pixels, units), (rows, cols)) of the first Dense layer when it sees whole images.

    RGB images give each unit's weights averaged over the three channels. None when the first
    Dense layer does not take one image's pixels.
    """
    first = next((layer for layer in model.layers if isinstance(layer, Dense)), None)
    if first is None or "kernel" not in first.params:
        return None
    kernel = first.params["kernel"]
    if kernel.shape[0] != math.prod(image_shape) or len(image_shape) not in (2, 3):
        return None
    rows, cols = image_shape[:2]
    if len(image_shape) == 3:
        kernel = kernel.reshape(rows, cols, image_shape[2], -1).mean(axis=2).reshape(rows * cols, -1)
    return kernel, (rows, cols)


def describe_model(model, model_file):
    """{'file', 'input_shape', 'output_shape', 'parameters', 'layers'} for metrics.json."""
    return {
        "file": model_file,
        "input_shape": list(model.input_shape),
        "output_shape": list(model.output_shape),
        "parameters": int(model.count_params()),
        "layers": [f"{type(layer).__name__}({getattr(layer, 'units', '')})".replace("()", "")
                   for layer in model.layers],
        "dtype": str(model.dtype),
    }
