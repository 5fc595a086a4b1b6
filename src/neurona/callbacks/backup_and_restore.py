"""BackupAndRestore: a run interrupted (a crash, a kill) resumes where it stopped, as in Keras."""

import os
from pathlib import Path

from neurona.callbacks.base import Callback


class BackupAndRestore(Callback):
    """Back the model up at the end of every epoch; when `fit` starts and a backup is there,
    restore it and go on from the epoch after it.

    The backup is neurona's model file: weights, optimizer state, and the seeds of the shuffle
    and of every stochastic layer, so the resumed run ends with the weights a run never stopped
    would have. It is written to a temporary file and renamed, so a kill mid-write leaves the
    previous backup whole.

    Args:
        backup_dir: the folder for the backup (created when needed).
        save_freq: 'epoch' (backups at other intervals are not supported).
        delete_checkpoint: remove the backup once training finishes.
    """

    FILE_NAME = "latest.neurona"

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore needs a backup_dir. Received: backup_dir=None")
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore supports save_freq='epoch' only. Received: save_freq={save_freq!r}")
        self.backup_dir = Path(backup_dir)
        self.delete_checkpoint = bool(delete_checkpoint)
        self.double_checkpoint = bool(double_checkpoint)

    @property
    def path(self):
        return self.backup_dir / self.FILE_NAME

    def on_train_begin(self, logs=None):
        if not self.path.is_file():
            return
        from neurona import saving
        from neurona.saving import model_state

        what = str(self.path)
        backup = saving.load_model(self.path)
        self.model.set_weights(backup.get_weights())
        if backup.optimizer is not None and self.model.optimizer is not None:
            model_state.set_optimizer_state(self.model, *model_state.optimizer_state(backup))
        model_state.set_random_state(self.model, model_state.random_state(backup), what)
        # The next epoch to run: the backup was taken after epoch `epochs_seen - 1`.
        self.model.resume_at_epoch = backup.epochs_seen

    def on_epoch_end(self, epoch, logs=None):
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        self.model.save(self.path)

    def on_train_end(self, logs=None):
        # Reached only when fit returns normally: a crash or a kill leaves the backup.
        if self.delete_checkpoint and self.path.is_file():
            os.remove(self.path)
