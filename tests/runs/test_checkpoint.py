"""Epoch checkpoints and `neurona train --resume`: a run killed with SIGKILL in the middle of an
epoch, resumed, ends with the weights and history of a run never stopped, bit for bit; a
checkpoint that is incomplete or altered is refused with one message and never loaded."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from neurona.models import load_model
from neurona.runs import checkpoint, config as run_config, folder, session

from .synthetic import make_striped, save_npz


def _config(dataset, **overrides):
    return run_config.resolve(overrides={
        "dataset": str(dataset), "hidden_layers": [32, 16], "dropout": 0.2, "epochs": 5, "batch_size": 8,
        "validation_split": 0.2, "name": "striped", "seed": 4, **overrides})


@pytest.fixture
def big_striped(tmp_path):
    """Enough 8x8 images (12,000) that an epoch at batch 8 takes a good part of a second."""
    return save_npz(tmp_path / "big.npz", make_striped(n_train=12000, n_test=400), ["top", "upper", "lower", "bottom"])


def _weights(run_dir):
    return load_model(folder.find_model_file(run_dir)).get_weights()


def _assert_same_run(first, second):
    for a, b in zip(_weights(first), _weights(second), strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert (first / "history.csv").read_text() == (second / "history.csv").read_text()


def _wait_for(predicate, process, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            pytest.fail(f"training ended (exit {process.returncode}) before the moment to kill it: "
                        f"{process.stderr.read().decode(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("no checkpoint appeared in time")
        time.sleep(0.01)
    return time.monotonic()


def test_a_run_killed_mid_epoch_resumes_to_the_same_weights(tmp_path, big_striped):
    config = _config(big_striped)
    config_file = tmp_path / "run.json"
    config_file.write_text(json.dumps(config))
    killed = tmp_path / "killed"
    checkpoints = folder.partial_dir(killed) / checkpoint.CHECKPOINTS
    command = [sys.executable, "-m", "neurona", "train", "--config", str(config_file), "--out", str(killed), "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        first = _wait_for(lambda: (checkpoints / "epoch-0001").is_dir(), process)
        second = _wait_for(lambda: (checkpoints / "epoch-0002").is_dir(), process)
        # Half an epoch later: in the middle of the third.
        time.sleep((second - first) / 2)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert not killed.exists()
    newest = checkpoint.latest(checkpoints)
    assert newest is not None and newest.name in ("epoch-0002", "epoch-0003")

    resumed = session.resume_run(killed, verbose=0, echo=lambda line: None, plots=False)
    assert resumed.run_dir == killed and not folder.partial_dir(killed).exists()
    assert not (killed / checkpoint.CHECKPOINTS).exists()
    straight = session.train_run(config, out=tmp_path / "straight", verbose=0, echo=lambda line: None, plots=False)
    _assert_same_run(killed, straight.run_dir)
    assert resumed.metrics["epochs_run"] == 5


def test_resume_through_the_cli_continues_from_the_last_checkpoint(tmp_path, striped_npz, run_cli):
    config = _config(striped_npz, epochs=4)
    run_dir = tmp_path / "run"
    partial = folder.start(run_dir)
    folder.write_json(partial / "config.json", config)

    class Stop(Exception):
        pass

    from neurona.callbacks import Callback

    class KillAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise Stop  # as a kill: nothing after the second checkpoint runs

    with pytest.raises(Stop):
        session._train_and_write(config, run_dir, partial, session.load_run_data(config, None),
                                 _built(config), None, 0, lambda line: None, False, [KillAfterTwo()])
    assert checkpoint.latest(partial / checkpoint.CHECKPOINTS).name == "epoch-0002"
    result = run_cli("train", "--resume", str(run_dir), "-q")
    assert result.code == 0, result.err
    assert "Resuming striped from" in result.out and "2 of 4 epochs done" in result.out
    straight = session.train_run(config, out=tmp_path / "straight", verbose=0, echo=lambda line: None, plots=False)
    _assert_same_run(run_dir, straight.run_dir)


def _built(config):
    from neurona.runs.building import build_model
    from neurona.runs.data import load_run_data
    from neurona.utils import set_random_seed

    data = load_run_data(config, None)
    set_random_seed(config["seed"])
    return build_model(config, data.image_shape, len(data.class_names))


@pytest.fixture
def stopped_run(tmp_path, striped_npz):
    """A run stopped after its second epoch: (run folder, its newest checkpoint)."""
    config = _config(striped_npz, epochs=4)
    run_dir = tmp_path / "run"
    partial = folder.start(run_dir)
    folder.write_json(partial / "config.json", config)
    model = _built(config)
    model.fit(np.zeros((8, *model.input_shape), "float32"), np.zeros(8, int), epochs=2, verbose=0)
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.75]}
    newest = checkpoint.write(partial / checkpoint.CHECKPOINTS, model, 2, history, 1.5)
    return run_dir, newest


def test_a_corrupt_checkpoint_is_refused_with_one_message(stopped_run, run_cli):
    run_dir, newest = stopped_run
    model_file = newest / checkpoint.MODEL_FILE
    model_file.write_bytes(model_file.read_bytes()[:-100])
    with pytest.raises(checkpoint.CheckpointError, match=r"model\.neurona is corrupt: its sha256 is"):
        session.resume_run(run_dir, verbose=0, echo=lambda line: None, plots=False)
    result = run_cli("train", "--resume", str(run_dir), "-q")
    assert result.code == 1
    (line,) = [line for line in result.err_lines if not line.endswith("verified sha256")]
    assert "is corrupt" in line and str(model_file) in line and "Traceback" not in result.err
    assert folder.partial_dir(run_dir).is_dir()  # nothing was removed


@pytest.mark.parametrize("damage, message", [
    (lambda path: (path / checkpoint.STATE_FILE).unlink(), "incomplete: it has no state.json"),
    (lambda path: (path / checkpoint.MODEL_FILE).unlink(), "incomplete: model.neurona is missing"),
    (lambda path: (path / checkpoint.STATE_FILE).write_text("{\"format\": "), "is not valid JSON"),
    (lambda path: (path / checkpoint.STATE_FILE).write_text(json.dumps({"format": "other"})), "expected format"),
    (lambda path: _edit_state(path, epochs_done=3), "history must hold 3 values per key"),
    (lambda path: _edit_state(path, sha256={"model.neurona": "0" * 64, "../x": "1"}), "sha256 must map"),
])
def test_a_damaged_checkpoint_is_never_loaded(stopped_run, damage, message):
    run_dir, newest = stopped_run
    damage(newest)
    with pytest.raises(checkpoint.CheckpointError, match=message):
        checkpoint.load(newest)


def _edit_state(path, **changes):
    state = json.loads((path / checkpoint.STATE_FILE).read_text())
    state.update(changes)
    (path / checkpoint.STATE_FILE).write_text(json.dumps(state))


def test_an_unfinished_write_is_not_a_checkpoint(stopped_run):
    run_dir, newest = stopped_run
    unfinished = newest.with_name("epoch-0003.tmp")
    unfinished.mkdir()
    (unfinished / checkpoint.MODEL_FILE).write_bytes(b"half")
    assert checkpoint.latest(newest.parent) == newest
    loaded = checkpoint.load(newest)
    assert loaded.epochs_done == 2 and loaded.history["loss"] == [1.0, 0.5] and loaded.train_seconds == 1.5
    assert loaded.model.get_training_state()["epochs_seen"] == 2


def test_a_new_checkpoint_replaces_the_one_before(stopped_run):
    run_dir, newest = stopped_run
    model = checkpoint.load(newest).model
    history = {"loss": [1.0, 0.5, 0.4], "accuracy": [0.5, 0.75, 0.8]}
    third = checkpoint.write(newest.parent, model, 3, history, 2.0)
    assert sorted(path.name for path in newest.parent.iterdir()) == ["epoch-0003"]
    assert checkpoint.load(third).epochs_done == 3


def test_early_stopping_counters_travel_in_the_checkpoint(stopped_run):
    from neurona.callbacks import EarlyStopping

    run_dir, newest = stopped_run
    model = checkpoint.load(newest).model
    stopping = EarlyStopping(patience=3, restore_best_weights=True)
    stopping.wait, stopping.best, stopping.best_epoch, stopping.best_weights = 1, 0.25, 1, model.get_weights()
    written = checkpoint.write(newest.parent, model, 3, {"loss": [1.0, 0.5, 0.4]}, 2.0, [stopping])
    loaded = checkpoint.load(written)
    fresh = EarlyStopping(patience=3, restore_best_weights=True)
    checkpoint.restore_early_stopping(fresh, loaded)
    assert (fresh.wait, fresh.best, fresh.best_epoch) == (1, 0.25, 1)
    for a, b in zip(fresh.best_weights, model.get_weights(), strict=True):
        assert np.array_equal(a, b)


def test_resume_names_what_is_wrong_with_the_path(tmp_path, striped_npz):
    with pytest.raises(FileNotFoundError, match="No unfinished run at"):
        session.resume_run(tmp_path / "nothing", verbose=0, echo=lambda line: None)
    done = session.train_run(_config(striped_npz, epochs=1), out=tmp_path / "done", verbose=0,
                             echo=lambda line: None, plots=False)
    with pytest.raises(FileNotFoundError, match="is finished: there is nothing to resume"):
        session.resume_run(done.run_dir, verbose=0, echo=lambda line: None)


def test_a_new_run_never_replaces_an_unfinished_one_silently(stopped_run, striped_npz):
    run_dir, newest = stopped_run
    config = _config(striped_npz, epochs=1)
    with pytest.raises(FileExistsError, match="holds an unfinished run: continue it with"):
        session.train_run(config, out=run_dir, verbose=0, echo=lambda line: None, plots=False)
    assert newest.is_dir()
    session.train_run(config, out=run_dir, overwrite=True, verbose=0, echo=lambda line: None, plots=False)
    assert not folder.partial_dir(run_dir).exists() and (run_dir / "model.neurona").is_file()


def test_resume_refuses_other_options(run_cli, stopped_run):
    run_dir, _ = stopped_run
    result = run_cli("train", "--resume", str(run_dir), "--epochs", "9")
    assert result.code == 2 and "--resume continues a run with its own config; drop --epochs" in result.err
