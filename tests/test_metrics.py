"""Metric objects: Keras' values, accumulation across batches, names, configs, and fit/evaluate."""

import json
from pathlib import Path

import numpy as np
import pytest

from neurona import backend, losses, metrics
from neurona.callbacks import Callback
from neurona.layers import Dense
from neurona.models import Sequential
from neurona.tensors import Scalar

FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "losses_metrics.npz"
with np.load(FIXTURES) as _data:
    KERAS = {key: _data[key] for key in _data.files}
KERAS_METRICS = json.loads(str(KERAS["index"]))["metrics"]


def keras_calls(case):
    """[(y_true or None, y_pred, sample_weight or None)] of each update_state call of `case`."""
    entry, prefix = KERAS_METRICS[case], f"metric/{case}/"
    cuts = np.cumsum(entry["sizes"])[:-1]
    y_pred = np.split(KERAS[prefix + "y_pred"], cuts)
    y_true = np.split(KERAS[prefix + "y_true"], cuts) if prefix + "y_true" in KERAS else [None] * len(y_pred)
    weighted = [size for size, flag in zip(entry["sizes"], entry["weighted"]) if flag]
    weights = iter(np.split(KERAS[prefix + "sample_weight"], np.cumsum(weighted)[:-1]))
    return [(t, p, next(weights) if flag else None) for t, p, flag in zip(y_true, y_pred, entry["weighted"])]


def update(metric, y_true, y_pred, sample_weight=None):
    if y_true is None:
        metric.update_state(y_pred, sample_weight=sample_weight)
    else:
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)


def make(case):
    entry = KERAS_METRICS[case]
    return getattr(metrics, entry["class"])(**entry["config"])


# Keras' values -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(KERAS_METRICS))
def test_metrics_match_keras_after_each_batch(case):
    metric = make(case)
    tolerance = 1e-4 if KERAS_METRICS[case]["class"] == "AUC" else 1e-5
    for call, expected in zip(keras_calls(case), KERAS[f"metric/{case}/results"]):
        update(metric, *call)
        np.testing.assert_allclose(np.asarray(metric.result()), expected, rtol=tolerance, atol=1e-7)


def test_every_metric_class_is_in_the_fixtures():
    assert {entry["class"] for entry in KERAS_METRICS.values()} == {cls.__name__ for cls in metrics._CLASSES} | {"Mean"}


@pytest.mark.parametrize("case", sorted(KERAS_METRICS))
def test_reset_state_starts_afresh(case):
    calls = keras_calls(case)
    used, fresh = make(case), make(case)
    for call in calls:
        update(used, *call)

    used.reset_state()
    update(used, *calls[-1])
    update(fresh, *calls[-1])

    np.testing.assert_array_equal(np.asarray(used.result()), np.asarray(fresh.result()))


