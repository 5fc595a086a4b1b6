"""ProgbarLogger: prints training progress, one bar (or line) per epoch."""

from neurona.callbacks.base import Callback
from neurona.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Added by `fit` when verbose is 1 (bar) or 2 (one line per epoch)."""

    def on_epoch_begin(self, epoch, logs=None):
        self._progbar = Progbar(self.params["steps"], verbose=self.params["verbose"])
        self._seen = 0
        self._progbar.stream.write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if batch + 1 < self.params["steps"]:
            self._progbar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if 0 < self._seen < self.params["steps"]:
            # Training was stopped within the epoch: as Keras, end the bar at the steps done.
            self._progbar.target = self._seen
        self._progbar.update(self._progbar.target, logs, finalize=True)
