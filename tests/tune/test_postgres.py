"""Workers sharing one study on a real PostgreSQL server (the session's `postgres_url`)."""

import json
import os
import signal
import subprocess
import time

import optuna
from optuna.trial import TrialState

from neurona.tune.workers import retried_number

from .conftest import SMALL_SET, worker_command, write_space


def _wait(processes, seconds):
    for process in processes:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise


def test_two_workers_share_one_study(postgres_url, data_dir, tmp_path):
    space = write_space(tmp_path / "space.json")
    runs = tmp_path / "runs"
    command = [*worker_command(space, "shared", runs, "--storage", postgres_url, "--trials", 4)]
    command.remove("--no-plots")  # the best trial's run folder complete, plots and all
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(2)]
    _wait(workers, 300)
    outputs = [worker.stdout.read() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    numbers = [trial.number for trial in study.trials]
    assert sorted(numbers) == list(range(4))
    assert all(trial.state in (TrialState.COMPLETE, TrialState.PRUNED) for trial in study.trials)
    assert {trial.user_attrs["worker"]["pid"] for trial in study.trials} == {worker.pid for worker in workers}
    best = study.best_trial
    run_dir = runs / "tune-shared" / "trials" / f"trial-{best.number:04d}"
    assert best.user_attrs["run_dir"] == str(run_dir)
    names = {path.name for path in run_dir.iterdir()}
    assert {"config.json", "model.neurona", "history.csv", "metrics.json", "report.html", "history.png",
            "confusion_matrix.png"} <= names
    assert json.loads((run_dir / "metrics.json").read_text())["epochs_run"] == SMALL_SET["epochs"]


def test_a_worker_killed_mid_trial_leaves_the_study_consistent(postgres_url, data_dir, tmp_path):
    # Longer trials, so the kill lands inside one.
    space = write_space(tmp_path / "space.json", set={**SMALL_SET, "epochs": 6, "limit_train": 2000})
    runs = tmp_path / "runs"
    command = worker_command(space, "killed", runs, "--storage", postgres_url, "--trials", 4, "--heartbeat", 2)
    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    survivor = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    storage = optuna.storages.RDBStorage(postgres_url)
    deadline = time.monotonic() + 120
    killed_number = None
    while killed_number is None:
        assert time.monotonic() < deadline and victim.poll() is None, "the worker never started a trial"
        try:
            study = optuna.load_study(study_name="killed", storage=storage)
        except KeyError:  # not created yet
            time.sleep(0.1)
            continue
        for trial in study.get_trials(states=(TrialState.RUNNING,)):
            if trial.user_attrs.get("worker", {}).get("pid") == victim.pid:
                os.kill(victim.pid, signal.SIGKILL)
                killed_number = trial.number
        time.sleep(0.05)
    victim.wait()
    _wait([survivor], 300)
    assert survivor.returncode == 0, survivor.stdout.read()

    trials = {trial.number: trial for trial in optuna.load_study(study_name="killed", storage=storage).trials}
    assert trials[killed_number].state == TrialState.FAIL
    retries = [trial for trial in trials.values() if retried_number(trial) == killed_number]
    assert len(retries) == 1 and retries[0].params == trials[killed_number].params
    assert retries[0].state in (TrialState.COMPLETE, TrialState.PRUNED)
    assert not [trial for trial in trials.values() if trial.state in (TrialState.RUNNING, TrialState.WAITING)]
    finished = [trial for trial in trials.values() if trial.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(finished) == 4 and len(trials) == 5
