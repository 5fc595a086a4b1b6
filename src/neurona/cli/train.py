"""`neurona train [RECIPE] [options]`: train a model and write its run folder.

    neurona train                          the default recipe (mnist-mlp) on MNIST
    neurona train seed002                  a tutorial's configuration
    neurona train mnist-cnn                Keras' Simple MNIST convnet: a `layers` list
    neurona train --layers 256,128 --dataset fashion_mnist --epochs 5
    neurona train --config runs/X/config.json      re-run a run: the same weights
    neurona train seed004 --show-config > my.json   a config file to edit
    neurona train mnist-best                        the best MNIST recipe (about 15 minutes)
    neurona train --resume runs/X                   continue a run that was stopped or killed
"""

import json

import click

from neurona.runs import config as run_config
from neurona.runs import recipes

_FLAG_KEYS = {
    "dataset": "dataset", "layers": "hidden_layers", "activation": "activation", "dropout": "dropout",
    "optimizer": "optimizer", "loss": "loss", "epochs": "epochs", "batch_size": "batch_size",
    "validation_split": "validation_split", "seed": "seed", "limit_train": "limit_train",
    "limit_test": "limit_test", "dtype": "dtype", "model_format": "model_format", "name": "name",
    "augment": "augment",
}


def _layers(ctx, param, value):
    if value is None:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"expected hidden layer sizes like 256,128. Received: {value!r}") from None


@click.command("train")
@click.argument("recipe", required=False, type=click.Choice(list(recipes.RECIPES)), metavar="[RECIPE]")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="A JSON config file (a run's config.json re-runs it).")
@click.option("--dataset", help="mnist, fashion_mnist, catvnoncat, or a file or folder.")
@click.option("--layers", callback=_layers,
              help="Hidden layer sizes of an MLP, e.g. 256,128 (the hidden_layers key; any other model is "
                   "the config's layers key).")
@click.option("--activation", help="Hidden layers' activation (relu, tanh, sigmoid, ...).")
@click.option("--dropout", type=float, help="Dropout rate after each hidden layer.")
@click.option("--augment", help="Augmentation preset in front of the model, in training only: digits or fashion "
                                "(needs input 'image').")
@click.option("--optimizer", help="sgd, adam, rmsprop, adagrad, adadelta, adamax, nadam.")
@click.option("--learning-rate", type=float, help="The optimizer's learning rate.")
@click.option("--momentum", type=float, help="Momentum (sgd, rmsprop).")
@click.option("--loss", help="sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy.")
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs (scratch trainer: iterations).")
@click.option("--batch-size", type=click.IntRange(min=1), help="Samples per gradient step.")
@click.option("--validation-split", type=click.FloatRange(0, 1, max_open=True),
              help="Fraction held out for validation.")
@click.option("--early-stopping", type=click.IntRange(min=0), metavar="PATIENCE",
              help="Stop when val_loss has not improved for PATIENCE epochs (best weights restored).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), help="Seed of the initial weights and the shuffling.")
@click.option("--limit-train", type=click.IntRange(min=1), help="Use only the first N training images.")
@click.option("--limit-test", type=click.IntRange(min=1), help="Use only the first N test images.")
@click.option("--dtype", type=click.Choice(run_config.DTYPES))
@click.option("--format", "model_format", type=click.Choice(list(run_config.MODEL_FORMATS)), help="Model file format.")
@click.option("--name", help="Run name (the run folder's suffix).")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Set any config key (JSON value); repeatable.")
@click.option("--out", type=click.Path(file_okay=False), help="Run folder to write (default runs/<time>-<name>).")
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path(file_okay=False),
              help="Where run folders go.")
@click.option("--overwrite", is_flag=True, help="Replace the --out folder if it exists.")
@click.option("--resume", "resume_path", type=click.Path(file_okay=False), metavar="RUN",
              help="Continue the unfinished run RUN (its folder, or RUN.partial) from its last checkpoint; "
                   "the run's own config applies, so no other option is given.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--show-config", is_flag=True, help="Print the resolved config as JSON and exit.")
