import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState


def test_two_local_workers_share_a_journal_file(space_file, run_cli, tmp_path):
    runs = tmp_path / "runs"
    result = run_cli("tune", space_file, "--trials", "4", "--workers", "2", "--study", "pair", "--runs-dir", runs,
                     "--no-plots")
    assert result.code == 0, result.err
    folder = runs / "tune-pair"
    assert (folder / "journal.log").is_file() and not (folder / "study.db").exists()
    assert "Started 2 workers" in result.out
    journal = JournalStorage(JournalFileBackend(str(folder / "journal.log")))
    study = optuna.load_study(study_name="pair", storage=journal)
    trials = study.trials
    assert sorted(trial.number for trial in trials) == [0, 1, 2, 3]
    assert all(trial.state in (TrialState.COMPLETE, TrialState.PRUNED) for trial in trials)
    assert len({trial.user_attrs["worker"]["pid"] for trial in trials}) == 2
    logs = [(folder / "workers" / f"worker-{index}.log").read_text() for index in (1, 2)]
    assert sum(log.count("trial ") for log in logs) == 4
    assert all((folder / "trials" / f"trial-{number:04d}" / "metrics.json").is_file() for number in range(4))
    # Resuming with one worker keeps the journal the study is in.
    again = run_cli("tune", space_file, "--trials", "5", "--study", "pair", "--runs-dir", runs, "--no-plots")
    assert again.code == 0, again.err
    assert len(optuna.load_study(study_name="pair", storage=JournalStorage(
        JournalFileBackend(str(folder / "journal.log")))).trials) == 5
    assert not (folder / "study.db").exists()


def test_a_local_worker_killed_mid_trial_is_failed_and_retried(data_dir, tmp_path):
    import os
    import signal
    import subprocess
    import time

    from neurona.tune.workers import retried_number

    from .conftest import SMALL_SET, worker_command, write_space

    space = write_space(tmp_path / "space.json", set={**SMALL_SET, "epochs": 6, "limit_train": 2000})
    journal = tmp_path / "journal.log"
    command = worker_command(space, "local", tmp_path / "runs", "--storage", f"journal:{journal}", "--trials", 3)
    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    survivor = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    killed_number = None
    while killed_number is None:
        assert time.monotonic() < deadline and victim.poll() is None, "the worker never started a trial"
        time.sleep(0.05)
        if not journal.exists():
            continue
        try:
            study = optuna.load_study(study_name="local", storage=JournalStorage(JournalFileBackend(str(journal))))
        except KeyError:
            continue
        for trial in study.get_trials(states=(TrialState.RUNNING,)):
            if trial.user_attrs.get("worker", {}).get("pid") == victim.pid:
                os.kill(victim.pid, signal.SIGKILL)
                killed_number = trial.number
    try:
        survivor.wait(timeout=300)
    finally:
        victim.wait()
        survivor.kill()
    assert survivor.returncode == 0, survivor.stdout.read()
    trials = optuna.load_study(study_name="local", storage=JournalStorage(JournalFileBackend(str(journal)))).trials
    by_number = {trial.number: trial for trial in trials}
    assert by_number[killed_number].state == TrialState.FAIL
    retries = [trial for trial in trials if retried_number(trial) == killed_number]
    assert len(retries) == 1 and retries[0].state in (TrialState.COMPLETE, TrialState.PRUNED)
    assert sum(trial.state in (TrialState.COMPLETE, TrialState.PRUNED) for trial in trials) == 3
    assert not [trial for trial in trials if trial.state in (TrialState.RUNNING, TrialState.WAITING)]
