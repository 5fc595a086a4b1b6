"""A run's per-epoch history as CSV: an 'epoch' column (1-based), then one column per key."""

import csv
import io
import math

from neurona.utils.atomic import write_text_atomic


def write_history_csv(history, path):
    """Write `history` ({'loss': [...], 'val_loss': [...], ...}, or a History) to `path` atomically.

    Columns keep the history's key order. A series shorter than the others leaves its cells
    empty. Floats are written with `repr`, so reading the file back gives the same numbers.

    Returns:
        `path` as a Path.
    """
    history = dict(getattr(history, "history", history))
    keys = list(history)
    num_epochs = max((len(values) for values in history.values()), default=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch"] + keys)
    for index in range(num_epochs):
        cells = [_cell(history[key], index) for key in keys]
        writer.writerow([index + 1] + cells)
    return write_text_atomic(path, buffer.getvalue())


def _cell(values, index):
    if index >= len(values):
        return ""
    return repr(float(values[index]))


def read_history_csv(path):
    """Read a history CSV (ours, or a CSVLogger's) into {key: [float per epoch]}.

    The 'epoch' column is dropped: the lists are in row order. Empty and 'NA' cells read as NaN.
    """
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        keys = [key for key in (reader.fieldnames or []) if key != "epoch"]
        history = {key: [] for key in keys}
        for row in reader:
            for key in keys:
                history[key].append(_parse(row.get(key)))
    return history


def _parse(cell):
    if cell is None or cell.strip() in ("", "NA"):
        return math.nan
    return float(cell)
