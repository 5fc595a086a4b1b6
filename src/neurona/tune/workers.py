"""Workers: a loop that runs trials until the study has its trials, and K of them side by side.

Any number of workers may share a study (on one machine, or on many through a database). Each
one, before every trial, fails trials whose worker died (a database's heartbeats; on a journal,
trials of this host whose process is gone) so their retries run, then counts the study's
trials: it stops once `trials` have finished (complete, pruned, or failed past their retries),
and waits while the ones left to reach that are running elsewhere, in case one of them dies.
"""

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import optuna
from optuna.storages._heartbeat import is_heartbeat_enabled
from optuna.trial import TrialState

from neurona.tune.objective import Objective, worker_id
from neurona.tune.storage import MAX_RETRY, RetryStaleTrial

WORKERS_DIR = "workers"
POLL_SECONDS = 0.5


def retried_number(trial):
    """The number of the trial `trial` retries (its worker died), or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return RetryStaleTrial.retried_trial_number(trial)


def finished_count(trials):
    """Trials that count toward --trials: complete, pruned, or failed with no retry queued."""
    retried = {retried_number(trial) for trial in trials}
    return sum(trial.state in (TrialState.COMPLETE, TrialState.PRUNED)
               or (trial.state == TrialState.FAIL and trial.number not in retried) for trial in trials)


def run_worker(study, space, study_dir, trials=None, timeout=None, echo=None, plots=True):
    """Run trials of `study` until it has `trials` finished ones or `timeout` seconds have passed."""
    objective = Objective(space, Path(study_dir), plots)
    callbacks = [_echo_trial(echo, space.metric)] if echo else []
    start = time.monotonic()
    with _quiet_optuna():
        while timeout is None or time.monotonic() - start < timeout:
            fail_dead_trials(study)
            if trials is not None:
                every = study.get_trials(deepcopy=False)
                done = finished_count(every)
                if done >= trials:
                    break
                pending = sum(trial.state in (TrialState.RUNNING, TrialState.WAITING) for trial in every)
                if done + pending >= trials and not any(trial.state == TrialState.WAITING for trial in every):
                    time.sleep(POLL_SECONDS)  # the last trials run elsewhere; one may still need a retry
                    continue
            study.optimize(objective, n_trials=1, callbacks=callbacks, catch=(ValueError, ArithmeticError))
    return study


def fail_dead_trials(study):
    """Mark FAIL (and queue a retry of) running trials whose worker is gone."""
    if is_heartbeat_enabled(study._storage):
        optuna.storages.fail_stale_trials(study)
        return
    me = worker_id()
    retry = RetryStaleTrial(max_retry=MAX_RETRY)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = trial.user_attrs.get("worker") or {}
        if worker.get("host") == me["host"] and worker.get("pid") != me["pid"] and not _alive(worker.get("pid")):
            if study._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
                retry(study, study._storage.get_trial(trial._trial_id))


def _alive(pid):
    if not isinstance(pid, int):
        return True  # not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: dead all the same
        with open(f"/proc/{pid}/stat", encoding="ascii") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def start_workers(space_path, name, storage, runs_dir, workers, trials=None, timeout=None, heartbeat=None,
                  plots=True, echo=print):
    """Run `workers` processes of `neurona tune --worker` on one study and wait for them.

    Each writes its lines to `runs/tune-NAME/workers/worker-K.log`. Returns their exit codes.
    """
    folder = Path(runs_dir) / f"tune-{name}" / WORKERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "neurona", "tune", str(space_path), "--study", name, "--storage", storage,
               "--runs-dir", str(runs_dir), "--worker"]
    if trials is not None:
        command += ["--trials", str(trials)]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    if heartbeat is not None:
        command += ["--heartbeat", str(heartbeat)]
    if not plots:
        command.append("--no-plots")
    processes = []
    for index in range(1, workers + 1):
        log = open(folder / f"worker-{index}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
        processes.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), log))
    echo(f"Started {workers} workers (pids {', '.join(str(process.pid) for process, _ in processes)}); "
         f"their logs are in {folder}.")
    codes = []
    try:
        for process, log in processes:
            codes.append(process.wait())
            log.close()
    except KeyboardInterrupt:
        for process, log in processes:
            process.terminate()
            process.wait()
            log.close()
        raise
    return codes


def _echo_trial(echo, metric):
    def report(study, trial):
        value = "" if trial.value is None else f" {metric} {trial.value:.4f}"
        params = ", ".join(f"{key}={_short(value)}" for key, value in trial.params.items())
        seconds = trial.duration.total_seconds() if trial.duration else 0.0
        echo(f"trial {trial.number}: {trial.state.name}{value} ({params}) in {seconds:.1f} s")
    return report


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class _quiet_optuna:
    """Optuna logs every trial at INFO; the worker prints its own one-line summary instead. The
    heartbeat helpers it calls are marked experimental, which is no news to a user."""

    def __enter__(self):
        self.level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.warnings = warnings.catch_warnings()
        self.warnings.__enter__()
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)

    def __exit__(self, *exc):
        self.warnings.__exit__(*exc)
        optuna.logging.set_verbosity(self.level)