@pytest.mark.parametrize("case", sorted(KERAS_METRICS))
def test_a_batch_in_pieces_gives_the_value_over_the_batch(case):
    """Sums and counts accumulate exactly: two halves give the value of the whole (AUC included)."""
    y_true, y_pred, weight = keras_calls(case)[1]
    whole, halves = make(case), make(case)
    update(whole, y_true, y_pred, weight)
    half = len(y_pred) // 2
    for part in (slice(None, half), slice(half, None)):
        update(halves, None if y_true is None else y_true[part], y_pred[part], weight[part])

    np.testing.assert_allclose(np.asarray(halves.result()), np.asarray(whole.result()), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", sorted(KERAS_METRICS))
def test_config_round_trip(case):
    metric = make(case)
    config = metric.get_config()
    restored = type(metric).from_config(config)

    assert restored.get_config() == config
    for call in keras_calls(case):
        update(metric, *call)
        update(restored, *call)
    np.testing.assert_array_equal(np.asarray(restored.result()), np.asarray(metric.result()))


# Results, names and configs --------------------------------------------------------------------


def test_result_is_a_scalar_with_numpy_and_several_thresholds_give_an_array():
    precision = metrics.Precision()
    precision.update_state([[1], [0], [1]], [[0.9], [0.8], [0.2]])
    several = metrics.Recall(thresholds=[0.1, 0.5])
    several.update_state([[1], [0], [1]], [[0.9], [0.8], [0.2]])

    assert isinstance(precision.result(), Scalar) and precision.result().numpy() == pytest.approx(0.5)
    np.testing.assert_allclose(several.result().numpy(), [1.0, 0.5])


def test_results_before_any_update_are_zero():
    for metric in (metrics.Mean(), metrics.CategoricalAccuracy(), metrics.Precision(), metrics.Recall(),
                   metrics.AUC(), metrics.AUC(curve="PR"), metrics.AUC(multi_label=True)):
        assert metric.result() == 0.0, metric


def test_calling_a_metric_updates_it_and_returns_the_result():
    metric = metrics.BinaryAccuracy()

    assert metric([[1], [0]], [[0.9], [0.6]]) == pytest.approx(0.5)
    assert metric([[1], [1]], [[0.9], [0.6]]) == pytest.approx(0.75)


def test_mean_weights_values():
    mean = metrics.Mean()
    mean.update_state([1.0, 3.0, 5.0, 7.0])
    assert mean.result() == pytest.approx(4.0)

    mean.reset_state()
    mean.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1.0, 1.0, 0.0, 0.0])
    assert mean.result() == pytest.approx(2.0)
    mean.update_state(10.0)
    assert mean.result() == pytest.approx(14.0 / 3.0)


def test_mean_metric_wrapper_averages_per_sample_values_with_keyword_arguments():
    wrapper = metrics.MeanMetricWrapper(losses.huber, name="huber", delta=0.5)
    y_true, y_pred = np.zeros((4, 1)), np.array([[0.1], [2.0], [-1.0], [0.3]])

    wrapper.update_state(y_true, y_pred)

    assert wrapper.result() == pytest.approx(np.mean(losses.huber(y_true, y_pred, delta=0.5)))
    assert wrapper.get_config() == {"name": "huber", "dtype": "float32", "fn": "huber", "delta": 0.5}
    assert metrics.MeanMetricWrapper.from_config(wrapper.get_config()).get_config() == wrapper.get_config()


def test_binary_accuracy_counts_targets_above_one_half_as_positive():
    # For 0/1 labels: Keras' y_true == (y_pred > threshold), at any threshold.
    metric = metrics.BinaryAccuracy(threshold=0.8)
    metric.update_state([[1.0], [0.0], [1.0], [0.0]], [[0.9], [0.7], [0.75], [0.95]])

    assert metric.result() == pytest.approx(0.5)


def test_top_k_counts_ties_at_the_kth_place_as_in():
    metric = metrics.SparseTopKCategoricalAccuracy(k=1)
    metric.update_state([1, 2], [[0.5, 0.5, 0.0], [0.4, 0.3, 0.3]])

    assert metric.result() == pytest.approx(0.5)


def test_sparse_top_k_from_sorted_ids():
    metric = metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    metric.update_state([3, 7, 1], [[3, 1, 0], [0, 1, 7], [2, 1, 9]])

    assert metric.result() == pytest.approx(2 / 3)
    assert metric.get_config()["from_sorted_ids"] is True


