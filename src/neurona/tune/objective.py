"""A trial is a normal run: its config from the space, its folder under the study's `trials/`.

The run reports its validation metric to Optuna after every epoch; when the pruner says the
trial is worse than the median of the others at that epoch, training stops there (the run
folder is still written) and the trial ends PRUNED. A finished trial's value is its metric
after the last epoch, the weights its run folder holds.
"""

import os
import socket

import optuna

from neurona.callbacks import Callback

TRIALS_DIR = "trials"


def trial_name(number):
    return f"trial-{number:04d}"


def worker_id():
    """{host, pid} of this process, stored on each trial it runs."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


class ReportEachEpoch(Callback):
    """Report `metric` to an Optuna trial after each epoch; stop training when it should be pruned."""

    def __init__(self, trial, metric):
        super().__init__()
        self.trial = trial
        self.metric = metric
        self.pruned_at = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.metric not in logs:
            raise ValueError(f"The space's metric {self.metric!r} is not in the run's history after epoch "
                             f"{epoch + 1}. Metrics there: {', '.join(sorted(logs)) or '(none)'}.")
        self.trial.report(float(logs[self.metric]), epoch)
        if self.trial.should_prune():
            self.pruned_at = epoch + 1
            self.model.stop_training = True


class Objective:
    """Optuna's objective: train the trial's run and return its validation metric."""

    def __init__(self, space, study_dir, plots=True):
        self.space = space
        self.study_dir = study_dir
        self.plots = plots
        self._datasets = {}

    def __call__(self, trial):
        from neurona.runs import session

        values = {param.key: param.suggest(trial) for param in self.space.params}
        name = trial_name(trial.number)
        config = self.space.config(values, name)
        trial.set_user_attr("worker", worker_id())
        reporter = ReportEachEpoch(trial, self.space.metric)
        out = self.study_dir / TRIALS_DIR / name
        # overwrite: a folder left by an earlier process under this name is a stale partial.
        result = session.train_run(config, out=out, overwrite=True, verbose=0, echo=_quiet,
                                   dataset=self._dataset(config["dataset"]), plots=self.plots, callbacks=[reporter])
        trial.set_user_attr("run_dir", str(result.run_dir))
        trial.set_user_attr("epochs_run", len(result.history.get(self.space.metric, [])))
        if result.interrupted:
            raise KeyboardInterrupt
        if reporter.pruned_at is not None:
            raise optuna.TrialPruned(f"pruned after epoch {reporter.pruned_at}")
        return float(result.history[self.space.metric][-1])

    def _dataset(self, name):
        """Each worker loads a dataset once, however many trials use it."""
        if name not in self._datasets:
            from neurona import datasets

            self._datasets[name] = datasets.load(name)
        return self._datasets[name]


def _quiet(*args, **kwargs):
    pass
