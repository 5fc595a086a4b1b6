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
    ("optimizer", "adamz", "is not an optimizer"),
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


# Layer lists ---------------------------------------------------------------------------------

CONV = {"class_name": "Conv2D", "config": {"filters": 8, "kernel_size": 3, "activation": "relu"}}
FLATTEN = {"class_name": "Flatten"}
OUTPUT = {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}


def test_mnist_cnn_is_a_layer_list_that_survives_json():
    resolved = config.resolve("mnist-cnn")
    assert resolved["hidden_layers"] is None and resolved["input"] == "image"
    assert [entry["class_name"] for entry in resolved["layers"]] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert (resolved["loss"], resolved["batch_size"], resolved["epochs"]) == ("categorical_crossentropy", 128, 15)
    assert resolved["validation_split"] == 0.1
    assert config.validate(json.loads(json.dumps(resolved))) == resolved
    resolved["layers"][0]["config"]["filters"] = 1
    assert config.resolve("mnist-cnn")["layers"][0]["config"]["filters"] == 32  # the recipe is not shared


def test_entries_are_normalised_and_keras_aliases_accepted():
    resolved = config.resolve(overrides={"input": "image", "layers": [
        CONV, {"class_name": "MaxPool2D", "config": {"pool_size": 2}}, FLATTEN, OUTPUT]})
    assert resolved["layers"][1] == {"class_name": "MaxPooling2D", "config": {"pool_size": 2}}
    assert resolved["layers"][2] == {"class_name": "Flatten", "config": {}}


def test_a_later_source_switches_between_layers_and_hidden_layers(tmp_path):
    path = tmp_path / "mlp.json"
    path.write_text(json.dumps({"hidden_layers": [32], "activation": "tanh", "dropout": 0.2}))
    switched = config.resolve(config_file=path, overrides={"layers": [FLATTEN, OUTPUT]})
    assert switched["hidden_layers"] is None and switched["layers"] == [
        {"class_name": "Flatten", "config": {}}, OUTPUT]
    # The shorthand's own keys go back to their defaults, as a new optimizer drops the old arguments.
    assert (switched["activation"], switched["dropout"]) == ("relu", 0.0)
    back = config.resolve("mnist-cnn", overrides={"hidden_layers": [64]})
    assert back["layers"] is None and back["hidden_layers"] == [64] and back["input"] == "image"


def test_layers_and_hidden_layers_from_one_source_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="flags: give layers .* or hidden_layers .*, not both"):
        config.resolve(overrides={"layers": [FLATTEN, OUTPUT], "hidden_layers": [16]})
    path = tmp_path / "both.json"
    path.write_text(json.dumps({"layers": [FLATTEN, OUTPUT], "hidden_layers": [16]}))
    with pytest.raises(ConfigError, match="both.json: give layers"):
        config.resolve(config_file=path)
    with pytest.raises(ConfigError, match="describes no model"):
        config.resolve(overrides={"hidden_layers": None})


@pytest.mark.parametrize("entry, fragments", [
    ({"class_name": "Conv3D"}, ["layers[1]", "unknown layer class 'Conv3D'", "Did you mean 'Conv2D'?"]),
    ({"class_name": "Conv2D", "config": {"filter": 8, "kernel_size": 3}},
     ["layers[1] (Conv2D)", "no argument 'filter'", "Did you mean 'filters'?"]),
    ({"class_name": "Conv2D", "config": {"kernel_size": 3}}, ["layers[1] (Conv2D)", "needs the argument 'filters'"]),
    ({"class_name": "Conv2D", "config": {"filters": 0, "kernel_size": 3}},
     ["layers[1] (Conv2D)", "filters", "Received: filters=0"]),
    ({"class_name": "Conv2D", "config": {"filters": 8, "kernel_size": [3, 3, 3]}},
     ["layers[1] (Conv2D)", "kernel_size", "Received: kernel_size=[3, 3, 3]"]),
    ({"class_name": "Dense", "config": {"units": 4, "activation": "rleu"}},
     ["layers[1] (Dense)", "argument 'activation'", "'rleu'"]),
    ({"class_name": "Dense", "config": {"units": 4, "kernel_initializer": {"nam": "zeros"}}},
     ["layers[1] (Dense)", "argument 'kernel_initializer'", "lacks the key 'name'"]),
    ({"class_name": "Dropout", "config": {"rate": 1.5}}, ["layers[1] (Dropout)", "rate", "Received: rate=1.5"]),
    ({"class_name": "Dense", "module": "keras.layers"}, ["layers[1]", "unknown keys ['module']"]),
    ("Dense", ["layers[1] must be an object"]),
    ({"config": {}}, ["layers[1] needs class_name"]),
    ({"class_name": "Flatten", "config": [1]}, ["layers[1] (Flatten)", "config must be an object"]),
])
def test_a_bad_entry_is_named_with_its_index_class_and_argument(entry, fragments):
    with pytest.raises(ConfigError) as caught:
        config.resolve(overrides={"input": "image", "layers": [CONV, entry, FLATTEN, OUTPUT]})
    message = str(caught.value)
    assert message.startswith("flags: config key 'layers': ")
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message


def test_a_layer_list_refuses_the_shorthands_keys_and_other_dtypes():
    with pytest.raises(ConfigError, match="dropout applies to hidden_layers only"):
        config.resolve(overrides={"layers": [FLATTEN, OUTPUT], "dropout": 0.5})
    with pytest.raises(ConfigError, match="activation applies to hidden_layers only"):
        config.resolve(overrides={"layers": [FLATTEN, OUTPUT], "activation": "tanh"})
    float64 = {"class_name": "Flatten", "config": {"dtype": "float64"}}
    with pytest.raises(ConfigError, match=r"layers\[0\] \(Flatten\) has dtype 'float64' but the run's dtype is"):
        config.resolve(overrides={"layers": [float64, OUTPUT]})
    assert config.resolve(overrides={"layers": [float64, OUTPUT], "dtype": "float64"})["dtype"] == "float64"


def test_the_scratch_trainer_refuses_a_layer_list():
    with pytest.raises(ConfigError, match="scratch trainer .* takes no layers list"):
        config.resolve("seed001", overrides={"layers": [FLATTEN, OUTPUT]})


def test_a_models_own_layer_configs_are_a_valid_list():
    from neurona.runs.building import build_model

    model = build_model(config.resolve("mnist-cnn"), (28, 28), 10)
    entries = model.get_config()["layers"]
    again = build_model(config.resolve("mnist-cnn", overrides={"layers": entries}), (28, 28), 10)
    assert [layer.get_config() for layer in again.layers] == [layer.get_config() for layer in model.layers]
