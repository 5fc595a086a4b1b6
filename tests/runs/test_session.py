import json
import os
import signal

import numpy as np
import pytest

from neurona.callbacks import LambdaCallback
from neurona.models import load_model
from neurona.runs import config, session

pytest.importorskip("matplotlib")

METRIC_KEYS = {"test_accuracy", "test_loss", "train_seconds", "test_seconds", "train_samples", "test_samples",
               "epochs_run", "classification_report", "versions", "machine", "dataset"}


def _quiet(*lines):
    pass


def test_a_run_writes_a_complete_folder(small_config, tmp_path):
    result = session.train_run(small_config, runs_dir=tmp_path / "runs", verbose=0, echo=_quiet)
    run_dir = result.run_dir
    assert run_dir.parent == tmp_path / "runs" and run_dir.name.endswith("-striped")
    names = {path.name for path in run_dir.iterdir()}
    assert {"config.json", "model.neurona", "history.csv", "metrics.json", "report.html", "history.png",
            "samples.png", "predictions.png", "confusion_matrix.png", "confident_mistakes.png",
            "first_layer_weights.png"} <= names
    assert not list(tmp_path.glob("runs/*.partial"))
    assert json.loads((run_dir / "config.json").read_text()) == small_config
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert METRIC_KEYS <= set(metrics)
    assert metrics["epochs_run"] == 3 and metrics["train_samples"] == 120 and metrics["validation_samples"] == 40
    assert set(metrics["versions"]) == {"python", "numpy", "neurona"}
    assert set(metrics["machine"]) == {"platform", "processor", "cores"}
    assert set(metrics["dataset"]) >= {"name", "source", "checksum"}
    assert metrics["test_accuracy"] == result.metrics["test_accuracy"] > 0.5
    assert "interrupted" not in metrics
    lines = (run_dir / "history.csv").read_text().splitlines()
    assert lines[0] == "epoch,loss,accuracy,val_loss,val_accuracy" and len(lines) == 4
    model = load_model(run_dir / "model.neurona")
    np.testing.assert_array_equal(model.get_weights()[0], result.model.get_weights()[0])


def test_rerunning_the_config_gives_the_same_weights(small_config, tmp_path):
    first = session.train_run(small_config, out=tmp_path / "a", verbose=0, echo=_quiet, plots=False)
    again = config.resolve(config_file=first.run_dir / "config.json")
    second = session.train_run(again, out=tmp_path / "b", verbose=0, echo=_quiet, plots=False)
    for left, right in zip(load_model(first.run_dir / "model.neurona").get_weights(),
                           load_model(second.run_dir / "model.neurona").get_weights()):
        assert np.array_equal(left, right)
    assert first.history == second.history


def test_another_seed_gives_other_weights(small_config, tmp_path):
    first = session.train_run(small_config, out=tmp_path / "a", verbose=0, echo=_quiet, plots=False)
    other = session.train_run({**small_config, "seed": 1}, out=tmp_path / "b", verbose=0, echo=_quiet, plots=False)
    assert not np.array_equal(first.model.get_weights()[0], other.model.get_weights()[0])


