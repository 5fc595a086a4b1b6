"""A run's configuration: one flat JSON object, checked key by key.

A config is resolved in layers, each overriding the one before:

    DEFAULTS  <-  the recipe (`recipe` key, `neurona train RECIPE`, or 'mnist-mlp')
              <-  a JSON config file (`--config`)  <-  flags and `--set key=value`

The resolved config names every key, so `config.json` in a run folder re-runs the run exactly
(`neurona train --config runs/X/config.json`): same data, same seed, same weights.

The model is an MLP given by `hidden_layers` (with `activation`, `dropout` and `input`), or any
Sequential given by `layers`, a list of Keras' {"class_name": ..., "config": {...}} entries
(see `layer_entries`; the `mnist-cnn` recipe is one). `hidden_layers` is shorthand for such a
list: it expands, once the dataset's classes are known, into [Flatten] Dense [Dropout] ... and
the output Dense. One source (a recipe, a file, the flags) gives one of the two; a later source
giving one replaces the other, and a switch to `layers` resets `activation` and `dropout`, which
only the shorthand uses (as a new optimizer drops the old one's arguments).

Unknown keys and bad values raise `ConfigError` naming the key, the value received and what
was expected (with a "did you mean" for misspelt keys).
"""

import difflib
import inspect
import json
import math
from pathlib import Path

from neurona import activations, optimizers
from neurona.runs import layer_entries

TRAINERS = ("keras", "scratch")
INPUTS = ("flat", "image")
DTYPES = ("float32", "float64")
MODEL_FORMATS = {"neurona": "model.neurona", "keras": "model.keras", "h5": "model.h5"}
EARLY_STOPPING_DEFAULTS = {"monitor": "val_loss", "patience": 3, "min_delta": 0.0, "restore_best_weights": True}

# Every key and its default; DESCRIPTIONS says what each means (`neurona train --keys`).
DEFAULTS = {
    "name": None,
    "recipe": None,
    "description": "",
    "dataset": "mnist",
    "trainer": "keras",
    "input": "flat",
    "layers": None,
    "hidden_layers": [128],
    "activation": "relu",
    "dropout": 0.0,
    "optimizer": "adam",
    "optimizer_params": {},
    "loss": "sparse_categorical_crossentropy",
    "loss_params": {},
    "augment": None,
    "epochs": 10,
    "batch_size": 32,
    "validation_split": 0.0,
    "validation_seed": None,
    "validate_on_test": False,
    "early_stopping": None,
    "seed": 0,
    "dtype": "float32",
    "limit_train": None,
    "limit_test": None,
    "model_format": "neurona",
}

