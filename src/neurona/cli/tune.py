"""`neurona tune SPACE.json`: a hyperparameter sweep on Optuna, each trial a run folder.

    neurona tune space.json --trials 20                   runs/tune-space/, SQLite
    neurona tune space.json --trials 20 --workers 4       four local processes, a journal file
    neurona tune space.json --study big --storage postgresql+psycopg://me@db/optuna
                                                          the same on every machine: one study
    neurona tune --show space                             the table and report again
"""

import importlib.util
import re

import click

HEARTBEAT_SECONDS = 10  # neurona.tune.storage's default, without importing Optuna for --help
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _study_name(ctx, param, value):
    if value is not None and not _NAME.fullmatch(value):
        raise click.BadParameter(f"expected a study name of letters, digits, '.', '_' and '-'. Received: {value!r}")
    return value


@click.command("tune")
@click.argument("space_file", required=False, type=click.Path(dir_okay=False), metavar="SPACE.json")
@click.option("--trials", type=click.IntRange(min=1),
              help="Stop once the study has N finished trials, all workers together (default 20 without --timeout).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Start no trial after SECONDS.")
@click.option("--storage", metavar="URL",
              help="Optuna storage: sqlite:///FILE, postgresql+psycopg://USER@HOST/DB or journal:PATH "
                   "(default: a SQLite file, or a journal file for --workers > 1, in runs/tune-NAME/).")
@click.option("--study", "study_name", metavar="NAME", callback=_study_name,
              help="Study name (default: the space file's name); an existing study resumes.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on this machine.")
@click.option("--heartbeat", type=click.IntRange(min=1), default=HEARTBEAT_SECONDS,
              show_default=True, metavar="SECONDS",
              help="A database storage's heartbeat: a trial silent for 3 beats is marked FAIL and retried.")
@click.option("--plots/--no-plots", default=True, show_default=True,
              help="Trials write their PNG plots (--no-plots: quicker trials, the rest of each run folder as usual).")
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path(file_okay=False),
              help="Where study folders go.")
@click.option("--show", "show_name", metavar="NAME", callback=_study_name,
              help="Print study NAME's trials, rewrite its report, and exit.")
@click.option("--worker", "as_worker", is_flag=True, hidden=True, help="Run trials only (what --workers starts).")
def tune(space_file, trials, timeout, storage, study_name, workers, heartbeat, plots, runs_dir, show_name, as_worker):
    """Search the config keys SPACE.json names; each trial is a normal run.

    SPACE.json: {"recipe": "mnist-mlp", "set": {fixed keys}, "search": {key: {"low", "high",
    "log"} or {"choices": [...]}}, "metric": "val_accuracy", "direction": "maximize"}. Nested
    keys such as optimizer_params.learning_rate work. The metric is a validation one, reported
    each epoch so that Optuna's median pruner stops bad trials early.

    Writes runs/tune-NAME/: the storage, trials/trial-NNNN run folders, and report.html.
    """
    from pathlib import Path

    if importlib.util.find_spec("optuna") is None:
        raise click.ClickException("tune needs Optuna: pip install 'neurona[tune]'")
    from neurona.tune import space as tune_space, storage as tune_storage, workers as tune_workers

    if show_name:
        if space_file:
            raise click.UsageError("give SPACE.json or --show NAME, not both.")
        study, folder, _ = tune_storage.load_existing(show_name, storage, runs_dir)
        _summarise(study, folder)
        return
    if not space_file:
        raise click.UsageError("give SPACE.json (or --show NAME).")
    space = tune_space.load_space(space_file)
    name = study_name or Path(space_file).stem
    if not _NAME.fullmatch(name):
        raise click.UsageError(f"the space file's name {name!r} is no study name: give --study NAME.")
    if trials is None and timeout is None:
        trials = 20
    study, folder, url = tune_storage.open_study(space, name, storage, runs_dir, workers, heartbeat)
    if as_worker:
        tune_workers.run_worker(study, space, folder, trials, timeout, echo=click.echo, plots=plots)
        return
    where = tune_storage.shown_url(url)
    click.echo(f"Study {name}: {len(study.trials)} trials so far, in {where}; {space.metric} to {space.direction}.")
    if workers == 1:
        tune_workers.run_worker(study, space, folder, trials, timeout, echo=click.echo, plots=plots)
    else:
        codes = tune_workers.start_workers(space_file, name, url, runs_dir, workers, trials, timeout, heartbeat,
                                           plots, echo=click.echo)
        failed = [index for index, code in enumerate(codes, start=1) if code != 0]
        if failed:
            logs = ", ".join(str(folder / tune_workers.WORKERS_DIR / f"worker-{index}.log") for index in failed)
            raise click.ClickException(f"{len(failed)} of {workers} workers failed; see {logs}")
    _summarise(study, folder)


def _summarise(study, folder):
    from neurona.tune import report

    click.echo("")
    click.echo(report.format_table(study))
    click.echo(f"Report: {report.build_report(study, folder)}")