@pytest.mark.parametrize(
    "metric, name",
    [
        (metrics.Accuracy(), "accuracy"), (metrics.BinaryAccuracy(), "binary_accuracy"),
        (metrics.CategoricalAccuracy(), "categorical_accuracy"),
        (metrics.SparseCategoricalAccuracy(), "sparse_categorical_accuracy"),
        (metrics.TopKCategoricalAccuracy(), "top_k_categorical_accuracy"),
        (metrics.SparseTopKCategoricalAccuracy(), "sparse_top_k_categorical_accuracy"),
        (metrics.Precision(), "precision"), (metrics.Recall(), "recall"), (metrics.AUC(), "auc"),
        (metrics.MeanSquaredError(), "mean_squared_error"), (metrics.MeanAbsoluteError(), "mean_absolute_error"),
        (metrics.Mean(), "mean"), (metrics.AUC(name="pr_auc", curve="PR"), "pr_auc"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_default_names_are_keras(metric, name):
    assert metric.name == name


def test_keras_defaults_and_configs():
    auc = metrics.AUC()
    assert (auc.num_thresholds, auc.curve, auc.summation_method) == (200, "ROC", "interpolation")
    assert auc.thresholds[0] == pytest.approx(-1e-7) and auc.thresholds[-1] == pytest.approx(1 + 1e-7)
    np.testing.assert_allclose(auc.thresholds[1:-1], np.arange(1, 199) / 199)
    assert auc.get_config() == {"name": "auc", "dtype": "float32", "num_thresholds": 200, "curve": "ROC",
                                "summation_method": "interpolation", "multi_label": False, "num_labels": None,
                                "label_weights": None, "from_logits": False}
    assert metrics.AUC(thresholds=[0.5, 0.25]).get_config()["thresholds"] == [0.25, 0.5]
    assert metrics.Precision().get_config() == {"name": "precision", "dtype": "float32", "thresholds": None,
                                                "top_k": None, "class_id": None}
    assert metrics.Precision().thresholds == [0.5]
    assert metrics.TopKCategoricalAccuracy().k == 5 and metrics.SparseTopKCategoricalAccuracy().k == 5
    assert metrics.BinaryAccuracy().get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.5}


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: metrics.Precision(thresholds=[0.5, 1.5]), r"Precision expects thresholds to be a number or a list of "
                                                           r"numbers in \[0, 1\]. Received: thresholds=\[0.5, 1.5\]"),
        (lambda: metrics.Recall(top_k=0), r"Recall expects top_k to be a positive integer. Received: top_k=0"),
        (lambda: metrics.Precision(class_id=-1), r"Received: class_id=-1"),
        (lambda: metrics.AUC(num_thresholds=1),
         r"AUC expects num_thresholds to be an integer > 1. Received: num_thresholds=1"),
        (lambda: metrics.AUC(curve="ROCC"),
         r"AUC expects curve to be one of \['ROC', 'PR', 'PRGAIN'\]. Received: curve='ROCC'"),
        (lambda: metrics.AUC(summation_method="trapezoid"), r"Received: summation_method='trapezoid'"),
        (lambda: metrics.AUC(num_labels=3), r"AUC takes num_labels only with multi_label=True"),
        (lambda: metrics.TopKCategoricalAccuracy(k=2.5), r"TopKCategoricalAccuracy expects k to be a positive integer"),
        (lambda: metrics.BinaryAccuracy(threshold="half"), r"BinaryAccuracy expects threshold to be a number"),
        (lambda: metrics.MeanMetricWrapper(fn=3), r"MeanMetricWrapper expects fn to be a function. Received: fn=3"),
        (lambda: metrics.Precision(class_id=4).update_state(np.ones((2, 3)), np.ones((2, 3))),
         r"class_id=4 is out of range for predictions with 3 classes"),
        (lambda: metrics.AUC().update_state(np.ones((2, 3)), np.ones((2, 2))),
         r"expect targets shaped like the predictions \(2, 2\). Received targets of shape \(2, 3\)"),
        (lambda: metrics.Mean().update_state(np.ones((2, 3)), sample_weight=np.ones(3)),
         r"sample_weight of shape \(3,\) cannot be broadcast"),
    ],
)
def test_bad_arguments_are_named(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_update_counts_gives_the_update_state_value():
    y_true, y_pred = np.array([0, 2, 1, 1]), np.array([[0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.5, 0.4, 0.1], [0, 1, 0]])
    counted, updated = metrics.SparseCategoricalAccuracy(), metrics.SparseCategoricalAccuracy()

    counted.update_counts(3, 4)
    counted.update_counts(1, 2)
    updated.update_state(y_true, y_pred)
    updated.update_state([0, 1], [[1.0, 0.0], [1.0, 0.0]])

    assert counted.result() == updated.result() == pytest.approx(4 / 6)


def test_accuracy_kinds():
    assert metrics.CategoricalAccuracy().kind == "categorical_accuracy"
    assert metrics.SparseCategoricalAccuracy().kind == "sparse_categorical_accuracy"
    assert metrics.BinaryAccuracy().kind == "binary_accuracy"
    assert metrics.BinaryAccuracy(threshold=0.3).kind is None
    assert metrics.AUC().kind is None and metrics.Accuracy().kind is None


# Lookup ----------------------------------------------------------------------------------------


class FakeLoss:
    def __init__(self, name):
        self.name = name


@pytest.mark.parametrize(
    "loss, outputs, expected",
    [
        ("binary_crossentropy", 3, metrics.BinaryAccuracy), ("mean_squared_error", 1, metrics.BinaryAccuracy),
        ("sparse_categorical_crossentropy", 4, metrics.SparseCategoricalAccuracy),
        ("categorical_crossentropy", 4, metrics.CategoricalAccuracy),
    ],
)
@pytest.mark.parametrize("name", ["accuracy", "acc"])
def test_accuracy_follows_the_loss_and_keeps_its_name(name, loss, outputs, expected):
    metric = metrics.resolve(name, FakeLoss(loss), outputs)

    assert type(metric) is expected and metric.name == name


@pytest.mark.parametrize(
    "identifier, cls",
    [
        ("auc", metrics.AUC), ("AUC", metrics.AUC), ("precision", metrics.Precision), ("Recall", metrics.Recall),
        ("mse", metrics.MeanSquaredError), ("MAE", metrics.MeanAbsoluteError),
        ("mean_squared_error", metrics.MeanSquaredError),
        ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
        ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy),
        ("binary_accuracy", metrics.BinaryAccuracy), ("SparseCategoricalAccuracy", metrics.SparseCategoricalAccuracy),
    ],
)
def test_a_name_resolves_to_its_class_and_names_the_metric(identifier, cls):
    metric = metrics.resolve(identifier, FakeLoss("mse"), 1)

    assert type(metric) is cls and metric.name == identifier


