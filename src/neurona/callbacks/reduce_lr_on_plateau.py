"""ReduceLROnPlateau: lower the learning rate when a monitored quantity stops improving."""

import warnings

import numpy as np

from neurona.callbacks.base import Callback
from neurona.callbacks.monitoring import monitor_op, monitored_value


class ReduceLROnPlateau(Callback):
    """Multiply the optimizer's learning rate by `factor` after `patience` epochs without
    improvement of `monitor`, as Keras does.

    Args:
        monitor: the logs key to watch ('val_loss' by default).
        factor: the learning rate's multiplier, in (0, 1): new_lr = max(lr * factor, min_lr).
        patience: epochs without improvement before a reduction.
        verbose: 1 prints a line at each reduction.
        mode: 'min', 'max' or 'auto' (from the monitored name).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below it.

    The learning rate in force is added to the logs as `learning_rate` at each epoch's end.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if not (isinstance(factor, (int, float)) and 0 < factor < 1):
            raise ValueError(f"ReduceLROnPlateau expects a factor in (0, 1). Received: factor={factor!r}")
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ReduceLROnPlateau mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor, self.factor, self.patience, self.verbose = monitor, float(factor), int(patience), verbose
        self.mode, self.min_delta, self.cooldown, self.min_lr = mode, abs(min_delta), int(cooldown), float(min_lr)
        self.monitor_op = monitor_op(monitor, mode)
        self._reset()

    def _reset(self):
        self.best = -np.inf if self.monitor_op is np.greater else np.inf
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def _improved(self, current):
        if self.monitor_op is np.greater:
            return bool(current > self.best + self.min_delta)
        return bool(current < self.best - self.min_delta)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        # With a schedule the rate in force is logged; reducing it raises the optimizer's
        # TypeError, as in Keras.
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = monitored_value(logs, self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}.",
                UserWarning,
                stacklevel=2,
            )
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(optimizer.learning_rate)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
