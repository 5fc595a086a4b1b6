"""ModelCheckpoint: save the model (or its weights) during training, as Keras 3 does."""

import os
import warnings

import numpy as np

from neurona.callbacks.base import Callback

# One rule for mode='auto' and for 'acc'/'accuracy' lookups, shared with EarlyStopping.
from neurona.callbacks.monitoring import monitor_op, monitored_value


class ModelCheckpoint(Callback):
    """Save the model after every epoch (or every `save_freq` batches).

    Args:
        filepath: where to save (str or os.PathLike). May hold format fields filled from the
            epoch (1-based) and the logs: 'ckpt/model-{epoch:02d}-{val_loss:.2f}.neurona'.
            The suffix picks the format, as in `model.save`: '.keras', '.h5', else
            neurona's own (which keeps the optimizer and random state, so training resumed
            from it with `fit(..., initial_epoch=n)` matches training straight through).
        monitor: the logs key compared when `save_best_only` ('val_loss', 'val_accuracy', ...).
        verbose: 1 prints a line each time the callback saves (or decides not to).
        save_best_only: save only when `monitor` improves on the best value seen so far; with
            a fixed `filepath` the file then always holds the best model.
        save_weights_only: save only the weights (`model.save_weights`).
        mode: 'min', 'max' or 'auto' (max for accuracy-like names, min otherwise).
        save_freq: 'epoch', or an integer number of training batches between saves.
        initial_value_threshold: the value `monitor` must beat for the first save.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        positive_int = isinstance(save_freq, int) and not isinstance(save_freq, bool) and save_freq > 0
        if save_freq != "epoch" and not positive_int:
            raise ValueError(f"save_freq must be 'epoch' or a positive integer. Received: save_freq={save_freq!r}")
        if save_weights_only and self.filepath.lower().endswith(".keras"):
            raise ValueError(
                "save_weights_only=True cannot write a .keras file (it holds a whole model). "
                f"Received: filepath={self.filepath!r}; use a name ending in .weights.h5 or .neurona."
            )
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ModelCheckpoint mode {mode!r} is unknown, fallback to auto mode.", UserWarning,
                          stacklevel=2)
            mode = "auto"
        self.mode = mode
        self.monitor_op = monitor_op(monitor, mode)
        self._reset_best()
        self._current_epoch = 0
        self._batches_since_save = 0

    def _reset_best(self):
        if self.initial_value_threshold is not None:
            self.best = self.initial_value_threshold
        else:
            self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        filepath = self._file_path(epoch, batch, logs)
        if self.save_best_only:
            current = self._monitor_value(logs)
            if current is None:
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _file_path(self, epoch, batch, logs):
        fields = {**logs, "epoch": epoch + 1}
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error!r}. '
                f"Available fields: {', '.join(sorted(fields))}"
            ) from None

    def _monitor_value(self, logs):
        value = monitored_value(logs, self.monitor)
        if value is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available, skipping. "
                f"Available metrics are: {','.join(logs.keys())}",
                UserWarning,
                stacklevel=3,
            )
        return value
