import csv

import numpy as np
import pytest

from neurona.layers import Dense, Flatten
from neurona.models import Sequential
from neurona.runs import evaluation


@pytest.fixture
def fixed_model():
    """A 2x2-image model whose class is which half of the image is brighter."""
    model = Sequential([Flatten(input_shape=(2, 2)), Dense(2, activation="softmax")])
    model.layers[1].set_weights([np.array([[5.0, -5.0], [5.0, -5.0], [-5.0, 5.0], [-5.0, 5.0]]), np.zeros(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _images():
    top = np.array([[255, 255], [0, 0]], dtype=np.uint8)
    return np.stack([top, 255 - top, top, top]), np.array([0, 1, 1, 0])


def test_evaluate_model(fixed_model):
    images, labels = _images()
    result = evaluation.evaluate_model(fixed_model, images, labels, ["top", "bottom"])
    assert result.accuracy == 0.75
    assert result.predicted.tolist() == [0, 1, 0, 0]
    assert result.probabilities.shape == (4, 2)
    assert result.loss == pytest.approx(fixed_model.evaluate(images / 255, labels, verbose=0)[0], rel=1e-6)
    assert result.confusion.tolist() == [[2, 0], [1, 1]]
    assert [row["label"] for row in result.report["classes"]] == ["top", "bottom"]


def test_flat_images_fit_an_image_model_and_wrong_sizes_are_named(fixed_model):
    images, labels = _images()
    assert evaluation.evaluate_model(fixed_model, images.reshape(4, 4), labels).accuracy == 0.75
    with pytest.raises(ValueError, match=r"expects inputs of shape \(2, 2\) .* have shape \(3, 3\)"):
        evaluation.evaluate_model(fixed_model, np.zeros((1, 3, 3), np.uint8), [0])


def test_uncompiled_models_get_a_loss():
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    evaluation.ensure_compiled(model)
    assert model.loss.name == "binary_crossentropy"


def test_per_sample_lines_and_csv(fixed_model, tmp_path):
    images, labels = _images()
    result = evaluation.evaluate_model(fixed_model, images, labels, ["top", "bottom"])
    rows = evaluation.per_sample_rows(result)
    lines = [evaluation.format_per_sample(row) for row in rows]
    assert lines[0] == "Nº 1 | Expected result: top | Obtained result: top |  OK  | Accuracy: 100.0 %"
    assert lines[2] == "Nº 3 | Expected result: bottom | Obtained result: top | Fail | Accuracy: 66.67 %"
    path = evaluation.write_per_sample_csv(rows, tmp_path / "per_sample.csv")
    with open(path, newline="") as file:
        read = list(csv.DictReader(file))
    assert [row["outcome"] for row in read] == ["OK", "OK", "Fail", "OK"]
    assert read[3]["running_accuracy"] == "75.0"


def test_format_confusion_aligns_columns():
    text = evaluation.format_confusion(np.array([[1200, 3], [0, 7]]), ["cat", "non-cat"])
    lines = text.splitlines()
    assert lines[0].split() == ["true", "\\", "predicted", "cat", "non-cat"]
    assert lines[1].split() == ["cat", "1,200", "3"]
    assert len({len(line) for line in lines}) == 1
