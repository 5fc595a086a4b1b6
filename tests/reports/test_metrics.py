import numpy as np
import pytest

from neurona.reports.metrics import (
    as_class_indices,
    classification_report,
    confusion_matrix,
    format_classification_report,
)

# Seven samples, three classes: hand-computed below.
Y_TRUE = [0, 0, 1, 1, 2, 2, 2]
Y_PRED = [0, 1, 1, 1, 2, 0, 2]


def test_confusion_matrix_counts_true_rows_predicted_columns():
    expected = [[1, 1, 0],
                [0, 2, 0],
                [1, 0, 2]]
    matrix = confusion_matrix(Y_TRUE, Y_PRED)
    assert matrix.dtype == np.int64
    np.testing.assert_array_equal(matrix, expected)


def test_confusion_matrix_takes_one_hot_and_probabilities():
    one_hot = np.eye(3)[Y_TRUE]
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.1
    np.testing.assert_array_equal(confusion_matrix(one_hot, probabilities), confusion_matrix(Y_TRUE, Y_PRED))


def test_confusion_matrix_pads_to_num_classes():
    matrix = confusion_matrix([0, 1], [0, 1], num_classes=4)
    assert matrix.shape == (4, 4)
    assert matrix.sum() == 2 and matrix[3].sum() == 0


def test_confusion_matrix_rejects_labels_outside_num_classes():
    with pytest.raises(ValueError, match=r"y_pred holds class 5, outside 0..2 \(num_classes=3\)"):
        confusion_matrix([0, 1], [0, 5], num_classes=3)


def test_confusion_matrix_rejects_different_lengths():
    with pytest.raises(ValueError, match="as many samples. Received: 3 and 2"):
        confusion_matrix([0, 1, 2], [0, 1])


def test_as_class_indices_rejects_fractional_labels():
    with pytest.raises(ValueError, match="whole class indices"):
        as_class_indices([0.5, 1.0])
    np.testing.assert_array_equal(as_class_indices(np.array([[2.0], [0.0]])), [2, 0])


def test_classification_report_matches_hand_computed_values():
    report = classification_report(Y_TRUE, Y_PRED, class_names=["zero", "one", "two"])
    # zero: 1 of 2 predicted right, 1 of 2 found. one: 2 of 3, 2 of 2. two: 2 of 2, 2 of 3.
    expected = {
        "zero": (1 / 2, 1 / 2, 1 / 2, 2),
        "one": (2 / 3, 1.0, 0.8, 2),
        "two": (1.0, 2 / 3, 0.8, 3),
    }
    assert [row["label"] for row in report["classes"]] == ["zero", "one", "two"]
    for row in report["classes"]:
        precision, recall, f1, support = expected[row["label"]]
        assert row["precision"] == pytest.approx(precision)
        assert row["recall"] == pytest.approx(recall)
        assert row["f1"] == pytest.approx(f1)
        assert row["support"] == support
    assert report["accuracy"] == pytest.approx(5 / 7)
    assert report["samples"] == 7
    assert report["macro_avg"]["precision"] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert report["macro_avg"]["f1"] == pytest.approx((0.5 + 0.8 + 0.8) / 3)
    assert report["weighted_avg"]["recall"] == pytest.approx((2 * 0.5 + 2 * 1 + 3 * 2 / 3) / 7)
    assert report["weighted_avg"]["support"] == 7


def test_classification_report_gives_zero_for_a_class_never_predicted_or_present():
    # Class 2 is never predicted and class 3 never occurs: no division warnings, zeros instead.
    report = classification_report([0, 1, 2], [0, 1, 1], class_names=list("abcd"))
    rows = {row["label"]: row for row in report["classes"]}
    assert rows["c"]["precision"] == 0.0 and rows["c"]["recall"] == 0.0 and rows["c"]["f1"] == 0.0
    assert rows["d"]["support"] == 0 and rows["d"]["f1"] == 0.0


def test_classification_report_names_classes_by_index_by_default():
    report = classification_report([0, 2], [0, 2])
    assert [row["label"] for row in report["classes"]] == ["0", "1", "2"]


def test_classification_report_matches_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    ours = classification_report(y_true, y_pred)
    theirs = sklearn_metrics.classification_report(y_true, y_pred, labels=range(5), output_dict=True,
                                                   zero_division=0)
    for row in ours["classes"]:
        assert row["precision"] == pytest.approx(theirs[row["label"]]["precision"])
        assert row["recall"] == pytest.approx(theirs[row["label"]]["recall"])
        assert row["f1"] == pytest.approx(theirs[row["label"]]["f1-score"])
    assert ours["macro_avg"]["f1"] == pytest.approx(theirs["macro avg"]["f1-score"])
    assert ours["weighted_avg"]["f1"] == pytest.approx(theirs["weighted avg"]["f1-score"])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), sklearn_metrics.confusion_matrix(y_true, y_pred))


def test_format_classification_report_aligns_one_line_per_class():
    text = format_classification_report(classification_report(Y_TRUE, Y_PRED, ["zero", "one", "two"]))
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1", "support"]
    assert lines[2].split() == ["zero", "0.500", "0.500", "0.500", "2"]
    assert lines[-3].split() == ["accuracy", "0.714", "7"]
    assert lines[-1].split()[:2] == ["weighted", "avg"]
