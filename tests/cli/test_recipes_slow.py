"""Every recipe in full from the command line, reaching the engine issue's accuracies (minutes).

The best recipes (mnist-best, fashion-best) take 15 minutes each in full: `make bench-best`
runs them so; here they run shortened (tests/cli/test_best_recipes.py)."""

import json

import pytest

from neurona.runs import recipes

from .report_checks import check_run_folder

pytestmark = pytest.mark.slow


def _check_targets(recipe, metrics):
    targets = recipes.TARGETS[recipe]
    assert metrics["test_accuracy"] >= targets["test_accuracy"], (recipe, metrics["test_accuracy"])
    if "final_train_loss" in targets:
        value, tolerance = targets["final_train_loss"]
        assert metrics["final_train_loss"] == pytest.approx(value, abs=tolerance)


def test_train_with_no_arguments_trains_the_default_recipe(data_dir, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("train")
    assert result.code == 0, result.err
    (run_dir,) = (tmp_path / "runs").iterdir()
    metrics = check_run_folder(run_dir)
    assert json.loads((run_dir / "config.json").read_text())["recipe"] == recipes.DEFAULT_RECIPE
    assert metrics["train_samples"] == 50000 and metrics["validation_samples"] == 10000
    assert metrics["epochs_run"] == 10
    _check_targets(recipes.DEFAULT_RECIPE, metrics)
    print(f"\n{recipes.DEFAULT_RECIPE}: {metrics['test_accuracy']:.4f} in {metrics['train_seconds']:.1f} s")


@pytest.mark.parametrize("recipe", [name for name in recipes.RECIPES
                                    if name != recipes.DEFAULT_RECIPE and name not in recipes.BEST])
def test_recipe_reaches_its_accuracy(recipe, data_dir, run_cli, tmp_path):
    result = run_cli("train", recipe, "--out", tmp_path / recipe, "--quiet")
    assert result.code == 0, result.err
    metrics = check_run_folder(tmp_path / recipe)
    assert metrics["epochs_run"] == recipes.RECIPES[recipe]["epochs"]
    _check_targets(recipe, metrics)
    print(f"\n{recipe}: {metrics['test_accuracy']:.4f} in {metrics['train_seconds']:.1f} s")


def test_compare_on_full_mnist(data_dir, run_cli, tmp_path):
    pytest.importorskip("sklearn")
    result = run_cli("compare", "--data", "mnist", "--out", tmp_path / "cmp")
    assert result.code == 0, result.err
    rows = (tmp_path / "cmp" / "compare.csv").read_text().splitlines()[1:]
    assert sum(",scikit-learn," in row for row in rows) >= 5
    assert sum(",neurona," in row for row in rows) >= 2
    print("\n" + result.out)
