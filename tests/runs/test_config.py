import json

import pytest

from neurona.runs import config, recipes
from neurona.runs.config import ConfigError


def test_default_is_the_mnist_mlp_recipe():
    resolved = config.resolve()
    assert resolved["recipe"] == "mnist-mlp" == resolved["name"]
    assert resolved["dataset"] == "mnist"
    assert resolved["hidden_layers"] == [128]
    assert resolved["validation_split"] == pytest.approx(1 / 6)
    assert set(resolved) == set(config.DEFAULTS)


def test_resolved_config_is_a_fixed_point_through_json():
    resolved = config.resolve("seed004", overrides={"epochs": 3})
    again = config.validate(json.loads(json.dumps(resolved)))
    assert again == resolved


@pytest.mark.parametrize("name", list(recipes.RECIPES))
def test_every_recipe_resolves_and_has_a_target(name):
    resolved = config.resolve(name)
    assert resolved["recipe"] == name
    assert "test_accuracy" in recipes.TARGETS[name]


def test_config_file_overrides_recipe_and_flags_override_file(tmp_path):
    path = tmp_path / "my.json"
    path.write_text(json.dumps({"recipe": "seed002", "epochs": 7, "batch_size": 64}))
    resolved = config.resolve(config_file=path, overrides={"epochs": 2})
    assert resolved["recipe"] == "seed002"
    assert resolved["batch_size"] == 64
    assert resolved["epochs"] == 2
    assert resolved["optimizer_params"] == {"learning_rate": 0.2}


def test_learning_rate_flag_merges_and_a_new_optimizer_drops_old_arguments():
    merged = config.resolve("seed002", overrides={"optimizer_params": {"momentum": 0.9}})
    assert merged["optimizer_params"] == {"learning_rate": 0.2, "momentum": 0.9}
    switched = config.resolve("seed002", overrides={"optimizer": "adam"})
    assert switched["optimizer_params"] == {}


def test_unknown_key_suggests_the_close_one(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"epoch": 3}))
    with pytest.raises(ConfigError, match=r"bad.json: unknown config key 'epoch'\. Did you mean 'epochs'\?"):
        config.resolve(config_file=path)


@pytest.mark.parametrize("key, value, expected", [
    ("epochs", 0, "must be a positive integer"),
    ("epochs", "ten", "must be a positive integer"),
    ("hidden_layers", [128, -1], "list of positive integers"),
    ("validation_split", 1.5, r"in \[0, 1\)"),
    ("optimizer", "adamw", "is not an optimizer"),
    ("activation", "swish2", "is not an activation"),
    ("loss", "mse", "must be one of"),
    ("dtype", "float16", "must be one of"),
    ("early_stopping", {"patience": -1}, "patience >= 0"),
    ("name", "a/b", "must not contain"),
])
def test_bad_value_names_the_key_and_the_value(key, value, expected):
    with pytest.raises(ConfigError, match=expected) as caught:
        config.resolve(overrides={key: value})
    assert f"config key {key!r}" in str(caught.value)
    assert f"Received: {key}=" in str(caught.value)
    assert str(caught.value).startswith("flags:")


def test_bad_value_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"batch_size": -2}))
    with pytest.raises(ConfigError, match=r"c.json: config key 'batch_size' must be a positive integer"):
        config.resolve(config_file=path)


def test_optimizer_arguments_are_checked_against_the_optimizer():
    with pytest.raises(ConfigError, match="'beta_1', which sgd does not take"):
        config.resolve("seed002", overrides={"optimizer_params": {"beta_1": 0.9}})
    with pytest.raises(ConfigError, match="refused by sgd"):
        config.resolve("seed002", overrides={"optimizer_params": {"momentum": 3.0}})


def test_early_stopping_on_val_loss_needs_validation():
    with pytest.raises(ConfigError, match="no validation data"):
        config.resolve("seed000", overrides={"early_stopping": {"patience": 2}})
    resolved = config.resolve(overrides={"early_stopping": {"patience": 2}})
    assert resolved["early_stopping"] == {**config.EARLY_STOPPING_DEFAULTS, "patience": 2}


def test_scratch_trainer_refuses_what_it_cannot_do():
    with pytest.raises(ConfigError, match="scratch trainer .* needs batch_size=null"):
        config.resolve("seed001", overrides={"batch_size": 32})
    with pytest.raises(ConfigError, match="needs optimizer=\"sgd\""):
        config.resolve("seed001", overrides={"optimizer": "adam"})


def test_config_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Config file not found"):
        config.resolve(config_file=tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{epochs: 3")
    with pytest.raises(ConfigError, match="broken.json is not valid JSON"):
        config.resolve(config_file=broken)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must hold a JSON object"):
        config.resolve(config_file=listed)


def test_parse_assignments_reads_json_values_and_falls_back_to_text():
    assert config.parse_assignments(["epochs=3", "hidden_layers=[64, 32]", "dataset=fashion_mnist",
                                     "early_stopping=null"]) == {
        "epochs": 3, "hidden_layers": [64, 32], "dataset": "fashion_mnist", "early_stopping": None}
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        config.parse_assignments(["epochs"])


def test_unknown_recipe_lists_the_recipes():
    with pytest.raises(ValueError, match="Unknown recipe 'seed009'. Recipes: mnist-mlp, seed000"):
        config.resolve("seed009")