def test_objects_classes_and_functions_resolve():
    auc = metrics.AUC(curve="PR")
    assert metrics.resolve(auc, FakeLoss("mse"), 1) is auc
    assert type(metrics.resolve(metrics.Recall, FakeLoss("mse"), 1)) is metrics.Recall

    known = metrics.resolve(metrics.sparse_categorical_accuracy, FakeLoss("mse"), 3)
    assert type(known) is metrics.SparseCategoricalAccuracy and known.name == "sparse_categorical_accuracy"
    assert type(metrics.resolve(losses.mean_absolute_error, FakeLoss("mse"), 1)) is metrics.MeanAbsoluteError

    def squared_error(y_true, y_pred):
        return (y_true - y_pred) ** 2

    wrapped = metrics.resolve(squared_error, FakeLoss("mse"), 1)
    assert type(wrapped) is metrics.MeanMetricWrapper and wrapped.name == "squared_error"


def test_unknown_metrics_are_rejected():
    with pytest.raises(ValueError, match=r"Unknown metric: 'precisionn'. Expected 'accuracy' or one of \[.*'auc'"):
        metrics.resolve("precisionn", FakeLoss("mse"), 1)
    with pytest.raises(TypeError, match=r"A metric must be a name, a function or a Metric. Received: 3"):
        metrics.resolve(3, FakeLoss("mse"), 1)


def test_get_makes_metric_objects():
    assert type(metrics.get("Precision")) is metrics.Precision
    assert type(metrics.get(metrics.AUC)) is metrics.AUC
    assert metrics.get(losses.hinge) is losses.hinge


# fit, evaluate, train_on_batch -----------------------------------------------------------------