DESCRIPTIONS = {
    "name": "run name, the suffix of the run folder (default: the recipe's name)",
    "recipe": "the recipe this config starts from (seed000 ... seed004, mnist-mlp, mnist-cnn)",
    "description": "one line saying what the run is",
    "dataset": "a named dataset (mnist, fashion_mnist, catvnoncat) or a file or folder",
    "trainer": "'keras' (Sequential + fit) or 'scratch' (seed 001's functional API, binary only)",
    "input": "'flat': each image a vector of its pixels, (784,) for MNIST; 'image': images as they are, "
             "(28, 28) before hidden_layers' Flatten layer, (28, 28, 1) for a layers list (channels last; "
             "RGB images (h, w, 3))",
    "layers": "the model's layers, output layer included: a list of Keras' {\"class_name\": \"Conv2D\", "
              "\"config\": {\"filters\": 32, ...}} entries (null: hidden_layers describes an MLP)",
    "hidden_layers": "MLP shorthand: units of each hidden Dense layer, e.g. [256, 128]; the output layer "
                     "follows (null when layers is given)",
    "activation": "activation of the hidden layers (relu, tanh, sigmoid, ...); hidden_layers only",
    "dropout": "dropout rate after each hidden layer, in [0, 1); hidden_layers only",
    "optimizer": "sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax or nadam",
    "optimizer_params": "the optimizer's arguments, e.g. {\"learning_rate\": 0.2}; a learning rate may be a "
                        "schedule {\"class_name\": \"OneCycle\", \"config\": {\"max_lr\": 0.003}}, whose "
                        "total_steps or decay_steps left out last the run",
    "loss": "sparse_categorical_crossentropy, categorical_crossentropy (one-hot labels) or "
            "binary_crossentropy (one sigmoid output, two classes)",
    "loss_params": "the loss' arguments, e.g. {\"label_smoothing\": 0.1} (categorical and binary "
                   "cross-entropy)",
    "augment": "null, or an augmentation preset put in front of the model, active in training only: "
               "'digits' (rotation, zoom, shifts) or 'fashion' (horizontal flips, shifts, zoom); needs "
               "input 'image'",
    "epochs": "passes over the training data (scratch trainer: gradient-descent iterations)",
    "batch_size": "samples per gradient step; null for the whole training set (full batch)",
    "validation_split": "fraction of the training images held out for validation, in [0, 1)",
    "validation_seed": "null: the last images are held out (Keras' validation_split); "
                       "an integer: a permutation seeded with it picks them (seed 004)",
    "validate_on_test": "validate on the test set after each epoch (seed 003 does)",
    "early_stopping": "null, or {monitor, patience, min_delta, restore_best_weights}",
    "seed": "seed of the weights' initialisation and the shuffling: the same seed, the same weights",
    "dtype": "float32 or float64",
    "limit_train": "train on the first N training images only (null: all)",
    "limit_test": "test on the first N test images only (null: all)",
    "model_format": "model file written: neurona (model.neurona), keras (model.keras) or h5 (model.h5)",
}

# The keys only `hidden_layers` (the MLP shorthand) uses.
SHORTHAND_KEYS = ("activation", "dropout")


class ConfigError(ValueError):
    """A config key is unknown or its value is wrong; the message names the key and the value."""


def resolve(recipe=None, config_file=None, overrides=None):
    """The checked config from a recipe name, a JSON file and flag overrides.

    Args:
        recipe: a recipe name; None takes the file's `recipe` key, else 'mnist-mlp'.
        config_file: path of a JSON object with some of the keys of DEFAULTS.
        overrides: {key: value} applied last (flags); its `optimizer_params` are merged into
            the ones before (so `--learning-rate` keeps a recipe's other arguments).

    Changing the optimizer drops the previous optimizer's arguments unless the same layer
    gives new ones.

    Returns:
        A dict with every key of DEFAULTS, checked (see `validate`).
    """
    from neurona.runs import recipes

    file_config, origin = {}, "config"
    if config_file is not None:
        file_config = load_config_file(config_file)
        origin = str(config_file)
        _check_keys(file_config, origin)
    overrides = dict(overrides or {})
    _check_keys(overrides, "flags")
    recipe = recipe or overrides.get("recipe") or file_config.get("recipe") or recipes.DEFAULT_RECIPE
    recipe_config = recipes.recipe_config(recipe)
    for layer, where in ((recipe_config, f"recipe {recipe}"), (file_config, origin), (overrides, "flags")):
        _check_one_model(layer, where)
    config = _apply(DEFAULTS, recipe_config, merge_params=False)
    config = _apply(config, file_config, merge_params=False)
    config = _apply(config, overrides, merge_params=True)
    config["recipe"] = recipe
    if not config.get("name"):
        config["name"] = recipe
    sources = {**{key: f"recipe {recipe}" for key in DEFAULTS}, **{key: origin for key in file_config},
               **{key: "flags" for key in overrides}}
    return validate(config, origin, sources)


