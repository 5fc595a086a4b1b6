"""TerminateOnNaN: stop training as soon as the loss becomes NaN or infinite."""

import math
import warnings

from neurona.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stop training when a training batch ends with a NaN or infinite loss.

    By default training stops gracefully after that batch (`model.stop_training = True`, so
    every callback's `on_epoch_end` and `on_train_end` still run) and a `UserWarning` names the
    batch and the value. With `raise_error=True` a RuntimeError is raised at once instead.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            message = f"Batch {batch}: invalid loss {loss}, terminating training"
            warnings.warn(message, UserWarning, stacklevel=2)
            self.model.stop_training = True
