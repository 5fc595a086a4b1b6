"""The best recipes shortened to one epoch on the full data: they train, learn, and the MNIST
model reads photos of digits on paper (`tests/digit_photos.py`) at least 19 times in 20.

In full (15 epochs, about 15 minutes each) they are benchmarks: `make bench-best`."""

import json

import numpy as np
import pytest

from digit_photos import make_photos
from neurona.runs import recipes

from .report_checks import check_run_folder

pytestmark = pytest.mark.slow

# One epoch of the one-cycle schedule: well short of the full recipes' 99.6% and 93.5%.
ONE_EPOCH_TARGETS = {"mnist-best": 0.985, "fashion-best": 0.86}


@pytest.fixture(scope="module")
def best_runs(data_dir, tmp_path_factory):
    from neurona.cli.main import main

    runs = {}
    for recipe in recipes.BEST:
        out = tmp_path_factory.mktemp(recipe) / "run"
        assert main(["train", recipe, "--epochs", "1", "--out", str(out), "--quiet"]) == 0
        runs[recipe] = out
    return runs


@pytest.mark.parametrize("recipe", recipes.BEST)
def test_a_best_recipe_trains_and_learns_in_one_epoch(recipe, best_runs):
    metrics = check_run_folder(best_runs[recipe])
    config = json.loads((best_runs[recipe] / "config.json").read_text())
    assert config["augment"] == recipes.RECIPES[recipe]["augment"] and metrics["epochs_run"] == 1
    held_out = int(60000 * recipes.RECIPES[recipe]["validation_split"])
    assert metrics["train_samples"] == 60000 - held_out and metrics["validation_samples"] == held_out
    assert metrics["test_accuracy"] >= ONE_EPOCH_TARGETS[recipe], metrics["test_accuracy"]
    print(f"\n{recipe}, 1 epoch: {metrics['test_accuracy']:.4f} in {metrics['train_seconds']:.1f} s")


def test_the_mnist_model_reads_photos_of_digits(best_runs, run_cli, tmp_path):
    from neurona.datasets import mnist

    (_, _), (test_images, test_labels) = mnist.load_data()
    # Eight handwritten digits (MNIST test images the model never trained on), twelve printed.
    picks = np.random.default_rng(7).choice(len(test_labels), 8, replace=False)
    photos = make_photos(tmp_path / "photos", [(test_images[i], test_labels[i]) for i in picks])
    assert len(photos) == 20
    result = run_cli("predict", best_runs["mnist-best"], *[path for path, _ in photos])
    assert result.code == 0, result.err
    read = _predicted_digits(result.out, [path for path, _ in photos])
    right = sum(read[path.name] == label for path, label in photos)
    wrong = {path.name: read[path.name] for path, label in photos if read[path.name] != label}
    assert right >= 19, f"read {right} of 20; wrong: {wrong}"


def _predicted_digits(output, paths):
    """{file name: the digit `neurona predict` printed for it}."""
    found = {}
    for line in output.splitlines():
        for path in paths:
            if path.name in line and path.name not in found:
                found[path.name] = _digit_after(line, path.name)
    missing = [path.name for path in paths if path.name not in found]
    assert not missing, f"no prediction printed for {missing}:\n{output}"
    return found


def _digit_after(line, name):
    rest = line.split(name, 1)[1]
    digits = [char for char in rest if char.isdigit()]
    return int(digits[0]) if digits else None
