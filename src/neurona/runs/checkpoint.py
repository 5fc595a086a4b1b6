"""Epoch checkpoints of a run, and resuming a run from the last one.

While a run trains, its folder is `<run>.partial/` (see `folder`), holding config.json and,
after each epoch, one complete checkpoint:

    runs/20250101-120000-mnist-best.partial/
        config.json
        checkpoints/epoch-0007/
            model.neurona   weights, optimizer slots and step count, random state, epochs seen
            state.json      the history so far, training seconds, early stopping's counters,
                            and the sha256 of model.neurona (and of best-weights.npz)
            best-weights.npz   early stopping's best weights, when it restores them

A checkpoint is written into `epoch-0007.tmp/`, its files flushed to disk, then renamed to
`epoch-0007/`, and only then is the one before removed: a process killed at any moment (even
`kill -9`) leaves the previous or the new checkpoint whole. `neurona train --resume RUN` loads
the newest, checks both checksums first, and continues with `fit(initial_epoch=...)`; everything
random in an epoch derives from the model's seed and the epoch's number (see
`Model.get_training_state`), so the resumed run ends with the same weights, bit for bit, as a
run never stopped. A checkpoint that fails a check is never loaded: one error names the file and
what is wrong.
"""

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from neurona.callbacks import Callback, EarlyStopping
from neurona.datasets.checksums import file_sha256

CHECKPOINTS = "checkpoints"
MODEL_FILE = "model.neurona"
STATE_FILE = "state.json"
BEST_WEIGHTS_FILE = "best-weights.npz"
FORMAT = "neurona-run-checkpoint"
VERSION = 1
_NAME = re.compile(r"epoch-(\d{4,})")
_EARLY_STOPPING_KEYS = ("wait", "stopped_epoch", "best", "best_epoch")


class CheckpointError(ValueError):
    """A checkpoint is incomplete, altered or unreadable; the message names the file."""


class Checkpoint:
    """A loaded checkpoint: the model (compiled, with its optimizer and random state) and
    what `state.json` holds."""

    def __init__(self, path, model, state, best_weights):
        self.path = path
        self.model = model
        self.state = state
        self.best_weights = best_weights

    @property
    def epochs_done(self):
        return self.state["epochs_done"]

    @property
    def history(self):
        return {key: list(values) for key, values in self.state["history"].items()}

    @property
    def train_seconds(self):
        return float(self.state["train_seconds"])


class RunCheckpoints(Callback):
    """Writes a checkpoint into `partial_dir/checkpoints/` after every epoch.

    Args:
        partial_dir: the run's `.partial` folder.
        resumed: the `Checkpoint` training continues from, or None: its history, seconds and
            early stopping's counters carry on.
        clock: returns the training seconds of this `fit` so far.
        early_stopping: the run's EarlyStopping callbacks, whose counters each checkpoint
            keeps (and a resumed run restores).

    Place it after the callbacks whose state it saves, so that it sees this epoch's; it
    records each epoch's logs itself.
    """

    def __init__(self, partial_dir, clock, early_stopping=(), resumed=None):
        super().__init__()
        self.directory = Path(partial_dir) / CHECKPOINTS
        self.clock = clock
        self.early_stopping = [callback for callback in early_stopping if isinstance(callback, EarlyStopping)]
        self.history = resumed.history if resumed else {}
        self.seconds_before = resumed.train_seconds if resumed else 0.0
        self.resumed = resumed

    def on_train_begin(self, logs=None):
        # After EarlyStopping's own on_train_begin, which resets its counters.
        if self.resumed is not None:
            for index, callback in enumerate(self.early_stopping):
                restore_early_stopping(callback, self.resumed, index)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(_plain(value))
        write(self.directory, self.model, epoch + 1, self.history, self.seconds_before + self.clock(),
              self.early_stopping)


