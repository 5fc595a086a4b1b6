"""A training session: data, model, training, evaluation, then the run folder.

    result = train_run(config.resolve("seed002"))
    result.run_dir          # runs/20250101-120000-seed002
    result.metrics          # what metrics.json holds
"""

import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from neurona.callbacks import Callback, EarlyStopping
from neurona.reports import run_files
from neurona.reports.history_csv import write_history_csv
from neurona.runs import artifacts, checkpoint, folder
from neurona.runs.building import build_model, num_outputs
from neurona.runs.config import MODEL_FORMATS
from neurona.runs.data import load_run_data, model_inputs, model_targets
from neurona.runs.evaluation import evaluate_model
from neurona.runs.interrupt import StopOnInterrupt
from neurona.runs.layer_entries import describe_layer
from neurona.runs.scratch_training import compile_like_scratch, train_scratch
from neurona.scratch import to_model
from neurona.utils import set_random_seed


@dataclass
class RunResult:
    """What `train_run` produced: the folder, the metrics written, the trained model."""

    run_dir: Path
    config: dict
    metrics: dict
    model: object
    history: dict

    @property
    def interrupted(self):
        return bool(self.metrics.get("interrupted"))

    @property
    def report_path(self):
        return self.run_dir / run_files.REPORT


def train_run(config, out=None, runs_dir=folder.RUNS_DIR, overwrite=False, verbose=1, echo=print,
              dataset=None, plots=True, callbacks=()):
    """Train the model `config` describes and write its run folder.

    Args:
        config: a checked config (`config.resolve` or `config.validate`).
        out: the run folder to write; by default `runs_dir/<timestamp>-<name>`.
        overwrite: replace `out` if it exists (otherwise FileExistsError, before training),
            and an unfinished `out.partial` left by a stopped run.
        verbose: 0 quiet, 1 a progress bar per epoch (one line per epoch when not on a terminal).
        echo: prints the session's messages (start, the scratch trainer's costs).
        dataset: an already loaded `Dataset` to use instead of `config['dataset']`.
        plots: write the PNG plots (they need matplotlib).
        callbacks: more Keras callbacks for `fit` (trainer 'keras'), after the run's own.

    Returns:
        A `RunResult`. A first Ctrl-C stops training after the current batch: the run is
        evaluated and saved with what was reached, and `metrics['interrupted']` is True.
        Until the run is done its folder is `<run>.partial/`, with a checkpoint after every
        epoch (see `checkpoint`): a run killed on the way continues with `resume_run`.
    """
    run_dir = Path(out) if out else folder.new_run_dir(config["name"], runs_dir)
    folder.check_writable(run_dir, overwrite)
    data = load_run_data(config, dataset)
    model = None
    if config["trainer"] != "scratch":
        # Built before anything is trained, so a layer that does not fit stops the run at once.
        set_random_seed(config["seed"])
        model = build_model(config, data.image_shape, len(data.class_names), len(data.train_labels))
        check_model_format(model, config["model_format"])
    partial = folder.start(run_dir, overwrite)
    folder.write_json(partial / run_files.CONFIG, config)
    echo(_describe_start(config, data, model))
    return _train_and_write(config, run_dir, partial, data, model, None, verbose, echo, plots, callbacks)


def resume_run(path, verbose=1, echo=print, dataset=None, plots=True, callbacks=()):
    """Continue the unfinished run at `path` (the run folder or its `.partial` folder) from its
    last checkpoint, and write its run folder as `train_run` would have.

    The config is the one the run started with (its config.json); the weights, optimizer
    state and random state come from the newest checkpoint, so the run ends with the weights a
    run never stopped ends with. A run stopped before its first checkpoint starts again.

    Raises:
        FileNotFoundError: no unfinished run at `path` (or the run is already finished).
        checkpoint.CheckpointError: the newest checkpoint is incomplete or corrupt (it is not loaded).
    """
    from neurona.runs import config as run_config

    run_dir, partial = folder.unfinished(path)
    config = run_config.validate(run_config.load_config_file(partial / run_files.CONFIG),
                                 str(partial / run_files.CONFIG))
    if config["trainer"] == "scratch":
        raise ValueError(f"{partial} is a scratch-trainer run, which keeps no checkpoints: train it again.")
    data = load_run_data(config, dataset)
    newest = checkpoint.latest(partial / checkpoint.CHECKPOINTS)
    resumed = checkpoint.load(newest) if newest is not None else None
    if resumed is None:
        set_random_seed(config["seed"])
        model = build_model(config, data.image_shape, len(data.class_names), len(data.train_labels))
        echo(f"No checkpoint in {partial} yet: training {config['name']} from the start.")
    else:
        model = resumed.model
        echo(f"Resuming {config['name']} from {resumed.path}: {resumed.epochs_done} of {config['epochs']} "
             "epochs done.")
    return _train_and_write(config, run_dir, partial, data, model, resumed, verbose, echo, plots, callbacks)


