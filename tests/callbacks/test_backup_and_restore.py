import numpy as np
import pytest

from neurona import callbacks, layers
from neurona.models import Sequential


class Crash(Exception):
    pass


class CrashAfter(callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise Crash(f"killed after epoch {epoch}")


def fresh_model():
    model = Sequential([layers.Dense(16, activation="relu", input_shape=(6,), seed=1), layers.Dropout(0.3, seed=2),
                        layers.Dense(3, activation="softmax", seed=3)])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.set_training_state(shuffle_seed=11)
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 6)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)


def test_a_crashed_run_resumes_to_the_same_weights(tmp_path, data):
    x, y = data
    straight = fresh_model()
    straight_history = straight.fit(x, y, epochs=5, batch_size=16, verbose=0)

    crashed = fresh_model()
    backup = callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(Crash):
        crashed.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup, CrashAfter(2)])
    assert backup.path.is_file()

    resumed = fresh_model()  # as a new process would build it
    history = resumed.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[callbacks.BackupAndRestore(tmp_path / "backup")])
    assert history.epoch == [3, 4]
    assert history.history["loss"] == straight_history.history["loss"][3:]
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not backup.path.exists()  # finished: the backup is gone


def test_the_backup_stays_when_asked(tmp_path, data):
    x, y = data
    backup = callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    fresh_model().fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    assert backup.path.is_file()


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": None}, "needs a backup_dir"),
    ({"backup_dir": "b", "save_freq": 10}, "supports save_freq='epoch' only"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        callbacks.BackupAndRestore(**kwargs)
