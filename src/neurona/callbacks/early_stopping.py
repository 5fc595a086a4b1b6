"""EarlyStopping: stop training when a monitored quantity has stopped improving."""

import warnings

import numpy as np

from neurona.callbacks.base import Callback
from neurona.callbacks.monitoring import monitor_op, monitored_value

# 'acc' and 'accuracy' name the same value (see HistoryDict); look one up under the other.


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved for `patience` epochs.

    Args:
        monitor: the logs key to watch ('val_loss', 'loss', 'val_accuracy', ...).
        min_delta: smallest change that counts as an improvement (its sign is ignored).
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when training is stopped and when weights are restored.
        mode: 'min' (lower is better), 'max' (higher is better) or 'auto', which picks 'max'
            for accuracy-like names ('acc', 'accuracy', 'val_accuracy', 'auc', ...) and
            'min' otherwise (losses, errors).
        baseline: the value to beat; while no epoch beats it the patience keeps running out.
        restore_best_weights: when training ends, put back the weights of the best epoch
            (as Keras 3, also when training ran its full length without being stopped).
        start_from_epoch: epochs of warm-up during which nothing is monitored.

    After training: `stopped_epoch` (0-based epoch at which it stopped training, 0 if it did
    not), `best` (the best monitored value), `best_epoch`, `wait` (epochs since the best).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"EarlyStopping mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.mode = mode
        self.monitor_op = monitor_op(monitor, mode)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # Allow the same instance to be used for several `fit` calls.
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first monitored epoch is the best one.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Restart the count only when the baseline (if any) is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        value = monitored_value(logs, self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join((logs or {}).keys())}",
                UserWarning,
                stacklevel=2,
            )
        return value

    def _is_improvement(self, value, reference):
        if self.monitor_op is np.greater:
            return bool(value - self.min_delta > reference)
        return bool(value + self.min_delta < reference)
