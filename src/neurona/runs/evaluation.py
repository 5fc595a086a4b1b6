"""A model measured on labelled images: loss, accuracy, per-class report, per-sample lines."""

import csv
import time
from dataclasses import dataclass

import numpy as np

from neurona.reports import metrics as report_metrics
from neurona.runs.data import class_probabilities, model_inputs, model_targets


@dataclass
class Evaluation:
    """Results on n samples: probabilities (n, classes), predicted and labels (n,)."""

    loss: float
    accuracy: float
    probabilities: np.ndarray
    predicted: np.ndarray
    labels: np.ndarray
    class_names: list
    seconds: float

    @property
    def report(self):
        """`reports.metrics.classification_report`: per-class precision, recall, F1, support."""
        return report_metrics.classification_report(self.labels, self.predicted, self.class_names)

    @property
    def confusion(self):
        """(classes, classes) counts: rows true classes, columns predictions."""
        return report_metrics.confusion_matrix(self.labels, self.predicted, len(self.class_names))


def ensure_compiled(model):
    """Compile a model loaded without a training config (a Keras file saved for inference only)."""
    if not model.compiled:
        binary = model.output_shape[-1] == 1
        model.compile(loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


def evaluate_model(model, images, labels, class_names=None, what="the images"):
    """Loss (from `model.evaluate`) and predictions (from `model.predict`, timed) on uint8 images.

    Args:
        model: a compiled model.
        images: uint8 (n, *image_shape); reshaped to the model's input shape when the sizes agree.
        labels: class indices (n,).
        class_names: one name per class (indices as names by default).
        what: how errors name the images ("mnist test images").

    Raises:
        ValueError: the images or labels do not fit the model (the message names both shapes).
    """
    ensure_compiled(model)
    num_outputs = model.output_shape[-1]
    x = model_inputs(images, model.input_shape, model.dtype, what)
    y = model_targets(labels, model.loss.name, num_outputs)
    if class_names is None:
        class_names = [str(index) for index in range(max(num_outputs, 2))]
    loss = float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
    start = time.perf_counter()
    probabilities = class_probabilities(model.predict(x))
    seconds = time.perf_counter() - start
    predicted = np.argmax(probabilities, axis=1)
    labels = np.asarray(labels, dtype=np.int64)
    accuracy = float(np.mean(predicted == labels)) if len(labels) else 0.0
    return Evaluation(loss, accuracy, probabilities, predicted, labels, list(class_names), seconds)


def per_sample_rows(evaluation):
    """Seed 000's per-sample results: dicts with index (1-based), expected, obtained, outcome,
    probability (of the obtained class) and running accuracy in percent."""
    right = 0
    rows = []
    for index, (expected, obtained) in enumerate(zip(evaluation.labels, evaluation.predicted), start=1):
        ok = int(expected) == int(obtained)
        right += ok
        rows.append({
            "index": index,
            "expected": evaluation.class_names[int(expected)],
            "obtained": evaluation.class_names[int(obtained)],
            "outcome": "OK" if ok else "Fail",
            "probability": float(evaluation.probabilities[index - 1, int(obtained)]),
            "running_accuracy": round(right / index * 100, 2),
        })
    return rows


def format_per_sample(row):
    """One of seed 000's lines: 'Nº 1 | Expected result: 7 | Obtained result: 7 |  OK  | Accuracy: 100.0 %'."""
    outcome = " OK " if row["outcome"] == "OK" else "Fail"
    return (f"Nº {row['index']} | Expected result: {row['expected']} | Obtained result: {row['obtained']} | "
            f"{outcome} | Accuracy: {row['running_accuracy']} %")


def write_per_sample_csv(rows, path):
    """Write the rows of `per_sample_rows` as CSV (a header, then one line per sample)."""
    fields = ["index", "expected", "obtained", "outcome", "probability", "running_accuracy"]
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "probability": f"{row['probability']:.6f}"})
    return path


def format_confusion(matrix, class_names):
    """The confusion matrix as aligned text, rows true classes and columns predictions."""
    labels = [str(name) for name in class_names]
    corner = "true \\ predicted"
    width = max(max(len(label) for label in labels), len(f"{int(np.max(matrix, initial=0)):,}"), 4)
    first = max(max(len(label) for label in labels), len(corner))
    lines = [f"{corner:>{first}} " + " ".join(f"{label:>{width}}" for label in labels)]
    for label, row in zip(labels, matrix):
        lines.append(f"{label:>{first}} " + " ".join(f"{int(count):>{width},}" for count in row))
    return "\n".join(lines)
