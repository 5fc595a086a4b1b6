import csv

import pytest

pytest.importorskip("sklearn")


def test_compare_on_an_mnist_subsample(data_dir, run_cli, tmp_path):
    result = run_cli("compare", "--data", "mnist", "--limit-train", "2000", "--limit-test", "500",
                     "--subsample", "1000", "--epochs", "1", "--out", tmp_path / "cmp")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("#  model"))
    table = lines[header + 2:header + 2 + 8]
    assert sum("scikit-learn" in line for line in table) >= 5
    assert sum(" neurona " in line for line in table) >= 2
    accuracies = [float(next(cell for cell in line.split() if cell.endswith("%")).rstrip("%")) for line in table]
    assert accuracies == sorted(accuracies, reverse=True)
    assert any("subsampled: 1,000 of 2,000 training images (slow)" in line for line in table)
    with open(tmp_path / "cmp" / "compare.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {row["library"] for row in rows} == {"scikit-learn", "neurona"} and len(rows) == 8
    markdown = (tmp_path / "cmp" / "compare.md").read_text()
    assert markdown.startswith("# Test accuracy on mnist: 2,000 training images")
    assert markdown.count("\n| ") == 1 + 8


def test_compare_picks_models(data_dir, run_cli, tmp_path):
    result = run_cli("compare", "--models", "knn,neurona_seed000", "--limit-train", "500", "--limit-test", "100",
                     "--epochs", "1", "--out", tmp_path / "two")
    assert result.code == 0, result.err
    assert len((tmp_path / "two" / "compare.csv").read_text().splitlines()) == 3


def test_compare_refuses_unknown_models(run_cli):
    result = run_cli("compare", "--models", "knn,xgboost")
    assert result.code == 2
    assert "unknown model xgboost" in result.err


def test_neurona_rows_are_the_scikit_learn_estimator(striped_npz, run_cli, tmp_path):
    import numpy as np

    from neurona import datasets
    from neurona.runs import baselines
    from neurona.runs.data import model_inputs

    result = run_cli("compare", "--data", striped_npz, "--models", "neurona_seed000", "--epochs", "3", "--seed", "4",
                     "--out", tmp_path / "one")
    assert result.code == 0, result.err
    with open(tmp_path / "one" / "compare.csv", newline="") as file:
        (row,) = list(csv.DictReader(file))
    dataset = datasets.load(str(striped_npz))
    config = baselines.neurona_config("neurona_seed000", dataset.name, epochs=3, seed=4)
    estimator = baselines.make_neurona(config)
    assert (estimator.hidden_layer_sizes, estimator.epochs, estimator.random_state) == ((128,), 3, 4)
    flat = model_inputs(dataset.x_train, (dataset.x_train[0].size,), "float32")
    estimator.fit(flat, dataset.y_train.astype(np.int64))
    test = model_inputs(dataset.x_test, (dataset.x_test[0].size,), "float32")
    assert row["test_accuracy"] == f"{estimator.score(test, dataset.y_test.astype(np.int64)):.4f}"
