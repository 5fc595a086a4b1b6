"""Seed 000's comparison table, measured: every model trained and tested on the same split.

    entries = compare(datasets.load("mnist"), ["svc", "neurona_seed000"], subsample=10000)
    print(format_table(entries))
"""

import csv
import io
import time
import warnings
from dataclasses import dataclass

import numpy as np

from neurona.runs import baselines
from neurona.runs.data import model_inputs

COLUMNS = ("rank", "model", "library", "train_samples", "test_accuracy", "train_seconds", "predict_seconds", "note")


@dataclass
class Entry:
    """One row of the table."""

    name: str
    title: str
    library: str
    train_samples: int
    test_accuracy: float
    train_seconds: float
    predict_seconds: float
    note: str = ""


def compare(dataset, models, limit_train=None, limit_test=None, subsample=10000, epochs=None, seed=0, echo=None):
    """Train and test each model on the dataset's split; entries sorted by test accuracy, best first.

    Args:
        dataset: a `Dataset` (uint8 images, integer labels).
        models: names from `baselines.DEFAULT_MODELS`.
        limit_train, limit_test: use only the first N training / test images (None: all).
        subsample: training images for the slow baselines (SVC, k-NN), drawn at random with
            `seed`; 0 or None trains them on everything.
        epochs: epochs of the neurona models instead of their recipes' (None: the recipe's).
        seed: seed of the subsample, the seeded baselines and the neurona models.
        echo: called with a line as each model starts and ends.
    """
    specs = [baselines.spec(name) for name in models]
    x_train, y_train = dataset.x_train[:limit_train], dataset.y_train[:limit_train].astype(np.int64)
    x_test, y_test = dataset.x_test[:limit_test], dataset.y_test[:limit_test].astype(np.int64)
    if len(x_train) == 0 or len(x_test) == 0:
        raise ValueError(f"{dataset.name} needs training and test images to compare models.")
    flat_train = model_inputs(x_train, (x_train[0].size,), "float32")
    flat_test = model_inputs(x_test, (x_test[0].size,), "float32")

    entries = []
    for spec in specs:
        if echo:
            echo(f"{spec.name}: training...")
        if spec.library == "neurona":
            entry = _run_neurona(spec, dataset, flat_train, y_train, flat_test, y_test, epochs, seed)
        else:
            rows = np.arange(len(flat_train))
            note = ""
            if spec.slow and subsample and subsample < len(rows):
                rows = np.sort(np.random.default_rng(seed).choice(len(rows), subsample, replace=False))
                note = f"subsampled: {subsample:,} of {len(flat_train):,} training images (slow)"
            entry = _run_sklearn(spec, flat_train[rows], y_train[rows], flat_test, y_test, seed, note)
        entries.append(entry)
        if echo:
            echo(f"{spec.name}: {entry.test_accuracy:.2%} in {entry.train_seconds:.1f} s")
    return sorted(entries, key=lambda entry: (-entry.test_accuracy, entry.train_seconds))


def _run_sklearn(spec, x_train, y_train, x_test, y_test, seed, note):
    estimator = baselines.make_sklearn(spec.name, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        estimator.fit(x_train, y_train)
        train_seconds = time.perf_counter() - start
    if any(type(warning.message).__name__ == "ConvergenceWarning" for warning in caught):
        note = "; ".join(filter(None, [note, "stopped at max_iter before converging"]))
    start = time.perf_counter()
    predicted = estimator.predict(x_test)
    predict_seconds = time.perf_counter() - start
    accuracy = float(np.mean(predicted == y_test))
    return Entry(spec.name, spec.title, spec.library, len(y_train), accuracy, train_seconds, predict_seconds, note)


def _run_neurona(spec, dataset, x_train, y_train, x_test, y_test, epochs, seed):
    config = baselines.neurona_config(spec.name, dataset.name, epochs, seed)
    estimator = baselines.make_neurona(config)
    start = time.perf_counter()
    estimator.fit(x_train, y_train)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = estimator.predict(x_test)
    predict_seconds = time.perf_counter() - start
    accuracy = float(np.mean(predicted == y_test))
    layers = "-".join(str(units) for units in [x_train.shape[1]] + config["hidden_layers"]
                      + [estimator.model_.output_shape[-1]])
    title = (f"MLP {layers} {config['optimizer']}, {config['epochs']} epochs of {config['batch_size']} "
             f"({config['recipe']})")
    return Entry(spec.name, title, spec.library, len(y_train), accuracy, train_seconds, predict_seconds)


# Output ----------------------------------------------------------------------------------------

def _cells(entries):
    for rank, entry in enumerate(entries, start=1):
        yield {
            "rank": str(rank), "model": entry.title, "library": entry.library,
            "train_samples": f"{entry.train_samples:,}", "test_accuracy": f"{entry.test_accuracy:.2%}",
            "train_seconds": f"{entry.train_seconds:.2f}", "predict_seconds": f"{entry.predict_seconds:.2f}",
            "note": entry.note,
        }


_HEADERS = {"rank": "#", "model": "model", "library": "library", "train_samples": "train samples",
            "test_accuracy": "test accuracy", "train_seconds": "train s", "predict_seconds": "predict s",
            "note": "note"}
_RIGHT = ("rank", "train_samples", "test_accuracy", "train_seconds", "predict_seconds")


def format_table(entries):
    """The entries as an aligned text table."""
    rows = list(_cells(entries))
    widths = {key: max([len(_HEADERS[key])] + [len(row[key]) for row in rows]) for key in COLUMNS}

    def line(values):
        return "  ".join(values[key].rjust(widths[key]) if key in _RIGHT else values[key].ljust(widths[key])
                         for key in COLUMNS).rstrip()

    return "\n".join([line(_HEADERS), line({key: "-" * widths[key] for key in COLUMNS})] + [line(row) for row in rows])


def to_markdown(entries, title):
    """The entries as a Markdown table under a `title` heading."""
    rows = list(_cells(entries))
    header = "| " + " | ".join(_HEADERS[key] for key in COLUMNS) + " |"
    rule = "|" + "|".join("---:" if key in _RIGHT else "---" for key in COLUMNS) + "|"
    body = ["| " + " | ".join(row[key].replace("|", "\\|") for key in COLUMNS) + " |" for row in rows]
    return "\n".join([f"# {title}", "", header, rule] + body) + "\n"


def to_csv(entries):
    """The entries as CSV text: one row per model, plain numbers (accuracy as a fraction)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "name", "model", "library", "train_samples", "test_accuracy", "train_seconds",
                     "predict_seconds", "note"])
    for rank, entry in enumerate(entries, start=1):
        writer.writerow([rank, entry.name, entry.title, entry.library, entry.train_samples,
                         f"{entry.test_accuracy:.4f}", f"{entry.train_seconds:.3f}", f"{entry.predict_seconds:.3f}",
                         entry.note])
    return buffer.getvalue()