def _train_and_write(config, run_dir, partial, data, model, resumed, verbose, echo, plots, callbacks):
    with StopOnInterrupt() as interrupt:
        if config["trainer"] == "scratch":
            model, history, seconds, stopped_early = _train_scratch(config, data, interrupt, verbose, echo)
        else:
            history, seconds, stopped_early = _train_keras(config, model, data, interrupt, verbose, callbacks,
                                                           partial, resumed, echo)
        interrupted = interrupt.requested

    what = f"the {data.dataset.name} test images"
    evaluation = evaluate_model(model, data.test_images, data.test_labels, data.class_names, what)
    flags = {"epochs_planned": config["epochs"], "interrupted": interrupted, "stopped_early": stopped_early}
    metrics = artifacts.run_metrics(evaluation, history, data, {"train_seconds": seconds}, flags)
    model_file = MODEL_FORMATS[config["model_format"]]
    metrics["model"] = artifacts.describe_model(model, model_file)

    folder.write_json(partial / run_files.CONFIG, config)
    model.save(partial / model_file)
    write_history_csv(history, partial / run_files.HISTORY)
    folder.write_json(partial / run_files.METRICS, metrics)
    if plots:
        artifacts.write_plots(partial, history, data, evaluation, model, seed=config["seed"])
    shutil.rmtree(partial / checkpoint.CHECKPOINTS, ignore_errors=True)
    folder.finish(partial, run_dir, overwrite=True)
    # After the rename, so the page names the final folder; `neurona report` rebuilds it.
    from neurona.reports.html import build_report

    build_report(run_dir)
    return RunResult(run_dir, config, metrics, model, history)


def make_callbacks(config, interrupt):
    """The callbacks of a Keras-style run: Ctrl-C handling and, when configured, early stopping."""
    callbacks = [interrupt.callback()]
    if config["early_stopping"]:
        callbacks.append(EarlyStopping(**config["early_stopping"]))
    return callbacks


def check_model_format(model, model_format):
    """Raise ValueError before training when `model_format` (keras, h5) cannot hold `model`:
    its configuration is translated as saving it will, and nothing is written."""
    if model_format == "neurona":
        return
    from neurona.saving import keras_config

    try:
        keras_config.model_to_keras(model, "keras3" if model_format == "keras" else "legacy",
                                    MODEL_FORMATS[model_format])
    except ValueError as error:
        raise ValueError(f"model_format {model_format!r} cannot hold this model: {error} "
                         "Use model_format 'neurona'.") from None


def _train_keras(config, model, data, interrupt, verbose, extra_callbacks=(), partial=None, resumed=None,
                 echo=print):
    outputs = num_outputs(config, len(data.class_names))
    x = model_inputs(data.train_images, model.input_shape, model.dtype)
    y = model_targets(data.train_labels, config["loss"], outputs)
    validation = None
    if data.val_images is not None:
        validation = (model_inputs(data.val_images, model.input_shape, model.dtype),
                      model_targets(data.val_labels, config["loss"], outputs))
    callbacks = make_callbacks(config, interrupt)
    start = time.perf_counter()

    def clock():
        return time.perf_counter() - start

    initial_epoch = resumed.epochs_done if resumed else 0
    seconds_before = resumed.train_seconds if resumed else 0.0
    callbacks.append(LearningRateLog())
    saver = None
    if partial is not None:
        saver = checkpoint.RunCheckpoints(partial, clock, early_stopping=callbacks, resumed=resumed)
        callbacks.append(saver)
    if verbose:
        callbacks.append(RunProgress(config["epochs"], initial_epoch, echo))
    callbacks += list(extra_callbacks)
    if initial_epoch < config["epochs"]:
        history = model.fit(x, y, batch_size=config["batch_size"] or len(x), epochs=config["epochs"],
                            verbose=verbose, callbacks=callbacks, validation_data=validation,
                            initial_epoch=initial_epoch)
        history = history.history
    else:
        history = {}
    seconds = seconds_before + clock()
    stopped_early = any(isinstance(callback, EarlyStopping) and callback.stopped_epoch > 0 for callback in callbacks)
    if saver is not None:
        history = saver.history
    return {key: list(values) for key, values in history.items()}, seconds, stopped_early


