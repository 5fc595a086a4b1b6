"""A sweep's search space, read from SPACE.json and checked before any trial runs.

    {
      "recipe": "mnist-mlp",
      "set": {"epochs": 5, "limit_train": 10000},
      "search": {
        "optimizer_params.learning_rate": {"low": 1e-4, "high": 1e-1, "log": true},
        "hidden_layers": {"choices": [[64], [128], [256, 128]]},
        "batch_size": {"low": 16, "high": 128}
      },
      "metric": "val_accuracy",
      "direction": "maximize"
    }

`recipe` is the run config to start from and `set` fixes config keys (`neurona train --keys`
lists them). Each `search` key is a config key, or `key.sub` inside a key holding an object
(`optimizer_params.learning_rate`); its range is {"low", "high"} (integers when both bounds are
integers; "log": true samples on a log scale) or {"choices": [...]}, any JSON values. `metric`
is one of the validation metrics in a run's history (val_accuracy, val_loss): the test set
never chooses. `direction` defaults to minimize for a loss, maximize otherwise.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from neurona.runs import config as run_config

SPACE_KEYS = ("recipe", "set", "search", "metric", "direction")
DIRECTIONS = ("maximize", "minimize")
# Keys whose value is an object, so `key.sub` may be searched inside it.
OBJECT_KEYS = ("optimizer_params", "early_stopping")
# Keys a sweep sets itself.
RESERVED_KEYS = ("name",)


class SpaceError(ValueError):
    """SPACE.json is malformed; the message names the file, the key and what was expected."""


@dataclass
class Param:
    """One searched key: a range (low, high, log, integer) or a list of choices."""

    key: str
    low: float = None
    high: float = None
    log: bool = False
    integer: bool = False
    choices: list = None

    def suggest(self, trial):
        """The value `trial` (an optuna Trial) picks for this key."""
        if self.choices is not None:
            # Optuna stores choices as plain values: pick an index when any is a list or an object.
            if all(value is None or isinstance(value, (bool, int, float, str)) for value in self.choices):
                return trial.suggest_categorical(self.key, self.choices)
            labels = [json.dumps(value) for value in self.choices]
            return json.loads(trial.suggest_categorical(self.key, labels))
        if self.integer:
            return trial.suggest_int(self.key, self.low, self.high, log=self.log)
        return trial.suggest_float(self.key, self.low, self.high, log=self.log)

    def example(self):
        """A value in the range (its low end, or the first choice), to check the config with."""
        return self.choices[0] if self.choices is not None else self.low


@dataclass
class Space:
    """A checked SPACE.json."""

    recipe: str
    fixed: dict
    params: list
    metric: str
    direction: str
    source: dict = field(default_factory=dict)

    def overrides(self, values):
        """Config overrides: the fixed keys with `values` ({search key: value}) set over them."""
        overrides = json.loads(json.dumps(self.fixed))
        for key, value in values.items():
            top, _, sub = key.partition(".")
            if sub:
                overrides[top] = {**(overrides.get(top) or {}), sub: value}
            else:
                overrides[top] = value
        return overrides

    def config(self, values, name):
        """The checked run config of a trial with `values`, named `name`."""
        return run_config.resolve(self.recipe, None, {**self.overrides(values), "name": name})


def load_space(path):
    """The `Space` in the JSON file at `path`; SpaceError (or FileNotFoundError) saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Space file not found: {path}")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SpaceError(f"{path} is not valid JSON: {error}") from None
    return parse_space(value, str(path))


