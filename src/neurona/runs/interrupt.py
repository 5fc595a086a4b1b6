"""Ctrl-C during training: the first one stops after the current batch, the second aborts.

    with StopOnInterrupt() as interrupt:
        model.fit(..., callbacks=[interrupt.callback()])
    if interrupt.requested: ...   # training ended early; the model holds what was reached

The first SIGINT sets `requested` (the callback then sets `model.stop_training`, which `fit`
checks after every batch) and arms Python's default handler, so a second Ctrl-C raises
KeyboardInterrupt (even where the process started with SIGINT ignored, as background jobs do).
Leaving the block restores the previous handler in any case.
Outside the main thread (where Python cannot install signal handlers) it does nothing.
"""

import signal
import sys
import threading

from neurona.callbacks import Callback

MESSAGE = "\nCtrl-C: stopping after the current batch and saving what was reached (Ctrl-C again to abort)."


class StopOnInterrupt:
    """A context manager that turns the first SIGINT into a request to stop training."""

    def __init__(self, stream=None):
        self.requested = False
        self._stream = stream
        self._previous = None
        self._installed = False

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc_info):
        self._restore()
        return False

    def _handle(self, signum, frame):
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        (self._stream or sys.stderr).write(MESSAGE + "\n")

    def _restore(self):
        if self._installed:
            previous = self._previous if self._previous is not None else signal.default_int_handler
            signal.signal(signal.SIGINT, previous)
            self._installed = False

    def callback(self):
        """A callback that sets `model.stop_training` once an interrupt was requested."""
        return _StopTraining(self)


class _StopTraining(Callback):
    def __init__(self, interrupt):
        super().__init__()
        self.interrupt = interrupt

    def on_train_batch_end(self, batch, logs=None):
        if self.interrupt.requested:
            self.model.stop_training = True
