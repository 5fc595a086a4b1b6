import base64
import json
import re

import optuna
from optuna.trial import TrialState

from neurona.tune import load_space
from neurona.tune.objective import Objective

from .conftest import SMALL_SET, write_space


def _study(folder, name):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{folder / 'study.db'}")


def test_a_sweep_on_sqlite_resumes_and_shows_its_report(space_file, run_cli, tmp_path):
    runs = tmp_path / "runs"
    first = run_cli("tune", space_file, "--trials", "3", "--study", "small", "--runs-dir", runs, "--no-plots")
    assert first.code == 0, first.err
    folder = runs / "tune-small"
    assert (folder / "study.db").is_file() and not (folder / "journal.log").exists()
    study = _study(folder, "small")
    before = [(trial.number, trial.params) for trial in study.trials]
    assert [number for number, _ in before] == [0, 1, 2]
    assert all(trial.state in (TrialState.COMPLETE, TrialState.PRUNED) for trial in study.trials)
    # Every trial reported each epoch it ran, from validation.
    for trial in study.trials:
        assert sorted(trial.intermediate_values) == list(range(trial.user_attrs["epochs_run"]))
        history = (folder / "trials" / f"trial-{trial.number:04d}" / "history.csv").read_text().splitlines()
        assert "val_accuracy" in history[0] and len(history) == 1 + trial.user_attrs["epochs_run"]
    assert re.search(r"^0\s+(COMPLETE|PRUNED)\s", first.out, re.MULTILINE)

    again = run_cli("tune", space_file, "--trials", "5", "--study", "small", "--runs-dir", runs, "--no-plots")
    assert again.code == 0, again.err
    assert "Study small: 3 trials so far" in again.out
    study = _study(folder, "small")
    assert [trial.number for trial in study.trials] == [0, 1, 2, 3, 4]
    assert [(trial.number, trial.params) for trial in study.trials[:3]] == before

    best = study.best_trial
    run_dir = folder / "trials" / f"trial-{best.number:04d}"
    assert best.user_attrs["run_dir"] == str(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epochs_run"] == best.user_attrs["epochs_run"]
    assert {"config.json", "model.neurona", "history.csv", "metrics.json", "report.html"} <= {
        path.name for path in run_dir.iterdir()}
    config = json.loads((run_dir / "config.json").read_text())
    assert config["optimizer_params"]["learning_rate"] == best.params["optimizer_params.learning_rate"]

    page = (folder / "report.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 3 and all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)
    for title in ("Optimisation history", "Parameter importances", "Parallel coordinates"):
        assert f"<h2>{title}</h2>" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert page.count("<tr><td>") == 5

    (folder / "report.html").unlink()
    shown = run_cli("tune", "--show", "small", "--runs-dir", runs)
    assert shown.code == 0, shown.err
    assert f"Best: trial {best.number}, val_accuracy {best.value:.4f}" in shown.out
    assert f"Best trial's run folder: {run_dir}" in shown.out
    assert len(re.findall(r"^\d+\s+(COMPLETE|PRUNED)\s", shown.out, re.MULTILINE)) == 5
    assert (folder / "report.html").is_file()


def test_resuming_with_another_space_is_refused(space_file, run_cli, tmp_path):
    runs = tmp_path / "runs"
    assert run_cli("tune", space_file, "--trials", "1", "--runs-dir", runs, "--no-plots").code == 0
    other = write_space(space_file, metric="val_loss")
    result = run_cli("tune", other, "--trials", "2", "--runs-dir", runs)
    assert result.code == 1 and "was started with another space" in result.err
    assert run_cli("tune", "--show", "nothing", "--runs-dir", runs).err.startswith("error: No study 'nothing'")


def test_the_pruner_stops_a_trial_after_the_epoch_it_reports(tmp_path, data_dir):
    space = load_space(write_space(tmp_path / "space.json", set={**SMALL_SET, "epochs": 4}))
    # No accuracy reaches 2: this pruner stops every trial at its first report.
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.ThresholdPruner(lower=2.0))
    study.optimize(Objective(space, tmp_path / "study", plots=False), n_trials=1)
    (trial,) = study.trials
    assert trial.state == TrialState.PRUNED
    assert list(trial.intermediate_values) == [0] and trial.user_attrs["epochs_run"] == 1
    metrics = json.loads((tmp_path / "study" / "trials" / "trial-0000" / "metrics.json").read_text())
    assert (metrics["epochs_run"], metrics["epochs_planned"]) == (1, 4)