def parse_space(value, origin="space"):
    """The `Space` a SPACE.json object describes (see the module docstring)."""
    if not isinstance(value, dict):
        raise SpaceError(f"{origin} must hold a JSON object with keys {', '.join(SPACE_KEYS)}. "
                         f"Received: {type(value).__name__}")
    unknown = [key for key in value if key not in SPACE_KEYS]
    if unknown:
        raise SpaceError(f"{origin}: unknown key {unknown[0]!r}; a space file holds {', '.join(SPACE_KEYS)}.")
    recipe = value.get("recipe", "mnist-mlp")
    from neurona.runs import recipes

    if recipe not in recipes.RECIPES:
        raise SpaceError(f"{origin}: recipe must be one of {', '.join(recipes.RECIPES)}. Received: recipe={recipe!r}")
    fixed = value.get("set", {})
    if not isinstance(fixed, dict):
        raise SpaceError(f"{origin}: set must be an object of config keys. Received: set={fixed!r}")
    for key in fixed:
        if key in RESERVED_KEYS:
            raise SpaceError(f"{origin}: set must not give {key!r}: each trial is named after its number.")
    search = value.get("search")
    if not isinstance(search, dict) or not search:
        raise SpaceError(f"{origin}: search must be an object of config key -> range, e.g. "
                         f"{{\"epochs\": {{\"low\": 2, \"high\": 8}}}}. Received: search={search!r}")
    params = [_param(key, spec, origin) for key, spec in search.items()]
    metric = value.get("metric", "val_accuracy")
    if not isinstance(metric, str) or not metric.startswith("val_"):
        raise SpaceError(f"{origin}: metric must be a validation metric of the run's history (val_accuracy, "
                         f"val_loss): the test set never chooses. Received: metric={metric!r}")
    direction = value.get("direction", "minimize" if metric.endswith("loss") else "maximize")
    if direction not in DIRECTIONS:
        raise SpaceError(f"{origin}: direction must be 'maximize' or 'minimize'. Received: direction={direction!r}")
    space = Space(recipe, fixed, params, metric, direction, value)
    _check_config(space, origin)
    return space


def _param(key, spec, origin):
    where = f"{origin}: search[{key!r}]"
    if not isinstance(key, str) or not key:
        raise SpaceError(f"{origin}: search keys must be config keys. Received: {key!r}")
    top, _, sub = key.partition(".")
    if top not in run_config.DEFAULTS:
        raise SpaceError(f"{where}: unknown config key {top!r}; `neurona train --keys` lists them.")
    if top in RESERVED_KEYS:
        raise SpaceError(f"{where}: {top!r} cannot be searched: each trial is named after its number.")
    if sub and top not in OBJECT_KEYS:
        raise SpaceError(f"{where}: only {', '.join(OBJECT_KEYS)} hold objects to search inside (key.sub). "
                         f"Received: {key!r}")
    if not isinstance(spec, dict):
        raise SpaceError(f"{where} must be {{\"low\", \"high\"[, \"log\"]}} or {{\"choices\": [...]}}. "
                         f"Received: {spec!r}")
    if "choices" in spec:
        choices = spec["choices"]
        if set(spec) != {"choices"} or not isinstance(choices, list) or not choices:
            raise SpaceError(f"{where} must be {{\"choices\": [a non-empty list]}} alone. Received: {spec!r}")
        return Param(key, choices=choices)
    if set(spec) - {"low", "high", "log"} or "low" not in spec or "high" not in spec:
        raise SpaceError(f"{where} must be {{\"low\", \"high\"[, \"log\"]}} or {{\"choices\": [...]}}. "
                         f"Received: {spec!r}")
    low, high, log = spec["low"], spec["high"], spec.get("log", False)
    if not all(_is_number(bound) for bound in (low, high)) or not low <= high:
        raise SpaceError(f"{where} needs numbers low <= high. Received: low={low!r}, high={high!r}")
    if not isinstance(log, bool) or (log and low <= 0):
        raise SpaceError(f"{where}: log must be true or false, and a log range needs low > 0. "
                         f"Received: low={low!r}, log={log!r}")
    integer = isinstance(low, int) and isinstance(high, int)
    return Param(key, low=low, high=high, log=log, integer=integer)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_config(space, origin):
    """Resolve the config at each range's low end (each first choice) so bad keys fail now, not in a trial."""
    try:
        config = space.config({param.key: param.example() for param in space.params}, "check")
    except run_config.ConfigError as error:
        raise SpaceError(f"{origin}: {error}") from None
    if config["trainer"] != "keras":
        raise SpaceError(f"{origin}: trials need trainer 'keras' (it reports each epoch). "
                         f"Received: trainer={config['trainer']!r}")
    if config["validate_on_test"]:
        raise SpaceError(f"{origin}: the recipe validates on the test set; a sweep must not choose by it. "
                         "Set validate_on_test false and a validation_split.")
    if not config["validation_split"]:
        raise SpaceError(f"{origin}: the metric {space.metric} needs a validation split: set validation_split, "
                         f"e.g. \"set\": {{\"validation_split\": 0.1}}. Received: validation_split=0.0")