def write(directory, model, epochs_done, history, train_seconds, early_stopping=()):
    """Write the checkpoint after `epochs_done` epochs into `directory` atomically, then remove
    older ones."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"epoch-{epochs_done:04d}"
    temporary = final.with_name(final.name + ".tmp")
    if temporary.exists():
        shutil.rmtree(temporary)
    temporary.mkdir()
    model.save(temporary / MODEL_FILE)
    state = {
        "format": FORMAT,
        "version": VERSION,
        "epochs_done": int(epochs_done),
        "train_seconds": float(train_seconds),
        "history": history,
        "early_stopping": [],
        "sha256": {MODEL_FILE: file_sha256(temporary / MODEL_FILE)},
    }
    for index, callback in enumerate(early_stopping):
        entry = {key: _plain(getattr(callback, key)) for key in _EARLY_STOPPING_KEYS}
        if callback.best_weights is not None:
            name = f"best-weights-{index}.npz" if index else BEST_WEIGHTS_FILE
            with open(temporary / name, "wb") as handle:
                np.savez(handle, *callback.best_weights)
            entry["best_weights"] = name
            state["sha256"][name] = file_sha256(temporary / name)
        state["early_stopping"].append(entry)
    (temporary / STATE_FILE).write_text(json.dumps(state, allow_nan=True) + "\n", encoding="utf-8")
    for path in temporary.iterdir():
        _fsync(path)
    _fsync(temporary)
    if final.exists():
        shutil.rmtree(final)
    temporary.rename(final)
    _fsync(directory)
    for older in directory.iterdir():
        match = _NAME.fullmatch(older.name)
        if older != final and (match or older.name.endswith(".tmp")):
            shutil.rmtree(older, ignore_errors=True)
    return final


def latest(directory):
    """The newest complete checkpoint folder in `directory`, or None (unfinished `.tmp`
    folders are not checkpoints)."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    found = sorted((int(match.group(1)), path) for path in directory.iterdir()
                   if (match := _NAME.fullmatch(path.name)) and path.is_dir())
    return found[-1][1] if found else None


def load(path):
    """The `Checkpoint` in folder `path`, after checking its files against state.json.

    Raises:
        CheckpointError: a file is missing, its checksum differs, or state.json is malformed.
    """
    path = Path(path)
    state_path = path / STATE_FILE
    if not state_path.is_file():
        raise CheckpointError(f"Checkpoint {path} is incomplete: it has no {STATE_FILE}.")
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"Checkpoint {state_path} is not valid JSON ({error}).") from None
    _check_state(state, state_path)
    for name, expected in state["sha256"].items():
        file = path / name
        if not file.is_file():
            raise CheckpointError(f"Checkpoint {path} is incomplete: {name} is missing.")
        found = file_sha256(file)
        if found != expected:
            raise CheckpointError(f"Checkpoint file {file} is corrupt: its sha256 is {found}, "
                                  f"{STATE_FILE} expects {expected}.")
    from neurona.saving import load_model

    model = load_model(path / MODEL_FILE)
    best_weights = []
    for entry in state["early_stopping"]:
        best_weights.append(_read_weights(path / entry["best_weights"]) if entry.get("best_weights") else None)
    return Checkpoint(path, model, state, best_weights)


def restore_early_stopping(callback, checkpoint, index=0):
    """Put an EarlyStopping's counters (and best weights) back as the checkpoint saved them."""
    entries = checkpoint.state["early_stopping"]
    if index >= len(entries):
        return
    for key in _EARLY_STOPPING_KEYS:
        value = entries[index][key]
        setattr(callback, key, float(value) if key == "best" else value)
    callback.best_weights = checkpoint.best_weights[index]


def _check_state(state, where):
    def expect(condition, what):
        if not condition:
            raise CheckpointError(f"Checkpoint {where} is malformed: {what}.")

    expect(isinstance(state, dict) and state.get("format") == FORMAT, f"expected format {FORMAT!r}")
    expect(state.get("version") == VERSION, f"expected version {VERSION}, found {state.get('version')!r}")
    epochs = state.get("epochs_done")
    expect(isinstance(epochs, int) and not isinstance(epochs, bool) and epochs >= 1,
           f"epochs_done must be a positive integer, found {epochs!r}")
    expect(isinstance(state.get("train_seconds"), (int, float)), "train_seconds must be a number")
    history = state.get("history")
    expect(isinstance(history, dict) and all(isinstance(values, list) and len(values) == epochs
                                             for values in history.values()),
           f"history must hold {epochs} values per key")
    checksums = state.get("sha256")
    expect(isinstance(checksums, dict) and MODEL_FILE in checksums
           and all(isinstance(name, str) and "/" not in name and "\\" not in name and name not in ("", ".", "..")
                   and isinstance(value, str) for name, value in checksums.items()),
           "sha256 must map its file names to checksums")
    stopping = state.get("early_stopping")
    expect(isinstance(stopping, list) and all(isinstance(entry, dict) and all(key in entry for key in _EARLY_STOPPING_KEYS)
                                              and entry.get("best_weights", None) in (None, *checksums)
                                              for entry in stopping),
           "early_stopping entries must hold " + ", ".join(_EARLY_STOPPING_KEYS))


def _read_weights(path):
    with np.load(path, allow_pickle=False) as arrays:
        return [arrays[f"arr_{index}"] for index in range(len(arrays.files))]


def _fsync(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
