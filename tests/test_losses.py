import math

import numpy as np
import pytest

from gradient_check import assert_gradient_close, numeric_gradient
from neurona import activations, losses

BATCH, CLASSES = 5, 4


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def one_hot(labels, classes=CLASSES):
    return np.eye(classes)[labels]


def check_gradient(loss, y_true, y_pred):
    analytic = loss.gradient(y_true, y_pred)
    numeric = numeric_gradient(lambda: loss(y_true, y_pred), y_pred)
    assert_gradient_close(numeric, analytic)


def random_labels(rng):
    return rng.integers(0, CLASSES, size=BATCH)


# Gradients with respect to y_pred -------------------------------------------------------------


def test_categorical_crossentropy_gradient(rng):
    probs = activations.softmax(rng.normal(size=(BATCH, CLASSES)))

    check_gradient(losses.CategoricalCrossentropy(), one_hot(random_labels(rng)), probs)


def test_categorical_crossentropy_gradient_with_soft_targets(rng):
    probs = activations.softmax(rng.normal(size=(BATCH, CLASSES)))
    targets = activations.softmax(rng.normal(size=(BATCH, CLASSES)))

    check_gradient(losses.CategoricalCrossentropy(), targets, probs)


def test_sparse_categorical_crossentropy_gradient(rng):
    probs = activations.softmax(rng.normal(size=(BATCH, CLASSES)))

    check_gradient(losses.SparseCategoricalCrossentropy(), random_labels(rng), probs)


def test_binary_crossentropy_gradient(rng):
    probs = activations.sigmoid(rng.normal(size=(BATCH, 3)))
    targets = rng.uniform(size=(BATCH, 3))

    check_gradient(losses.BinaryCrossentropy(), targets, probs)


def test_mean_squared_error_gradient(rng):
    check_gradient(losses.MeanSquaredError(), rng.normal(size=(BATCH, 3)), rng.normal(size=(BATCH, 3)))


def test_categorical_crossentropy_from_logits_gradient(rng):
    loss = losses.CategoricalCrossentropy(from_logits=True)

    check_gradient(loss, one_hot(random_labels(rng)), rng.normal(size=(BATCH, CLASSES)))


def test_sparse_categorical_crossentropy_from_logits_gradient(rng):
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)

    check_gradient(loss, random_labels(rng), rng.normal(size=(BATCH, CLASSES)))


def test_binary_crossentropy_from_logits_gradient(rng):
    loss = losses.BinaryCrossentropy(from_logits=True)

    check_gradient(loss, rng.uniform(size=(BATCH, 3)), rng.normal(scale=3.0, size=(BATCH, 3)))


# Fused gradients through the output activation -----------------------------------------------


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.CategoricalCrossentropy(), lambda rng: one_hot(random_labels(rng))),
        (losses.SparseCategoricalCrossentropy(), random_labels),
    ],
    ids=["categorical", "sparse"],
)
def test_fused_gradient_is_the_gradient_through_softmax(loss, targets, rng):
    y_true = targets(rng)
    logits = rng.normal(size=(BATCH, CLASSES))

    analytic = loss.fused_gradient(y_true, activations.softmax(logits))
    numeric = numeric_gradient(lambda: loss(y_true, activations.softmax(logits)), logits)

    assert_gradient_close(numeric, analytic)


def test_fused_gradient_is_the_gradient_through_sigmoid(rng):
    loss = losses.BinaryCrossentropy()
    y_true = rng.uniform(size=(BATCH, 3))
    logits = rng.normal(size=(BATCH, 3))

    analytic = loss.fused_gradient(y_true, activations.sigmoid(logits))
    numeric = numeric_gradient(lambda: loss(y_true, activations.sigmoid(logits)), logits)

    assert_gradient_close(numeric, analytic)


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.CategoricalCrossentropy(), one_hot([0, 2, 1], 3)),
        (losses.SparseCategoricalCrossentropy(), np.array([0, 2, 1])),
        (losses.BinaryCrossentropy(), np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]])),
    ],
    ids=["categorical", "sparse", "binary"],
)
def test_fused_gradient_into_out(loss, targets, rng):
    probs = activations.softmax(rng.normal(size=(3, 3)))
    expected = loss.fused_gradient(targets, probs)

    in_place = probs.copy()
    assert loss.fused_gradient(targets, in_place, out=in_place) is in_place
    np.testing.assert_allclose(in_place, expected, rtol=1e-15)


# Stability ------------------------------------------------------------------------------------