class LearningRateLog(Callback):
    """Adds the optimizer's learning rate to each epoch's logs when a schedule sets it (the
    history plot draws it); a callback that changes it (ReduceLROnPlateau) logs it itself."""

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if logs is not None and "learning_rate" not in logs and optimizer.learning_rate_schedule is not None:
            logs["learning_rate"] = float(optimizer.learning_rate)


class RunProgress(Callback):
    """Between epochs, one line: epochs done of the run's, the time so far, and about how long
    the rest will take (from the mean epoch so far). Printed as the next epoch begins, after
    the progress bar's own line for the epoch before."""

    def __init__(self, epochs, initial_epoch, echo):
        super().__init__()
        self.epochs, self.initial_epoch, self.echo = epochs, initial_epoch, echo

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        done, left = epoch, self.epochs - epoch
        if done <= self.initial_epoch or left <= 0:
            return
        elapsed = time.perf_counter() - self.start
        eta = elapsed / (done - self.initial_epoch) * left
        self.echo(f"Run: {done}/{self.epochs} epochs, {_duration(elapsed)} so far, about {_duration(eta)} left.")


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def _train_scratch(config, data, interrupt, verbose, echo):
    if len(data.class_names) != 2:
        raise ValueError(
            f"The scratch trainer separates two classes (one sigmoid output); {data.dataset.name} has "
            f"{len(data.class_names)}. Use trainer 'keras'."
        )
    pixels = math.prod(data.image_shape)
    layer_dims = [pixels] + config["hidden_layers"] + [1]
    learning_rate = config["optimizer_params"].get("learning_rate", 0.01)
    x = model_inputs(data.train_images, (pixels,), config["dtype"])
    start = time.perf_counter()
    parameters, history = train_scratch(
        x, data.train_labels, layer_dims, learning_rate, config["epochs"], seed=config["seed"],
        dtype=config["dtype"], should_stop=lambda: interrupt.requested, print_fn=echo if verbose else None)
    seconds = time.perf_counter() - start
    model = compile_like_scratch(to_model(parameters, name=config["name"]), learning_rate)
    return model, history, seconds, False


def _describe_start(config, data, model=None):
    if config["layers"] is not None:
        layers = " -> ".join(describe_layer(layer) for layer in model.layers)
        shape = "x".join(map(str, model.input_shape))
        what = f"{shape} -> {layers} ({model.count_params():,} parameters)"
    else:
        layers = "-".join(str(units) for units in [math.prod(data.image_shape)] + config["hidden_layers"])
        what = f"{layers}-{num_outputs(config, len(data.class_names))} {config['activation']} MLP"
    val = len(data.val_labels) if data.val_labels is not None else 0
    val_text = " (the test images)" if config["validate_on_test"] else ""
    batch = config["batch_size"] or "the whole set"
    unit = "iterations" if config["trainer"] == "scratch" else "epochs"
    return (
        f"Run {config['name']}: {what} on {data.dataset.name}, "
        f"{len(data.train_labels):,} training, {val:,} validation{val_text}, {len(data.test_labels):,} test images; "
        f"{config['optimizer']}, {config['epochs']} {unit} of {batch}, seed {config['seed']}."
    )


def describe_result(result):
    """The lines the CLI prints when a run is done."""
    metrics = result.metrics
    lines = []
    if result.interrupted:
        lines.append(f"Interrupted after {metrics['epochs_run']} of {metrics['epochs_planned']} epochs; "
                     "saved what was reached.")
    elif metrics.get("stopped_early"):
        lines.append(f"Stopped early after {metrics['epochs_run']} of {metrics['epochs_planned']} epochs.")
    lines.append(
        f"Test accuracy {metrics['test_accuracy']:.2%}, loss {metrics['test_loss']:.4f} on "
        f"{metrics['test_samples']:,} images; trained in {metrics['train_seconds']:.1f} s."
    )
    if metrics.get("best_epoch"):
        lines.append(f"Lowest validation loss at epoch {metrics['best_epoch']} of {metrics['epochs_run']}.")
    lines.append(f"Run folder: {result.run_dir}")
    lines.append(f"Report: {result.report_path}")
    return lines