def test_ctrl_c_saves_what_was_reached(small_config, tmp_path, monkeypatch):
    def with_killer(cfg, interrupt):
        killer = LambdaCallback(on_train_batch_end=lambda batch, logs: os.kill(os.getpid(), signal.SIGINT))
        return [killer] + original(cfg, interrupt)

    original = session.make_callbacks
    monkeypatch.setattr(session, "make_callbacks", with_killer)
    before = signal.getsignal(signal.SIGINT)
    result = session.train_run({**small_config, "epochs": 50}, out=tmp_path / "cut", verbose=0, echo=_quiet)
    assert signal.getsignal(signal.SIGINT) is before
    assert result.interrupted
    metrics = json.loads((tmp_path / "cut" / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["epochs_run"] == 1 and metrics["epochs_planned"] == 50
    assert (tmp_path / "cut" / "model.neurona").is_file()
    assert session.describe_result(result)[0] == "Interrupted after 1 of 50 epochs; saved what was reached."


def test_early_stopping_is_recorded(small_config, tmp_path):
    cfg = config.validate({**small_config, "epochs": 40, "early_stopping": {"patience": 0, "min_delta": 10.0}})
    result = session.train_run(cfg, out=tmp_path / "early", verbose=0, echo=_quiet, plots=False)
    assert result.metrics["stopped_early"] is True
    assert result.metrics["epochs_run"] == 2
    assert session.describe_result(result)[0] == "Stopped early after 2 of 40 epochs."


def test_an_existing_folder_is_refused_before_training(small_config, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "config.json").write_text("{}")
    with pytest.raises(FileExistsError, match="already exists"):
        session.train_run(small_config, out=tmp_path / "taken", verbose=0, echo=_quiet)


def test_keras_format(small_config, tmp_path):
    pytest.importorskip("h5py")
    result = session.train_run({**small_config, "model_format": "keras"}, out=tmp_path / "k", verbose=0,
                               echo=_quiet, plots=False)
    model = load_model(result.run_dir / "model.keras")
    np.testing.assert_array_equal(model.get_weights()[0], result.model.get_weights()[0])


def test_scratch_trainer_makes_a_normal_model(binary_npz, tmp_path):
    cfg = config.resolve("seed001", overrides={"dataset": str(binary_npz), "epochs": 300,
                                                "optimizer_params": {"learning_rate": 0.5}})
    lines = []
    result = session.train_run(cfg, out=tmp_path / "cat", verbose=1, echo=lines.append)
    assert lines[1].startswith("Cost after iteration 0: ") and lines[-1].startswith("Cost after iteration 299: ")
    model = load_model(result.run_dir / "model.neurona")
    assert model.output_shape == (1,) and model.dtype == np.float64
    assert result.metrics["epochs_run"] == 300
    assert result.metrics["final_train_loss"] == pytest.approx(float(lines[-1].split(": ")[1]))
    assert result.metrics["test_accuracy"] >= 0.9
    assert (result.run_dir / "first_layer_weights.png").is_file()


def test_scratch_trainer_needs_two_classes(striped_npz, tmp_path):
    cfg = config.resolve("seed001", overrides={"dataset": str(striped_npz), "epochs": 2})
    with pytest.raises(ValueError, match="two classes"):
        session.train_run(cfg, out=tmp_path / "x", verbose=0, echo=_quiet)


CNN_LAYERS = [
    {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
    {"class_name": "MaxPooling2D", "config": {"pool_size": 2}},
    {"class_name": "Flatten"},
    {"class_name": "Dense", "config": {"units": 4, "activation": "softmax"}},
]


@pytest.fixture
def cnn_config(small_config):
    return config.validate({**small_config, "name": "striped-cnn", "input": "image", "hidden_layers": None,
                            "layers": CNN_LAYERS, "epochs": 4, "batch_size": 8})


def test_a_layer_list_run_writes_its_layers_and_the_convolutions_plots(cnn_config, tmp_path):
    lines = []
    result = session.train_run(cnn_config, out=tmp_path / "cnn", verbose=0, echo=lines.append)
    assert lines[0].startswith("Run striped-cnn: 8x8x1 -> Conv2D(4, 3x3) -> MaxPooling2D(2x2) -> Flatten -> "
                               "Dense(4) (188 parameters) on striped, ")
    names = {path.name for path in result.run_dir.iterdir()}
    assert {"conv_filters.png", "feature_maps.png"} <= names and "first_layer_weights.png" not in names
    saved = json.loads((result.run_dir / "config.json").read_text())
    assert saved["layers"][0] == CNN_LAYERS[0] and saved["hidden_layers"] is None
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["model"]["input_shape"] == [8, 8, 1]
    assert metrics["model"]["layers"] == ["Conv2D(4, 3x3)", "MaxPooling2D(2x2)", "Flatten", "Dense(4)"]
    assert metrics["model"]["parameters"] == 4 * 9 + 4 + 3 * 3 * 4 * 4 + 4
    assert metrics["test_accuracy"] > 0.5
    assert load_model(result.run_dir / "model.neurona").input_shape == (8, 8, 1)
    page = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert 'src="conv_filters.png"' in page and 'src="feature_maps.png"' in page
    assert "first convolution&#x27;s filters" in page


def test_a_layer_list_run_re_runs_from_its_config(cnn_config, tmp_path):
    first = session.train_run(cnn_config, out=tmp_path / "a", verbose=0, echo=_quiet, plots=False)
    again = config.resolve(config_file=first.run_dir / "config.json")
    assert again == cnn_config
    second = session.train_run(again, out=tmp_path / "b", verbose=0, echo=_quiet, plots=False)
    assert all(np.array_equal(left, right) for left, right in zip(first.model.get_weights(),
                                                                  second.model.get_weights()))


def test_a_layer_list_that_does_not_fit_stops_before_training(cnn_config, tmp_path):
    wrong = config.validate({**cnn_config, "layers": CNN_LAYERS[:3] + [
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}]})
    with pytest.raises(ValueError, match=r"outputs of shape \(10,\), but .* on 4 classes needs \(4,\)"):
        session.train_run(wrong, out=tmp_path / "wrong", verbose=0, echo=_quiet)
    assert not (tmp_path / "wrong").exists() and not list(tmp_path.glob("*.partial"))


def test_a_model_the_keras_formats_cannot_hold_stops_before_training(small_config, tmp_path):
    leaky = {"class_name": "Dense", "config": {"units": 16, "activation": {"name": "leaky_relu",
                                                                         "config": {"alpha": 0.1}}}}
    cfg = config.validate({**small_config, "hidden_layers": None, "model_format": "keras", "layers": [
        {"class_name": "Flatten"}, leaky, {"class_name": "Dense", "config": {"units": 4, "activation": "softmax"}}]})
    lines = []
    with pytest.raises(ValueError, match="model_format 'keras' cannot hold this model: model.keras: .*leaky_relu"
                                         ".*Use model_format 'neurona'"):
        session.train_run(cfg, out=tmp_path / "k", verbose=0, echo=lines.append)
    assert lines == [] and not (tmp_path / "k").exists()


def test_a_convolutional_run_in_keras_format(cnn_config, tmp_path):
    pytest.importorskip("h5py")
    result = session.train_run({**cnn_config, "model_format": "keras"}, out=tmp_path / "k", verbose=0,
                               echo=_quiet, plots=False)
    model = load_model(result.run_dir / "model.keras")
    assert model.input_shape == (8, 8, 1)
    assert all(np.array_equal(left, right) for left, right in zip(model.get_weights(), result.model.get_weights()))


def test_a_run_says_how_long_is_left_between_epochs(small_config, tmp_path):
    lines = []
    session.train_run({**small_config, "epochs": 3}, out=tmp_path / "run", echo=lines.append, plots=False)
    progress = [line for line in lines if line.startswith("Run: ")]
    assert [line.split(",")[0] for line in progress] == ["Run: 1/3 epochs", "Run: 2/3 epochs"]
    assert all(line.endswith(" left.") and "so far, about" in line for line in progress)


def test_a_schedule_left_without_a_length_lasts_the_run_and_is_logged(small_config, tmp_path):
    from neurona.runs import config as run_config

    config = run_config.validate({**small_config, "epochs": 4, "optimizer": "adam", "optimizer_params": {
        "learning_rate": {"class_name": "OneCycle", "config": {"max_lr": 0.01}}}})
    result = session.train_run(config, out=tmp_path / "run", verbose=0, echo=lambda line: None, plots=False)
    schedule = result.model.optimizer.learning_rate_schedule
    steps = 4 * -(-120 // 16)  # 120 training images (a quarter validates), batches of 16
    assert schedule.total_steps == steps and result.model.optimizer.iterations == steps
    rates = result.history["learning_rate"]
    assert len(rates) == 4 and rates[-1] < rates[0] < 0.01
    assert "learning_rate" in (result.run_dir / "history.csv").read_text().splitlines()[0]


def test_augmentation_and_label_smoothing_from_the_config(small_config, tmp_path):
    from neurona.runs import config as run_config

    config = run_config.validate({**small_config, "input": "image", "augment": "digits",
                                  "loss": "categorical_crossentropy", "loss_params": {"label_smoothing": 0.1}})
    result = session.train_run(config, out=tmp_path / "run", verbose=0, echo=lambda line: None, plots=False)
    names = [type(layer).__name__ for layer in result.model.layers]
    assert names[:3] == ["RandomRotation", "RandomZoom", "RandomTranslation"]
    assert result.model.loss.get_config()["label_smoothing"] == 0.1
    with pytest.raises(run_config.ConfigError, match="augment 'digits' transforms images: set input 'image'"):
        run_config.validate({**small_config, "augment": "digits"})
    with pytest.raises(run_config.ConfigError, match="'loss_params' is refused by"):
        run_config.validate({**small_config, "loss_params": {"label_smoothing": 0.1}})