def binary_problem(samples=50, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 4)).astype("float32")
    y = ((x[:, 0] + 0.5 * rng.normal(size=samples)) > 0).astype("float32")
    return x, y


def binary_model(seed=3):
    backend.clear_session()
    np.random.seed(seed)
    return Sequential([Dense(6, activation="relu", input_dim=4), Dense(1, activation="sigmoid")])


class BatchLogs(Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))


def test_epoch_values_are_over_the_whole_epoch_not_means_of_batches():
    x, y = binary_problem()
    model = binary_model()
    # Frozen, the model keeps its predictions through the epoch.
    model.trainable = False
    model.compile("sgd", "binary_crossentropy",
                  metrics=["accuracy", metrics.AUC(), "precision", metrics.Recall(thresholds=[0.3, 0.6])])
    recorder = BatchLogs()

    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])

    probs = model.predict(x)
    expected = {}
    for metric in (metrics.BinaryAccuracy(), metrics.AUC(), metrics.Precision(), metrics.Recall(thresholds=[0.3, 0.6])):
        metric.update_state(y, probs)
        expected[metric] = metric.result()
    accuracy, auc, precision, recall = expected.values()
    assert history.history["accuracy"] == [pytest.approx(accuracy)] * 2
    assert history.history["auc"] == [pytest.approx(auc)] * 2
    assert history.history["precision"] == [pytest.approx(precision)] * 2
    np.testing.assert_allclose(history.history["recall"][-1], recall)
    # Not the mean of the batches' AUCs.
    batch_aucs = []
    for start in range(0, len(x), 8):
        batch = metrics.AUC()
        batch.update_state(y[start:start + 8], probs[start:start + 8])
        batch_aucs.append(batch.result())
    assert abs(np.mean(batch_aucs) - auc) > 1e-3
    # Each batch reports the value so far; the last batch of the epoch the epoch's value.
    first = metrics.AUC()
    first.update_state(y[:8], probs[:8])
    assert recorder.batches[0]["auc"] == pytest.approx(first.result())
    assert recorder.batches[6]["auc"] == pytest.approx(auc)
    assert recorder.batches[7]["auc"] == pytest.approx(first.result())  # reset at the second epoch


def test_evaluate_gives_python_floats_over_all_the_data():
    x, y = binary_problem(seed=1)
    model = binary_model()
    model.compile("adam", "binary_crossentropy", metrics=["auc", metrics.AUC(curve="PR", name="pr"), "mse"])

    values = model.evaluate(x, y, batch_size=7, verbose=0)

    probs = model.predict(x)
    assert all(type(value) is float for value in values)
    assert model.metrics_names == ["loss", "auc", "pr", "mse"]
    roc, pr = metrics.AUC(), metrics.AUC(curve="PR")
    roc.update_state(y, probs)
    pr.update_state(y, probs)
    assert values[1] == pytest.approx(roc.result(), rel=1e-9)
    assert values[2] == pytest.approx(pr.result(), rel=1e-9)
    assert values[3] == pytest.approx(np.mean((probs[:, 0] - y) ** 2), rel=1e-5)
    logs = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
    assert list(logs) == model.metrics_names and all(type(value) is float for value in logs.values())
    # The model's metric objects hold the evaluation's state.
    assert model.compiled_metrics[1].result() == pytest.approx(values[2])


def test_validation_metrics_are_reported_under_val_names():
    x, y = binary_problem()
    model = binary_model()
    model.compile("adam", "binary_crossentropy", metrics=[metrics.Precision(), "recall", metrics.AUC(name="roc")])

    history = model.fit(x, y, epochs=2, validation_split=0.3, verbose=0)

    assert list(history.history) == ["loss", "precision", "recall", "roc", "val_loss", "val_precision",
                                     "val_recall", "val_roc"]
    assert all(type(value) is float for values in history.history.values() for value in values)