SATURATED = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.CategoricalCrossentropy(), one_hot([0, 2, 1], 3).astype(np.float32)),
        (losses.SparseCategoricalCrossentropy(), np.array([0, 2, 1])),
        (losses.BinaryCrossentropy(), one_hot([0, 2, 1], 3).astype(np.float32)),
        (losses.MeanSquaredError(), one_hot([0, 2, 1], 3).astype(np.float32)),
    ],
    ids=["categorical", "sparse", "binary", "mse"],
)
def test_saturated_probabilities_give_finite_loss_and_gradient(loss, targets):
    value = loss(targets, SATURATED)
    gradient = loss.gradient(targets, SATURATED)

    assert math.isfinite(value) and value > 0
    assert np.all(np.isfinite(gradient))
    assert gradient.dtype == np.float32


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.CategoricalCrossentropy(from_logits=True), one_hot([0, 2, 1], 3)),
        (losses.SparseCategoricalCrossentropy(from_logits=True), np.array([0, 2, 1])),
        (losses.BinaryCrossentropy(from_logits=True), one_hot([0, 2, 1], 3)),
    ],
    ids=["categorical", "sparse", "binary"],
)
def test_extreme_logits_give_finite_loss_and_gradient(loss, targets):
    logits = 1000.0 * (2 * SATURATED - 1)

    value = loss(targets, logits)
    gradient = loss.gradient(targets, logits)

    assert math.isfinite(value) and value > 100
    assert np.all(np.isfinite(gradient))


def test_a_confident_wrong_prediction_costs_log_of_epsilon():
    value = losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))

    assert value == pytest.approx(-math.log(1e-7))


# Values ---------------------------------------------------------------------------------------


def test_categorical_crossentropy_value():
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    y_pred = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])

    np.testing.assert_allclose(losses.categorical_crossentropy(y_true, y_pred), [-math.log(0.7), math.log(2)])
    assert losses.CategoricalCrossentropy()(y_true, y_pred) == pytest.approx((-math.log(0.7) + math.log(2)) / 2)


def test_sparse_categorical_crossentropy_value():
    y_pred = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])

    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(np.array([1, 0]), y_pred),
                               [-math.log(0.7), math.log(2)])


def test_binary_crossentropy_value():
    y_true = np.array([[1.0, 0.0]])
    y_pred = np.array([[0.8, 0.4]])

    expected = -(math.log(0.8) + math.log(0.6)) / 2
    np.testing.assert_allclose(losses.binary_crossentropy(y_true, y_pred), [expected])


def test_mean_squared_error_value():
    y_true = np.array([[1.0, 2.0], [0.0, 0.0]])
    y_pred = np.array([[1.5, 1.0], [3.0, -1.0]])

    np.testing.assert_allclose(losses.mean_squared_error(y_true, y_pred), [0.625, 5.0])
    assert losses.MeanSquaredError()(y_true, y_pred) == pytest.approx(2.8125)


def test_from_logits_values():
    logits = np.array([[0.0, math.log(2.0), 0.0]])

    assert losses.CategoricalCrossentropy(from_logits=True)([[0.0, 1.0, 0.0]], logits) == pytest.approx(math.log(2))
    assert losses.SparseCategoricalCrossentropy(from_logits=True)([1], logits) == pytest.approx(math.log(2))
    assert losses.BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]]) == pytest.approx(math.log(2))
    assert losses.BinaryCrossentropy(from_logits=True)([[0.0]], [[math.log(3.0)]]) == pytest.approx(math.log(4))


@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy"])
def test_from_logits_agrees_with_probabilities(name, rng):
    logits = rng.normal(size=(BATCH, CLASSES))
    if name == "sparse_categorical_crossentropy":
        y_true = random_labels(rng)
    elif name == "categorical_crossentropy":
        y_true = one_hot(random_labels(rng))
    else:
        y_true = rng.uniform(size=(BATCH, CLASSES))
    squash = activations.sigmoid if name == "binary_crossentropy" else activations.softmax
    cls = type(losses.get(name))

    from_logits = cls(from_logits=True)(y_true, logits)
    from_probs = cls()(y_true, squash(logits))

    assert from_logits == pytest.approx(from_probs, rel=1e-12)


# prepare_targets ------------------------------------------------------------------------------


def test_sparse_loss_rejects_one_hot_targets():
    with pytest.raises(ValueError, match=r"one-hot targets: use categorical_crossentropy"):
        losses.SparseCategoricalCrossentropy().prepare_targets(one_hot([0, 1, 2]), (CLASSES,), "float32")