def _apply(config, layer, merge_params):
    """`config` with the keys of `layer` over it, optimizer arguments handled as `resolve` says."""
    result = {**config, **layer}
    changed = "optimizer" in layer and str(layer["optimizer"]).lower() != str(config["optimizer"]).lower()
    if "optimizer_params" not in layer:
        if changed:
            result["optimizer_params"] = {}
    elif merge_params and isinstance(layer["optimizer_params"], dict):
        base = {} if changed else config["optimizer_params"]
        result["optimizer_params"] = {**base, **layer["optimizer_params"]}
    if layer.get("layers") is not None:
        result["hidden_layers"] = None
        for key in SHORTHAND_KEYS:
            if key not in layer:
                result[key] = DEFAULTS[key]
    elif layer.get("hidden_layers") is not None:
        result["layers"] = None
    return result


def _check_one_model(layer, origin):
    if layer.get("layers") is not None and layer.get("hidden_layers") is not None:
        raise ConfigError(
            f"{origin}: give layers (a list of layers, the output layer included) or hidden_layers (an MLP's "
            "hidden sizes), not both."
        )


def load_config_file(path):
    """The JSON object in `path`; FileNotFoundError or ConfigError naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file not found: {path}")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{path} must hold a JSON object {{\"key\": value, ...}}. Received: {type(value).__name__}")
    return value


def parse_assignments(items):
    """{key: value} from ['epochs=3', 'hidden_layers=[64, 32]'] (`--set`); values are JSON, else strings."""
    result = {}
    for item in items or ():
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects KEY=VALUE. Received: {item!r}")
        try:
            result[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            result[key.strip()] = text
    return result


def _check_keys(config, origin):
    for key in config:
        if key not in DEFAULTS:
            close = difflib.get_close_matches(str(key), DEFAULTS, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(DEFAULTS)}."
            raise ConfigError(f"{origin}: unknown config key {key!r}.{hint}")


# Checks -------------------------------------------------------------------------------------

def validate(config, origin="config", sources=None):
    """`config` with every value checked and normalised; ConfigError naming the first bad key.

    Args:
        origin: names the config in errors (a file name).
        sources: {key: where its value came from}, to name that instead of `origin`.
    """
    sources = sources or {}
    _check_keys(config, origin)
    missing = [key for key in DEFAULTS if key not in config]
    if missing:
        raise ConfigError(f"{origin}: missing config keys {', '.join(missing)}.")
    checked = dict(config)
    for key, check in _CHECKS.items():
        try:
            checked[key] = check(config[key])
        except layer_entries.EntryError as error:
            # The message names the entry and quotes what it received; the whole list would drown it.
            raise ConfigError(f"{sources.get(key, origin)}: config key {key!r}: {error}") from None
        except ConfigError as error:
            where = sources.get(key, origin)
            raise ConfigError(f"{where}: config key {key!r} {error} Received: {key}={config[key]!r}") from None
    _check_combination(checked, origin)
    return checked


def _expect(condition, message):
    if not condition:
        raise ConfigError(message)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value):
    _expect(isinstance(value, str), "must be a string.")
    return value


def _name(value):
    _expect(isinstance(value, str) and value.strip() != "", "must be a non-empty string.")
    _expect(not any(char in value for char in '/\\:*?"<>|'), "must not contain / \\ : * ? \" < > |.")
    return value.strip()


def _optional_name(value):
    return None if value is None else _name(value)


def _dataset(value):
    _expect(isinstance(value, str) and value.strip() != "", "must be a dataset name or a path.")
    return value


def _choice(options):
    def check(value):
        _expect(value in options, f"must be one of {', '.join(map(repr, options))}.")
        return value
    return check


def _positive_int(value):
    _expect(_is_int(value) and value > 0, "must be a positive integer.")
    return value


def _optional_positive_int(value):
    return None if value is None else _positive_int(value)


def _optional_seed(value):
    if value is None:
        return None
    _expect(_is_int(value) and 0 <= value < 2**32, "must be null or an integer in [0, 2**32).")
    return value


def _seed(value):
    _expect(_is_int(value) and 0 <= value < 2**32, "must be an integer in [0, 2**32).")
    return value


def _fraction(value):
    _expect(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and 0 <= value < 1, "must be a number in [0, 1).")
    return float(value)


def _flag(value):
    _expect(isinstance(value, bool), "must be true or false.")
    return value


def _hidden_layers(value):
    if value is None:
        return None
    _expect(isinstance(value, list) and all(_is_int(units) and units > 0 for units in value),
            "must be a list of positive integers, e.g. [256, 128].")
    return list(value)


def _layers(value):
    if value is None:
        return None
    _expect(isinstance(value, list) and value,
            "must be null or a non-empty list of layers, e.g. [{\"class_name\": \"Flatten\"}, "
            "{\"class_name\": \"Dense\", \"config\": {\"units\": 10, \"activation\": \"softmax\"}}].")
    return [layer_entries.check_entry(index, entry) for index, entry in enumerate(value)]


def _registered_name(value, kind, get):
    """`value`, a name that `get` (activations.get, optimizers.get) resolves."""
    _expect(isinstance(value, str), f"must be an {kind} name.")
    try:
        get(value)
    except ValueError as error:
        raise ConfigError(f"is not an {kind}: {error}") from None
    return value


def _activation(value):
    return _registered_name(value, "activation", activations.get)


def _loss(value):
    known = ("sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy")
    _expect(value in known, f"must be one of {', '.join(known)}.")
    return value


def _optimizer(value):
    return _registered_name(value, "optimizer", optimizers.get).lower()


def _optimizer_params(value):
    _expect(isinstance(value, dict), "must be an object of the optimizer's arguments, e.g. {\"learning_rate\": 0.2}.")
    return dict(value)


def _loss_params(value):
    _expect(isinstance(value, dict), "must be an object of the loss' arguments, e.g. {\"label_smoothing\": 0.1}.")
    return dict(value)


def _augment(value):
    if value is None:
        return None
    from neurona.layers import augmentation

    _expect(value in augmentation.PRESETS,
            f"must be null or one of {', '.join(map(repr, augmentation.PRESETS))}.")
    return value


def _early_stopping(value):
    if value is None:
        return None
    _expect(isinstance(value, dict), "must be null or an object {\"patience\": 3, ...}.")
    unknown = [key for key in value if key not in EARLY_STOPPING_DEFAULTS]
    _expect(not unknown, f"has unknown keys {unknown}; known: {', '.join(EARLY_STOPPING_DEFAULTS)}.")
    merged = {**EARLY_STOPPING_DEFAULTS, **value}
    _expect(_is_int(merged["patience"]) and merged["patience"] >= 0, "needs patience >= 0, an integer.")
    _expect(isinstance(merged["monitor"], str), "needs monitor, a logs key such as 'val_loss'.")
    _expect(isinstance(merged["min_delta"], (int, float)) and not isinstance(merged["min_delta"], bool),
            "needs min_delta, a number.")
    _expect(isinstance(merged["restore_best_weights"], bool), "needs restore_best_weights, true or false.")
    return merged


_CHECKS = {
    "name": _optional_name,
    "recipe": _optional_name,
    "description": _text,
    "dataset": _dataset,
    "trainer": _choice(TRAINERS),
    "input": _choice(INPUTS),
    "layers": _layers,
    "hidden_layers": _hidden_layers,
    "activation": _activation,
    "dropout": _fraction,
    "optimizer": _optimizer,
    "optimizer_params": _optimizer_params,
    "loss": _loss,
    "loss_params": _loss_params,
    "augment": _augment,
    "epochs": _positive_int,
    "batch_size": _optional_positive_int,
    "validation_split": _fraction,
    "validation_seed": _optional_seed,
    "validate_on_test": _flag,
    "early_stopping": _early_stopping,
    "seed": _seed,
    "dtype": _choice(DTYPES),
    "limit_train": _optional_positive_int,
    "limit_test": _optional_positive_int,
    "model_format": _choice(tuple(MODEL_FORMATS)),
}


def _check_combination(config, origin):
    """Checks across keys: the model, the optimizer's arguments, validation, the scratch trainer's limits."""
    _check_model(config, origin)
    cls = type(optimizers.get(config["optimizer"]))
    accepted = [name for name in inspect.signature(cls.__init__).parameters if name not in ("self", "kwargs")]
    unknown = [key for key in config["optimizer_params"] if key not in accepted]
    if unknown:
        raise ConfigError(
            f"{origin}: config key 'optimizer_params' has {', '.join(map(repr, unknown))}, which "
            f"{config['optimizer']} does not take. Expected some of: {', '.join(accepted)}."
        )
    from neurona.runs.building import with_run_length

    try:
        cls(**with_run_length(config["optimizer_params"], 2))
    except (TypeError, ValueError) as error:
        raise ConfigError(
            f"{origin}: config key 'optimizer_params' is refused by {config['optimizer']}: {error}") from None
    if config["loss_params"]:
        from neurona import losses

        try:
            type(losses.get(config["loss"]))(**config["loss_params"])
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{origin}: config key 'loss_params' is refused by {config['loss']}: {error}") from None
    if config["augment"] and config["input"] != "image":
        raise ConfigError(f"{origin}: augment {config['augment']!r} transforms images: set input 'image' "
                          "(the model then takes images, not vectors of pixels).")
    if config["validate_on_test"] and config["validation_split"]:
        raise ConfigError(f"{origin}: set validation_split or validate_on_test, not both.")
    if config["early_stopping"] and config["early_stopping"]["monitor"].startswith("val_") \
            and not (config["validation_split"] or config["validate_on_test"]):
        raise ConfigError(
            f"{origin}: early_stopping monitors {config['early_stopping']['monitor']!r} but the run has no "
            "validation data: set validation_split (e.g. 0.1) or validate_on_test."
        )
    if config["trainer"] == "scratch":
        _check_scratch(config, origin)


def _check_model(config, origin):
    """One of layers and hidden_layers; the shorthand's keys unused by a list; the entries' dtypes.

    Whether model_format can hold the model is known once it is built (`session.check_model_format`).
    """
    if config["layers"] is None and config["hidden_layers"] is None:
        raise ConfigError(f"{origin}: the config describes no model: give layers (a list of layers) or "
                          "hidden_layers (an MLP's hidden sizes, e.g. [128]).")
    if config["layers"] is None:
        return
    _check_one_model(config, origin)
    for key in SHORTHAND_KEYS:
        if config[key] != DEFAULTS[key]:
            raise ConfigError(
                f"{origin}: {key} applies to hidden_layers only; a layers list carries its own (an 'activation' "
                f"argument, a Dropout entry). Received: {key}={json.dumps(config[key])} with layers."
            )
    for index, entry in enumerate(config["layers"]):
        dtype = entry["config"].get("dtype")
        if dtype is not None and dtype != config["dtype"]:
            raise ConfigError(
                f"{origin}: layers[{index}] ({entry['class_name']}) has dtype {dtype!r} but the run's dtype is "
                f"{config['dtype']!r}: set the dtype key instead. Received: layers[{index}].config.dtype={dtype!r}"
            )


def _check_scratch(config, origin):
    if config["layers"] is not None:
        raise ConfigError(
            f"{origin}: the scratch trainer builds seed 001's MLP from hidden_layers; it takes no layers list. "
            "Use trainer 'keras'."
        )
    expected = {"loss": "binary_crossentropy", "optimizer": "sgd", "activation": "relu", "input": "flat",
                "batch_size": None, "dropout": 0.0, "validation_split": 0.0, "validate_on_test": False,
                "early_stopping": None}
    for key, value in expected.items():
        if config[key] != value:
            raise ConfigError(
                f"{origin}: the scratch trainer (seed 001's [LINEAR->RELU]*(L-1)->LINEAR->SIGMOID, full-batch "
                f"gradient descent) needs {key}={json.dumps(value)}. Received: {key}={json.dumps(config[key])}"
            )
    extra = [key for key in config["optimizer_params"] if key != "learning_rate"]
    if extra:
        raise ConfigError(f"{origin}: the scratch trainer takes only optimizer_params.learning_rate. Received: {extra}")
