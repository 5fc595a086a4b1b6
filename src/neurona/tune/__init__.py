"""Hyperparameter sweeps on Optuna: `neurona tune SPACE.json`.

    space = load_space("space.json")          # recipe, fixed keys, searched keys, metric
    study = open_study(space, "sweep")         # runs/tune-sweep/, a SQLite file by default
    run_worker(study, space, trials=20)        # each trial a normal run folder

A trial is a normal run (`neurona.runs.session.train_run`) whose folder is
`runs/tune-NAME/trials/trial-NNNN`; it reports its validation metric after every epoch, so
Optuna's MedianPruner stops bad trials early. The test set never chooses: the metric is a
validation one. Storage is a SQLite file in the study folder, Optuna's journal file for local
workers, or any database URL (PostgreSQL) that workers on many machines share.
"""

from neurona.tune.space import Space, SpaceError, load_space
from neurona.tune.storage import open_study
from neurona.tune.workers import run_worker, start_workers

__all__ = ["Space", "SpaceError", "load_space", "open_study", "run_worker", "start_workers"]