def test_categorical_loss_rejects_class_indices():
    with pytest.raises(ValueError, match=r"use sparse_categorical_crossentropy, or to_categorical\(y, 4\)"):
        losses.CategoricalCrossentropy().prepare_targets(np.array([0, 1, 3]), (CLASSES,), "float32")


def test_categorical_loss_rejects_a_column_of_indices():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy().prepare_targets(np.array([[0], [3]]), (CLASSES,), "float32")


def test_sparse_loss_rejects_a_label_out_of_range():
    with pytest.raises(ValueError, match=r"class indices in \[0, 9\].*10 outputs.*from 0 to 10"):
        losses.SparseCategoricalCrossentropy().prepare_targets(np.array([0, 3, 10]), (10,), "float32")


def test_sparse_loss_rejects_negative_labels():
    with pytest.raises(ValueError, match=r"class indices in \[0, 9\].*from -1 to 3"):
        losses.SparseCategoricalCrossentropy().prepare_targets(np.array([-1, 3]), (10,), "float32")


def test_sparse_loss_rejects_non_integer_labels():
    with pytest.raises(ValueError, match=r"integer class indices.*non-integer values such as 1.5"):
        losses.SparseCategoricalCrossentropy().prepare_targets(np.array([0.0, 1.5, 2.0]), (10,), "float32")


def test_sparse_loss_accepts_integral_floats_and_a_column():
    loss = losses.SparseCategoricalCrossentropy()

    labels = loss.prepare_targets(np.array([[0.0], [9.0]]), (10,), "float32")

    np.testing.assert_array_equal(labels, [0, 9])
    assert labels.dtype == np.intp


def test_binary_loss_rejects_targets_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"binary_crossentropy expects targets in \[0, 1\].*from -0.5 to 2"):
        losses.BinaryCrossentropy().prepare_targets(np.array([[-0.5], [2.0]]), (1,), "float32")


def test_binary_loss_reshapes_a_flat_target_vector():
    targets = losses.BinaryCrossentropy().prepare_targets(np.array([0, 1, 1]), (1,), "float32")

    assert targets.shape == (3, 1)
    assert targets.dtype == np.float32


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.CategoricalCrossentropy(), np.array([[0.0, np.nan, 1.0, 0.0]])),
        (losses.SparseCategoricalCrossentropy(), np.array([1.0, np.nan])),
        (losses.BinaryCrossentropy(), np.array([[np.nan]])),
        (losses.MeanSquaredError(), np.array([[np.inf, 0.0, 1.0, 2.0]])),
    ],
    ids=["categorical", "sparse", "binary", "mse"],
)
def test_non_finite_targets_are_rejected(loss, targets):
    output_shape = (1,) if isinstance(loss, losses.BinaryCrossentropy) else (CLASSES,)
    with pytest.raises(ValueError, match="NaN or inf"):
        loss.prepare_targets(targets, output_shape, "float32")


def test_non_numeric_targets_are_rejected():
    with pytest.raises(ValueError, match="numeric targets"):
        losses.SparseCategoricalCrossentropy().prepare_targets(np.array(["cat", "dog"]), (2,), "float32")


def test_mean_squared_error_rejects_targets_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"targets of shape \(batch, 3\).*Received targets of shape \(5, 2\)"):
        losses.MeanSquaredError().prepare_targets(np.zeros((5, 2)), (3,), "float32")


def test_prepare_targets_converts_to_the_requested_dtype():
    targets = losses.CategoricalCrossentropy().prepare_targets(one_hot([0, 3]).astype(int), (CLASSES,), "float64")

    assert targets.dtype == np.float64


# Lookup ---------------------------------------------------------------------------------------


def test_unknown_loss_name_is_rejected():
    with pytest.raises(ValueError, match=r"Unknown loss: 'hinge'.*'categorical_crossentropy'"):
        losses.get("hinge")


@pytest.mark.parametrize("alias", ["mse", "MSE", "mean_squared_error"])
def test_mse_aliases(alias):
    assert isinstance(losses.get(alias), losses.MeanSquaredError)
    assert losses.mse is losses.mean_squared_error


@pytest.mark.parametrize(
    "loss",
    [losses.CategoricalCrossentropy(from_logits=True), losses.SparseCategoricalCrossentropy(),
     losses.BinaryCrossentropy(from_logits=True), losses.MeanSquaredError()],
    ids=lambda loss: loss.name,
)
def test_serialize_round_trip(loss):
    restored = losses.deserialize(losses.serialize(loss))

    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()
