"""LearningRateScheduler: set the optimizer's learning rate at the start of each epoch."""

import numpy as np

from neurona.callbacks.base import Callback


class LearningRateScheduler(Callback):
    """Set the learning rate to `schedule(epoch, lr)` at each epoch's start, as Keras does.

    Args:
        schedule: a function of (epoch, current learning rate) returning the new learning rate
            as a float; `epoch` counts from 0 (from `initial_epoch` when resuming). A function
            of the epoch alone is also accepted (Keras' older form).
        verbose: 1 prints the new rate at each epoch.

    The learning rate in force is added to the logs as `learning_rate` at each epoch's end.
    The optimizer's learning_rate must be a number: one created with a LearningRateSchedule
    cannot be set (TypeError, as in Keras).

    Example:

        def schedule(epoch, lr):
            return lr if epoch < 10 else lr * 0.9

        model.fit(x, y, epochs=20, callbacks=[LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler expects a callable schedule. Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # a schedule of the epoch alone (Keras' older API)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate}")
        optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
