"""Acceptance 4: wrong flags, missing files, models for other inputs, files that are not images:
one clear line on stderr and exit code 2 (usage) or 1 (error), no traceback unless --debug."""

import re

import pytest

SOURCE_LINE = re.compile(r"^\w+: from .+, verified sha256")


def _one_line(result, code, *fragments):
    assert result.code == code, (result.out, result.err)
    assert "Traceback" not in result.err
    if code == 2:  # click's usage errors: the usage line, a hint, then one "Error:" line
        errors = [line for line in result.err_lines if line.startswith("Error:")]
    else:
        # Besides the error, stderr may name where a dataset came from (its first load).
        errors = [line for line in result.err_lines if not SOURCE_LINE.match(line)]
    assert len(errors) == 1, result.err
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


@pytest.mark.parametrize("args, fragment", [
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--bogus"], "--bogus"),
    (["train", "seed999"], "seed999"),
    (["train", "--layers", "12,x"], "--layers"),
    (["evaluate"], "Missing argument 'RUN_OR_MODEL'"),
    (["predict", "model.neurona"], "give IMAGE files, or --index N"),
    (["compare", "--subsample", "-3"], "--subsample"),
])
def test_wrong_flags_exit_2(run_cli, args, fragment):
    _one_line(run_cli(*args), 2, fragment)


def test_recipe_and_config_together_is_a_usage_error(run_cli, tmp_path):
    _one_line(run_cli("train", "seed002", "--config", tmp_path / "c.json"), 2, "not both")


def test_bad_config_values_name_the_key(run_cli, tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"epochs": 3, "optimiser": "adam"}')
    _one_line(run_cli("train", "--config", path), 1, "unknown config key 'optimiser'", "Did you mean 'optimizer'?")
    _one_line(run_cli("train", "--set", "hidden_layers=[0]"), 1, "config key 'hidden_layers'", "hidden_layers=[0]")


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "--index", "0"], ["report"]])
def test_missing_run_folder_or_file(run_cli, tmp_path, command):
    missing = tmp_path / "runs" / "nothing"
    args = [command[0], missing] + command[1:]
    _one_line(run_cli(*args), 1, str(missing))


def test_missing_config_file(run_cli, tmp_path):
    _one_line(run_cli("train", "--config", tmp_path / "none.json"), 1, "Config file not found", "none.json")


def test_missing_dataset(run_cli, tmp_path):
    _one_line(run_cli("train", "--dataset", tmp_path / "no-such-data"), 1, "no-such-data")


def test_a_model_for_other_inputs_names_both_shapes(mnist_run, run_cli, tmp_path):
    line = _one_line(run_cli("evaluate", mnist_run, "--data", "catvnoncat"), 1, "(784,)", "(64, 64, 3)", "catvnoncat")
    assert line.startswith("error: The model expects inputs of shape (784,)")
    _one_line(run_cli("predict", mnist_run, "--index", "3", "--data", "catvnoncat"), 1, "(784,)", "(64, 64, 3)")


def test_a_model_for_other_classes_says_so(mnist_run, run_cli, tmp_path):
    from runs.synthetic import make_striped, save_npz

    parts = make_striped(num_classes=4, side=28)
    parts["y_test"][0] = 11
    path = save_npz(tmp_path / "many.npz", parts, [str(index) for index in range(12)])
    _one_line(run_cli("evaluate", mnist_run, "--data", path), 1, "labels go up to 11", "10 outputs")


def test_a_file_that_is_not_an_image_is_named(mnist_run, run_cli, tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_text("these are words, not pixels")
    _one_line(run_cli("predict", mnist_run, fake), 1, "holiday.jpg", "cannot be read as an image")
    _one_line(run_cli("predict", mnist_run, tmp_path / "absent.png"), 1, "No image file at", "absent.png")


def test_a_file_that_is_not_a_model_is_named(run_cli, tmp_path):
    fake = tmp_path / "model.neurona"
    fake.write_text("hello")
    _one_line(run_cli("evaluate", fake, "--data", "mnist"), 1, "model.neurona")


def test_a_model_file_alone_needs_data(mnist_run, run_cli, tmp_path):
    lone = tmp_path / "lone.neurona"
    lone.write_bytes((mnist_run / "model.neurona").read_bytes())
    _one_line(run_cli("evaluate", lone), 2, "--data")


def test_debug_shows_the_traceback(run_cli, tmp_path):
    result = run_cli("--debug", "report", tmp_path / "nothing")
    assert result.code == 1
    assert "Traceback" in result.err and "Run folder not found" in result.err


def test_a_bad_layer_entry_is_one_line_naming_it(run_cli):
    _one_line(run_cli("train", "--set", 'layers=[{"class_name": "Conv2D", "config": {"filter": 3}}]'), 1,
              "config key 'layers'", "layers[0] (Conv2D)", "no argument 'filter'", "Did you mean 'filters'?")


def test_a_layer_list_for_other_images_stops_before_training(striped_npz, run_cli, tmp_path):
    # The convnet on 8x8 images: the second pooling layer gets 1x1 maps.
    line = _one_line(run_cli("train", "mnist-cnn", "--dataset", striped_npz, "--out", tmp_path / "run"), 1,
                     "layers[3] (MaxPooling2D) cannot take inputs of shape (1, 1, 64)", "pool_size")
    assert line.startswith("error: ")
    assert not (tmp_path / "run").exists()
