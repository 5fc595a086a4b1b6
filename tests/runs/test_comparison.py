import csv
import io

import pytest

from neurona import datasets
from neurona.runs import baselines, comparison
from neurona.runs.comparison import Entry

ENTRIES = [
    Entry("svc", "SVC(kernel=rbf)", "scikit-learn", 10000, 0.9594, 11.1, 35.1, "subsampled: 10,000 of 60,000"),
    Entry("neurona_seed000", "MLP 784-128-10 adam", "neurona", 60000, 0.9776, 17.0, 0.1),
]


def test_specs_name_every_default_model():
    specs = [baselines.spec(name) for name in baselines.DEFAULT_MODELS]
    assert sum(spec.library == "scikit-learn" for spec in specs) == 5
    assert sum(spec.library == "neurona" for spec in specs) >= 2
    assert {spec.name for spec in specs if spec.slow} == {"svc", "knn"}
    with pytest.raises(ValueError, match="Unknown model 'xgboost'"):
        baselines.spec("xgboost")


def test_neurona_models_use_the_common_split():
    cfg = baselines.neurona_config("neurona_seed000", "fashion_mnist", epochs=2, seed=5)
    assert cfg["limit_train"] is None and cfg["validation_split"] == 0
    assert (cfg["dataset"], cfg["epochs"], cfg["seed"], cfg["hidden_layers"]) == ("fashion_mnist", 2, 5, [128])


def test_table_markdown_and_csv():
    table = comparison.format_table(ENTRIES).splitlines()
    assert table[0].split()[:3] == ["#", "model", "library"]
    assert "95.94%" in table[2] and "subsampled" in table[2]
    markdown = comparison.to_markdown(ENTRIES, "Test accuracy on mnist")
    assert markdown.startswith("# Test accuracy on mnist\n\n| # | model |")
    assert "| 2 | MLP 784-128-10 adam | neurona | 60,000 | 97.76% |" in markdown
    rows = list(csv.DictReader(io.StringIO(comparison.to_csv(ENTRIES))))
    assert rows[0]["name"] == "svc" and rows[0]["test_accuracy"] == "0.9594"


def test_compare_sorts_by_accuracy_and_subsamples_the_slow_ones(striped_npz):
    pytest.importorskip("sklearn")
    dataset = datasets.load(str(striped_npz))
    lines = []
    entries = comparison.compare(dataset, ["knn", "logistic_regression", "neurona_seed003"], subsample=50,
                                 epochs=2, echo=lines.append)
    assert [entry.test_accuracy for entry in entries] == sorted((e.test_accuracy for e in entries), reverse=True)
    by_name = {entry.name: entry for entry in entries}
    assert by_name["knn"].train_samples == 50 and "subsampled: 50 of 160" in by_name["knn"].note
    assert by_name["logistic_regression"].train_samples == 160
    assert by_name["neurona_seed003"].title == "MLP 64-256-4 rmsprop, 2 epochs of 128 (seed003)"
    assert len(lines) == 6
