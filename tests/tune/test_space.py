import json

import optuna
import pytest

from neurona.tune.space import SpaceError, load_space, parse_space

from .conftest import write_space


def test_a_space_file_gives_ranges_choices_and_nested_keys(tmp_path):
    space = load_space(write_space(tmp_path / "space.json"))
    params = {param.key: param for param in space.params}
    rate, layers, batch = params["optimizer_params.learning_rate"], params["hidden_layers"], params["batch_size"]
    assert (rate.integer, rate.log, batch.integer, batch.log) == (False, True, True, False)
    assert layers.choices == [[8], [16, 8]]
    assert (space.metric, space.direction, space.recipe) == ("val_accuracy", "maximize", "mnist-mlp")
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    values = {param.key: param.suggest(trial) for param in space.params}
    assert 1e-4 <= values["optimizer_params.learning_rate"] <= 0.1 and isinstance(values["batch_size"], int)
    assert values["hidden_layers"] in ([8], [16, 8])
    config = space.config(values, "trial-0007")
    assert config["optimizer_params"] == {"learning_rate": values["optimizer_params.learning_rate"]}
    assert config["hidden_layers"] == values["hidden_layers"] and config["name"] == "trial-0007"
    assert (config["epochs"], config["limit_train"], config["validation_split"]) == (2, 400, 0.25)


def test_a_loss_metric_is_minimised_by_default(tmp_path):
    assert load_space(write_space(tmp_path / "s.json", metric="val_loss", direction="minimize")).direction == "minimize"
    source = json.loads(write_space(tmp_path / "t.json").read_text())
    del source["direction"]
    assert parse_space({**source, "metric": "val_loss"}).direction == "minimize"


@pytest.mark.parametrize("changes, message", [
    ({"metric": "test_accuracy"}, "metric must be a validation metric .* the test set never chooses"),
    ({"recipe": "seed003", "set": {"epochs": 1}}, "validates on the test set"),
    ({"recipe": "seed000", "set": {"epochs": 1}}, "needs a validation split: set validation_split"),
    ({"search": {"epoch": {"low": 1, "high": 3}}}, "unknown config key 'epoch'"),
    ({"search": {"epochs.count": {"low": 1, "high": 3}}}, "only optimizer_params, early_stopping hold objects"),
    ({"search": {"epochs": {"low": 5, "high": 3}}}, "needs numbers low <= high. Received: low=5, high=3"),
    ({"search": {"dropout": {"low": 0, "high": 0.5, "log": True}}}, "a log range needs low > 0"),
    ({"search": {"epochs": {"choices": []}}}, "non-empty list"),
    ({"search": {"epochs": [1, 2]}}, "must be .* or .*choices"),
    ({"search": {}}, "search must be an object"),
    ({"search": {"optimizer": {"choices": ["adamm"]}}}, "config key 'optimizer'"),
    ({"set": {"name": "x", "validation_split": 0.1}}, "set must not give 'name'"),
    ({"direction": "up"}, "direction must be 'maximize' or 'minimize'. Received: direction='up'"),
    ({"metrics": "val_loss"}, "unknown key 'metrics'"),
])
def test_bad_spaces_give_one_clear_error(tmp_path, changes, message):
    with pytest.raises(SpaceError, match=message):
        load_space(write_space(tmp_path / "bad.json", **changes))


def test_a_file_that_is_not_json_is_refused(tmp_path, run_cli):
    path = tmp_path / "broken.json"
    path.write_text("{recipe: mnist-mlp}")
    with pytest.raises(SpaceError, match="broken.json is not valid JSON"):
        load_space(path)
    result = run_cli("tune", path)
    assert result.code == 1 and result.err.startswith("error: ") and len(result.err.strip().splitlines()) == 1