def test_train_on_batch_reports_the_batch_alone():
    x, y = binary_problem()
    model = binary_model()
    model.trainable = False
    model.compile("sgd", "binary_crossentropy", metrics=["auc"])
    model.train_on_batch(x[:25], y[:25])

    loss, auc = model.train_on_batch(x[25:], y[25:])

    expected = metrics.AUC()
    expected.update_state(y[25:], model.predict(x[25:]))
    assert type(loss) is float and auc == pytest.approx(expected.result())


def test_a_function_metric_is_averaged_over_samples():
    x, y = binary_problem()
    model = binary_model()

    def absolute_error(y_true, y_pred):
        return np.abs(y_true - y_pred)[:, 0]

    model.trainable = False
    model.compile("sgd", "binary_crossentropy", metrics=[absolute_error])
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)

    assert history.history["absolute_error"][0] == pytest.approx(np.mean(np.abs(model.predict(x)[:, 0] - y)))


@pytest.mark.parametrize("accuracy", ["accuracy", metrics.SparseCategoricalAccuracy(),
                                      metrics.sparse_categorical_accuracy])
def test_the_fused_kernel_counts_accuracy_objects(accuracy):
    model = Sequential([Dense(3, activation="softmax", input_dim=4)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=[accuracy])

    assert model._fused_loss_kernel(model._uses_fused_gradient())


@pytest.mark.parametrize("extra", [metrics.CategoricalAccuracy(), "auc", metrics.BinaryAccuracy(threshold=0.4)])
def test_other_metrics_leave_the_fused_kernel(extra):
    loss = "binary_crossentropy" if isinstance(extra, metrics.BinaryAccuracy) else "sparse_categorical_crossentropy"
    units, activation = (1, "sigmoid") if loss == "binary_crossentropy" else (3, "softmax")
    model = Sequential([Dense(units, activation=activation, input_dim=4)])
    model.compile("adam", loss, metrics=["accuracy", extra])

    assert model._uses_fused_gradient() and not model._fused_loss_kernel(True)


@pytest.mark.parametrize("loss, units, activation", [
    ("sparse_categorical_crossentropy", 3, "softmax"), ("categorical_crossentropy", 3, "softmax"),
    ("binary_crossentropy", 2, "sigmoid"),
])
def test_the_fused_kernel_gives_the_accuracy_of_the_separate_path(loss, units, activation):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(45, 4)).astype("float32")
    labels = rng.integers(0, units, 45)
    y = {"sparse_categorical_crossentropy": labels, "categorical_crossentropy": np.eye(units)[labels],
         "binary_crossentropy": (rng.random((45, units)) > 0.5).astype("float32")}[loss]
    histories = []
    for kernel in (True, False):
        backend.clear_session()
        np.random.seed(0)
        model = Sequential([Dense(units, activation=activation, input_dim=4)])
        model.trainable = False
        model.compile("sgd", loss, metrics=["accuracy"])
        assert model._fused_loss_kernel(True)
        if not kernel:
            # The separate path: the activation, the loss, then the metric's update_state.
            model._fused_loss_kernel = lambda fused: False
        histories.append(model.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0).history)

    assert histories[0]["accuracy"] == histories[1]["accuracy"]
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=1e-6)


def test_the_progress_bar_shows_the_running_values(capsys):
    x, y = binary_problem()
    model = binary_model()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy", metrics.AUC()])

    history = model.fit(x, y, epochs=1, verbose=2)
    model.evaluate(x, y, verbose=1)

    lines = capsys.readouterr().out
    assert f"auc: {history.history['auc'][0]:.4f}" in lines and lines.count("auc: ") == 2


def test_reset_metrics_resets_every_compiled_metric():
    x, y = binary_problem()
    model = binary_model()
    model.compile("adam", "binary_crossentropy", metrics=["auc", "accuracy"])
    model.evaluate(x, y, verbose=0)

    model.reset_metrics()

    assert [metric.result() for metric in model.compiled_metrics] == [0.0, 0.0]