@click.option("--list", "list_recipes", is_flag=True, help="List the recipes and exit.")
@click.option("--keys", "list_keys", is_flag=True, help="List the config keys, their defaults and meaning, and exit.")
def train(recipe, config_file, learning_rate, momentum, early_stopping, assignments, out, runs_dir,
          overwrite, resume_path, quiet, show_config, list_recipes, list_keys, **flags):
    """Train RECIPE, or the model the flags or --config describe.

    RECIPE is one of the tutorials' configurations, seed000 to seed004, mnist-mlp (the
    default: seed 000's MLP with a validation split) or mnist-cnn (Keras' Simple MNIST
    convnet); --list describes them. Flags change any part of it; --keys lists every config
    key.

    An MLP is the hidden_layers key (--layers 256,128). Any other Sequential is the layers
    key: a list of Keras' {"class_name": "Conv2D", "config": {"filters": 32, ...}} entries,
    the output layer included, in a --config file or --set 'layers=[...]'; with input
    'image' it takes (28, 28, 1) images. `neurona train mnist-cnn --show-config` prints one
    to start from.

    Writes runs/<time>-<name>/ with config.json, the model, history.csv, metrics.json, plots
    and report.html. Ctrl-C stops after the current batch and saves what was reached. Until
    it is done the folder is runs/<time>-<name>.partial/, with a checkpoint after each epoch:
    --resume continues a run that was killed, ending with the same weights as a run never
    stopped.
    """
    if list_recipes:
        for name, recipe_keys in recipes.RECIPES.items():
            click.echo(f"{name:<10} {recipe_keys['description']}")
        return
    if list_keys:
        for key, default in run_config.DEFAULTS.items():
            click.echo(f"{key:<18} {json.dumps(default):<36} {run_config.DESCRIPTIONS[key]}")
        return
    if resume_path is not None:
        given = [name for name, value in (("RECIPE", recipe), ("--config", config_file), ("--out", out),
                                          ("--show-config", show_config), ("--overwrite", overwrite))
                 if value] + [f"--{flag.replace('_', '-')}" for flag, value in flags.items() if value is not None]
        given += ["--set"] * bool(assignments) + ["--learning-rate"] * (learning_rate is not None)
        given += ["--momentum"] * (momentum is not None) + ["--early-stopping"] * (early_stopping is not None)
        if given:
            raise click.UsageError(f"--resume continues a run with its own config; drop {', '.join(given)}.")
        from neurona.runs import session

        _finish(session.resume_run(resume_path, verbose=0 if quiet else 1, echo=click.echo))
        return
    if recipe and config_file:
        raise click.UsageError("give a RECIPE or --config, not both (a config file names its recipe).")
    overrides = {_FLAG_KEYS[flag]: value for flag, value in flags.items() if value is not None}
    optimizer_params = {key: value for key, value in (("learning_rate", learning_rate), ("momentum", momentum))
                        if value is not None}
    if optimizer_params:
        overrides["optimizer_params"] = optimizer_params
    if early_stopping is not None:
        overrides["early_stopping"] = {"patience": early_stopping}
    overrides.update(run_config.parse_assignments(assignments))
    config = run_config.resolve(recipe, config_file, overrides)
    if show_config:
        click.echo(json.dumps(config, indent=2))
        return

    from neurona.runs import session

    _finish(session.train_run(config, out=out, runs_dir=runs_dir, overwrite=overwrite,
                              verbose=0 if quiet else 1, echo=click.echo))


def _finish(result):
    from neurona.runs import session

    for line in session.describe_result(result):
        click.echo(line)
    if result.interrupted:
        raise Interrupted(f"Interrupted: the run is saved in {result.run_dir}")


class Interrupted(click.ClickException):
    """Ends `train` with the shell's code for Ctrl-C (130) after the cut-short run was saved."""

    exit_code = 130

    def show(self, file=None):
        click.echo(self.format_message(), err=True)
