"""What a run writes besides its model: metrics.json's content and the plots.

The plots' file names are those `reports.run_files` captions, so the HTML report describes
each one. Layers are told apart by their weights and configs, not their classes: a 2-D kernel
that sees whole images is drawn as images of its units, a 4-D kernel (a convolution) as its
filters and the feature maps it makes.
"""

import math
import os
import platform

import numpy as np

import neurona
from neurona.runs.data import model_inputs
from neurona.runs.layer_entries import POOLING_CLASSES, describe_layer


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
    confusion_matrix.png, confident_mistakes.png; when the first layer with a kernel sees
    whole images, first_layer_weights.png; when it is a convolution, conv_filters.png and
    feature_maps.png (the first test image after each convolution and pooling layer).
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
    first = first_weighted_layer(model)
    if first is not None and np.ndim(first.params.get("kernel")) == 4:
        written.append(plots.plot_conv_filters(first.params["kernel"], run_dir / "conv_filters.png"))
        stages = feature_maps(model, data.test_images[0])
        if stages:
            label, predicted = int(evaluation.labels[0]), int(evaluation.predicted[0])
            title = (f"Feature maps of test image 0 (true class {names[label]}, "
                     f"predicted {names[predicted]})")
            written.append(plots.plot_feature_maps(data.test_images[0], stages, run_dir / "feature_maps.png",
                                                   title=title))
    weights = first_layer_images(model, data.image_shape)
    if weights is not None:
        kernel, image_shape = weights
        written.append(plots.plot_first_layer_weights(kernel, run_dir / "first_layer_weights.png",
                                                      image_shape=image_shape))
    return written


def first_weighted_layer(model):
    """The first layer with weights (None when no layer has any)."""
    return next((layer for layer in model.layers if layer.params), None)


def first_layer_images(model, image_shape):
    """(kernel (pixels, units), (rows, cols)) of the first weighted layer when it is a matrix that
    sees whole images (an MLP's first Dense layer).

    RGB images give each unit's weights averaged over the three channels. None when the first
    weighted layer has no 2-D kernel taking one image's pixels.
    """
    first = first_weighted_layer(model)
    kernel = first.params.get("kernel") if first is not None else None
    if kernel is None or kernel.ndim != 2:
        return None
    if kernel.shape[0] != math.prod(image_shape) or len(image_shape) not in (2, 3):
        return None
    rows, cols = image_shape[:2]
    if len(image_shape) == 3:
        kernel = kernel.reshape(rows, cols, image_shape[2], -1).mean(axis=2).reshape(rows * cols, -1)
    return kernel, (rows, cols)


def feature_maps(model, image, max_stages=4):
    """[(label, maps (h, w, channels))] of one uint8 image after each convolution and pooling layer.

    Convolutions are the layers with a 4-D kernel; the first `max_stages` of them and of the
    pooling layers are kept, labelled 'conv2d (Conv2D(32, 3x3))'.
    """
    x = model_inputs(np.asarray(image)[np.newaxis], model.input_shape, model.dtype)
    stages = []
    for layer in model.layers:
        x = layer(x)
        shows = np.ndim(layer.params.get("kernel")) == 4 or type(layer).__name__ in POOLING_CLASSES
        if shows and x.ndim == 4:
            stages.append((f"{layer.name} ({describe_layer(layer)})", x[0]))
            if len(stages) == max_stages:
                break
    return stages


def describe_model(model, model_file):
    """{'file', 'input_shape', 'output_shape', 'parameters', 'layers'} for metrics.json."""
    return {
        "file": model_file,
        "input_shape": list(model.input_shape),
        "output_shape": list(model.output_shape),
        "parameters": int(model.count_params()),
        "layers": [describe_layer(layer) for layer in model.layers],
        "dtype": str(model.dtype),
    }
