import json
import os
import signal

import numpy as np
import pytest

from neurona.callbacks import LambdaCallback
from neurona.models import load_model
from neurona.runs import recipes, session

from .report_checks import check_run_folder

pytest.importorskip("matplotlib")


def _only_run(runs_dir):
    runs = [path for path in runs_dir.iterdir() if path.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


def test_train_defaults_to_mnist_mlp_and_writes_a_run_folder(data_dir, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("train", "--limit-train", "1200", "--limit-test", "300", "--epochs", "2")
    assert result.code == 0, result.err
    run_dir = _only_run(tmp_path / "runs")
    assert run_dir.name.endswith("-mnist-mlp")
    metrics = check_run_folder(run_dir)
    assert (run_dir / "first_layer_weights.png").is_file()
    assert metrics["dataset"]["name"] == "mnist"
    assert metrics["train_samples"] == 1000 and metrics["validation_samples"] == 200
    assert metrics["best_epoch"] in (1, 2)
    assert "Epoch 2/2" in result.out
    assert f"Run folder: {os.path.join('runs', run_dir.name)}" in result.out
    assert f"Test accuracy {metrics['test_accuracy']:.2%}" in result.out


def test_a_run_re_run_from_its_config_gives_the_same_weights(striped_npz, run_cli, tmp_path):
    first = run_cli("train", "--dataset", striped_npz, "--layers", "16", "--epochs", "3", "--batch-size", "8",
                    "--seed", "7", "--out", tmp_path / "first", "-q")
    assert first.code == 0, first.err
    again = run_cli("train", "--config", tmp_path / "first" / "config.json", "--out", tmp_path / "again", "-q")
    assert again.code == 0, again.err
    weights = [load_model(tmp_path / name / "model.neurona").get_weights() for name in ("first", "again")]
    assert all(np.array_equal(left, right) for left, right in zip(*weights))
    config = json.loads((tmp_path / "again" / "config.json").read_text())
    assert config["seed"] == 7 and config["hidden_layers"] == [16]


def test_flags_and_set_reach_the_config(striped_npz, run_cli, tmp_path):
    result = run_cli("train", "--dataset", striped_npz, "--layers", "12,6", "--activation", "tanh",
                     "--optimizer", "sgd", "--learning-rate", "0.3", "--momentum", "0.5", "--epochs", "4",
                     "--validation-split", "0.25", "--early-stopping", "2", "--format", "h5", "--name", "flags",
                     "--set", "dropout=0.1", "--out", tmp_path / "run", "-q")
    assert result.code == 0, result.err
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["hidden_layers"] == [12, 6] and config["activation"] == "tanh" and config["dropout"] == 0.1
    assert config["optimizer"] == "sgd" and config["optimizer_params"] == {"learning_rate": 0.3, "momentum": 0.5}
    assert config["early_stopping"]["patience"] == 2 and config["name"] == "flags"
    check_run_folder(tmp_path / "run")
    assert (tmp_path / "run" / "model.h5").is_file()


def test_show_config_prints_json_to_edit(run_cli):
    result = run_cli("train", "seed004", "--epochs", "30", "--show-config")
    assert result.code == 0
    config = json.loads(result.out)
    assert (config["recipe"], config["epochs"], config["validation_seed"]) == ("seed004", 30, 42)


def test_keys_describe_every_config_key(run_cli):
    from neurona.runs import config

    result = run_cli("train", "--keys")
    assert result.code == 0
    assert [line.split()[0] for line in result.out.splitlines()] == list(config.DEFAULTS)


def test_list_names_every_recipe(run_cli):
    result = run_cli("train", "--list")
    assert result.code == 0
    assert [line.split()[0] for line in result.out.splitlines()] == list(recipes.RECIPES)


@pytest.mark.parametrize("recipe, flags", [
    ("seed000", ["--limit-train", "600", "--limit-test", "200", "--epochs", "1"]),
    ("seed001", ["--epochs", "30"]),
    ("seed002", ["--limit-train", "2048", "--limit-test", "200", "--epochs", "2"]),
    ("seed003", ["--limit-train", "600", "--limit-test", "200", "--epochs", "1"]),
    ("seed004", ["--limit-train", "1200", "--limit-test", "200", "--epochs", "1"]),
])
def test_every_recipe_runs_from_the_cli_on_little_data(recipe, flags, data_dir, run_cli, tmp_path):
    result = run_cli("train", recipe, *flags, "--out", tmp_path / recipe, "-q")
    assert result.code == 0, result.err
    metrics = check_run_folder(tmp_path / recipe)
    assert json.loads((tmp_path / recipe / "config.json").read_text())["recipe"] == recipe
    assert 0 <= metrics["test_accuracy"] <= 1


def test_ctrl_c_stops_saves_and_says_where(striped_npz, run_cli, tmp_path, monkeypatch):
    def with_killer(config, interrupt):
        kill = LambdaCallback(on_train_batch_end=lambda batch, logs: batch == 0 and os.kill(os.getpid(), signal.SIGINT))
        return [kill] + original(config, interrupt)

    original = session.make_callbacks
    monkeypatch.setattr(session, "make_callbacks", with_killer)
    result = run_cli("train", "--dataset", striped_npz, "--epochs", "20", "--batch-size", "8",
                     "--out", tmp_path / "cut", "-q")
    assert result.code == 130
    assert "stopping after the current batch" in result.err
    assert result.err_lines[-1] == f"Interrupted: the run is saved in {tmp_path / 'cut'}"
    assert "Interrupted after 1 of 20 epochs; saved what was reached." in result.out
    assert f"Run folder: {tmp_path / 'cut'}" in result.out
    metrics = check_run_folder(tmp_path / "cut")
    assert metrics["interrupted"] is True and metrics["epochs_run"] == 1


def test_mnist_cnn_learns_in_one_epoch_and_its_report_shows_the_filters(cnn_run):
    metrics = check_run_folder(cnn_run)
    assert {"conv_filters.png", "feature_maps.png"} <= {path.name for path in cnn_run.iterdir()}
    assert not (cnn_run / "first_layer_weights.png").exists()
    assert metrics["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    assert metrics["train_samples"] == 540 and metrics["validation_samples"] == 60 and metrics["test_samples"] == 200
    assert metrics["model"]["parameters"] == 34826 and metrics["model"]["input_shape"] == [28, 28, 1]
    config = json.loads((cnn_run / "config.json").read_text())
    assert config["recipe"] == "mnist-cnn" and config["hidden_layers"] is None
    assert config["layers"] == recipes.RECIPES["mnist-cnn"]["layers"]
    page = (cnn_run / "report.html").read_text(encoding="utf-8")
    assert page.index('id="conv_filters.png"') < page.index('id="feature_maps.png"')
    assert "feature maps" in page


def test_an_edited_layer_list_trains_from_a_config_file(striped_npz, run_cli, tmp_path):
    shown = run_cli("train", "mnist-cnn", "--show-config")
    assert shown.code == 0
    edited = json.loads(shown.out)
    assert [entry["class_name"] for entry in edited["layers"]][:2] == ["Conv2D", "MaxPooling2D"]
    edited["layers"][0]["config"]["filters"] = 4
    edited["layers"][-1]["config"]["units"] = 4
    del edited["layers"][2:4]  # the second convolution and its pooling: 8x8 images are too small
    edited.update(dataset=str(striped_npz), epochs=3, batch_size=16)
    path = tmp_path / "small-cnn.json"
    path.write_text(json.dumps(edited))
    result = run_cli("train", "--config", path, "--out", tmp_path / "run", "-q")
    assert result.code == 0, result.err
    assert "Run mnist-cnn: 8x8x1 -> Conv2D(4, 3x3) -> MaxPooling2D(2x2) -> Flatten -> Dropout -> Dense(4)" in result.out
    check_run_folder(tmp_path / "run")
    assert json.loads((tmp_path / "run" / "config.json").read_text())["layers"] == edited["layers"]


def test_set_gives_a_layer_list_on_the_command_line(striped_npz, run_cli, tmp_path):
    layers = [{"class_name": "Dense", "config": {"units": 8, "activation": "tanh"}},
              {"class_name": "Dense", "config": {"units": 4, "activation": "softmax"}}]
    result = run_cli("train", "--dataset", striped_npz, "--set", f"layers={json.dumps(layers)}", "--epochs", "2",
                     "--out", tmp_path / "run", "-q")
    assert result.code == 0, result.err
    assert load_model(tmp_path / "run" / "model.neurona").input_shape == (64,)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["layers"] == layers and config["hidden_layers"] is None


def test_help_names_the_layers_key_and_the_convnet_recipe(run_cli):
    result = run_cli("train", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "mnist-cnn" in text and "the layers key" in text and '{"class_name": "Conv2D"' in text
