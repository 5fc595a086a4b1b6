"""What EarlyStopping and ModelCheckpoint share: reading a monitored value, and its direction."""

import numpy as np

from neurona.callbacks.base import ACCURACY_ALIASES
# Names for which higher is better when mode='auto' (as Keras infers it).
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "fmeasure", "f1")


def monitor_op(monitor, mode):
    """np.greater when larger values of `monitor` are better, np.less otherwise.

    `mode` is 'min', 'max' or 'auto' (inferred from the name, with or without 'val_').
    """
    if mode == "auto":
        name = monitor[len("val_"):] if monitor.startswith("val_") else monitor
        mode = "max" if any(word in name for word in _HIGHER_IS_BETTER) else "min"
    return np.greater if mode == "max" else np.less


def monitored_value(logs, monitor):
    """The value of `monitor` in `logs` (also under its 'acc'/'accuracy' alias), or None."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        value = logs.get(ACCURACY_ALIASES.get(monitor, monitor))
    return value
