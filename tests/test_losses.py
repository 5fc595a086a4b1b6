import json
import math
from pathlib import Path

import numpy as np
import pytest

from gradient_check import assert_gradient_close, away_from_zero, numeric_gradient
from neurona import activations, backend, losses

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
    with pytest.raises(ValueError, match=r"Unknown loss: 'hingee'.*'categorical_crossentropy'"):
        losses.get("hingee")


@pytest.mark.parametrize("alias", ["mse", "MSE", "mean_squared_error"])
def test_mse_aliases(alias):
    assert isinstance(losses.get(alias), losses.MeanSquaredError)
    assert losses.mse is losses.mean_squared_error


@pytest.mark.parametrize(
    "loss",
    [losses.CategoricalCrossentropy(from_logits=True), losses.SparseCategoricalCrossentropy(),
     losses.BinaryCrossentropy(from_logits=True), losses.MeanSquaredError(), losses.MeanAbsoluteError(),
     losses.Huber(delta=0.5), losses.LogCosh(), losses.Poisson(), losses.KLDivergence(), losses.Hinge(),
     losses.SquaredHinge(), losses.CategoricalHinge(), losses.CosineSimilarity(axis=1)],
    ids=lambda loss: loss.name,
)
def test_serialize_round_trip(loss):
    restored = losses.deserialize(losses.serialize(loss))

    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()


# The losses Keras 3 added to the four above ------------------------------------------------------


def signs(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape)


# (loss, y_true, y_pred) in float64, clear of every kink and clip by more than the step.
GRADIENT_CASES = {
    "mean_absolute_error": lambda rng: (losses.MeanAbsoluteError(), rng.normal(size=(BATCH, 3)),
                                        None),
    "huber_both_regimes": lambda rng: (losses.Huber(), rng.normal(size=(BATCH, 3)), None),
    "huber_delta": lambda rng: (losses.Huber(delta=0.3), rng.normal(size=(BATCH, 3)), None),
    "log_cosh": lambda rng: (losses.LogCosh(), rng.normal(size=(BATCH, 3)), rng.normal(scale=3, size=(BATCH, 3))),
    "poisson": lambda rng: (losses.Poisson(), rng.poisson(2.0, size=(BATCH, 3)).astype(float),
                            rng.uniform(0.2, 4.0, size=(BATCH, 3))),
    "kl_divergence": lambda rng: (losses.KLDivergence(), activations.softmax(rng.normal(size=(BATCH, CLASSES))),
                                  activations.softmax(rng.normal(size=(BATCH, CLASSES)))),
    "kl_divergence_one_hot": lambda rng: (losses.KLDivergence(), one_hot(random_labels(rng)),
                                          activations.softmax(rng.normal(size=(BATCH, CLASSES)))),
    "hinge_signs": lambda rng: (losses.Hinge(), signs(rng, (BATCH, 3)), None),
    "hinge_zero_one": lambda rng: (losses.Hinge(), (signs(rng, (BATCH, 3)) + 1) / 2, None),
    "squared_hinge_signs": lambda rng: (losses.SquaredHinge(), signs(rng, (BATCH, 3)), None),
    "squared_hinge_zero_one": lambda rng: (losses.SquaredHinge(), (signs(rng, (BATCH, 3)) + 1) / 2, None),
    "categorical_hinge": lambda rng: (losses.CategoricalHinge(), one_hot(random_labels(rng)),
                                      rng.normal(scale=0.3, size=(BATCH, CLASSES))),
    "cosine_similarity": lambda rng: (losses.CosineSimilarity(), rng.normal(size=(BATCH, 3)),
                                      rng.normal(size=(BATCH, 3))),
    "cosine_similarity_axis": lambda rng: (losses.CosineSimilarity(axis=1), rng.normal(size=(BATCH, 3, 2)),
                                           rng.normal(size=(BATCH, 3, 2))),
    "cosine_similarity_below_eps": lambda rng: (losses.CosineSimilarity(), rng.normal(size=(BATCH, 3)),
                                                rng.normal(scale=1e-9, size=(BATCH, 3))),
}


def kinked_predictions(loss, y_true, rng):
    """Predictions whose errors (or margins) sit well away from the loss' kinks."""
    if isinstance(loss, (losses.Hinge, losses.SquaredHinge)):
        labels = 2 * y_true - 1 if np.all((y_true == 0) | (y_true == 1)) else y_true
        # Margins 1 - y p in +-[0.1, 2): half the outputs inside the hinge, half outside.
        return (1 - away_from_zero(rng, y_true.shape)) * labels
    error = away_from_zero(rng, y_true.shape, low=0.1, high=2.5)
    if isinstance(loss, losses.Huber):
        error = np.where(np.abs(np.abs(error) - loss.delta) < 0.05, error * 1.2, error)
    return y_true + error


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_gradient_of_every_added_loss(case, rng):
    loss, y_true, y_pred = GRADIENT_CASES[case](rng)
    if y_pred is None:
        y_pred = kinked_predictions(loss, y_true, rng)
    # Below eps, a step of 1e-5 would carry the vector's norm across eps.
    step = 1e-11 if case == "cosine_similarity_below_eps" else 1e-5

    analytic = loss.gradient(y_true, y_pred)
    numeric = numeric_gradient(lambda: loss(y_true, y_pred), y_pred, eps=step)

    assert_gradient_close(numeric, analytic)


def test_huber_test_covers_both_regimes(rng):
    loss, y_true, _ = GRADIENT_CASES["huber_both_regimes"](rng)
    errors = np.abs(kinked_predictions(loss, y_true, rng) - y_true)

    assert np.any(errors < 1.0) and np.any(errors > 1.0)


def test_kl_divergence_gradient_is_zero_where_the_clip_flattens_it():
    y_true = np.array([[0.5, 0.5, 0.0]])
    y_pred = np.array([[1e-9, 0.6, 0.4]])

    gradient = losses.KLDivergence().gradient(y_true, y_pred)

    assert gradient[0, 0] == 0 and gradient[0, 1] != 0


def test_categorical_hinge_shares_the_gradient_of_a_tied_maximum():
    y_true = np.array([[1.0, 0.0, 0.0]])
    y_pred = np.array([[0.5, 0.3, 0.3]])

    np.testing.assert_allclose(losses.CategoricalHinge().gradient(y_true, y_pred), [[-1.0, 0.5, 0.5]])


@pytest.mark.parametrize(
    "loss, y_true, y_pred, expected",
    [
        (losses.MeanAbsoluteError(), [[1.0, 2.0]], [[1.5, 1.0]], 0.75),
        (losses.Huber(), [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]], 0.155),
        (losses.Huber(delta=0.5), [[0.0]], [[2.0]], 0.5 * 2.0 - 0.125),
        (losses.LogCosh(), [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]], math.log(math.cosh(1.0)) / 4),
        (losses.Poisson(), [[2.0]], [[1.0]], 1.0 - 2.0 * math.log(1.0 + 1e-7)),
        (losses.KLDivergence(), [[0.5, 0.5]], [[0.25, 0.75]], 0.5 * math.log(2.0) + 0.5 * math.log(2.0 / 3.0)),
        (losses.Hinge(), [[1.0, 0.0]], [[0.3, 0.2]], (0.7 + 1.2) / 2),
        (losses.Hinge(), [[1.0, -1.0]], [[0.3, 0.2]], (0.7 + 1.2) / 2),
        (losses.SquaredHinge(), [[1.0, 0.0]], [[0.3, 0.2]], (0.49 + 1.44) / 2),
        (losses.CategoricalHinge(), [[0.0, 1.0, 0.0]], [[0.2, 0.5, 0.4]], 0.9),
        (losses.CosineSimilarity(), [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]],
         0.0),
        (losses.CosineSimilarity(), [[3.0, 4.0]], [[6.0, 8.0]], -1.0),
    ],
    ids=lambda value: getattr(value, "name", None),
)
def test_added_loss_values(loss, y_true, y_pred, expected):
    assert loss(y_true, y_pred) == pytest.approx(expected, rel=1e-6)


def test_hinge_keeps_labels_that_are_not_zero_one():
    # Keras maps {0, 1} to {-1, 1} only when every label is 0 or 1.
    assert losses.hinge([[0.0, 0.5]], [[1.0, 1.0]])[0] == pytest.approx((1.0 + 0.5) / 2)


def test_a_zero_vector_has_cosine_similarity_zero():
    assert losses.cosine_similarity([[1.0, 2.0]], [[0.0, 0.0]])[0] == 0.0


@pytest.mark.parametrize(
    "function, cls, kwargs",
    [
        (losses.mean_absolute_error, losses.MeanAbsoluteError, {}),
        (losses.huber, losses.Huber, {"delta": 0.5}),
        (losses.log_cosh, losses.LogCosh, {}),
        (losses.poisson, losses.Poisson, {}),
        (losses.kl_divergence, losses.KLDivergence, {}),
        (losses.hinge, losses.Hinge, {}),
        (losses.squared_hinge, losses.SquaredHinge, {}),
        (losses.categorical_hinge, losses.CategoricalHinge, {}),
        (losses.cosine_similarity, losses.CosineSimilarity, {"axis": -1}),
        (losses.mean_squared_error, losses.MeanSquaredError, {}),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_function_forms_return_per_sample_values(function, cls, kwargs, rng):
    y_true, y_pred = rng.uniform(0.1, 1.0, size=(BATCH, 3)), rng.uniform(0.1, 1.0, size=(BATCH, 3))

    per_sample = function(y_true, y_pred, **kwargs)

    assert per_sample.shape == (BATCH,)
    assert cls(**kwargs)(y_true, y_pred) == pytest.approx(np.mean(per_sample), rel=1e-12)


def test_cross_entropy_function_forms_take_from_logits():
    logits = np.array([[0.0, math.log(2.0), 0.0]])

    np.testing.assert_allclose(losses.categorical_crossentropy([[0.0, 1.0, 0.0]], logits, from_logits=True),
                               [math.log(2)])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy([1], logits, from_logits=True), [math.log(2)])
    np.testing.assert_allclose(losses.binary_crossentropy([[1.0]], [[0.0]], from_logits=True), [math.log(2)])


def test_a_flat_target_vector_matches_a_column_of_predictions():
    # Keras' squeeze_or_expand_to_same_rank: (batch,) against (batch, 1).
    assert losses.MeanAbsoluteError()([1.0, 0.0], [[0.5], [0.5]]) == pytest.approx(0.5)
    np.testing.assert_allclose(losses.mean_absolute_error([[1.0], [0.0]], [0.5, 0.25]), [0.5, 0.25])


def test_sample_weight_weights_each_sample_and_divides_by_the_batch():
    y_true, y_pred = np.zeros((4, 1)), np.array([[1.0], [2.0], [3.0], [4.0]])

    assert losses.MeanAbsoluteError()(y_true, y_pred, sample_weight=[1.0, 0.0, 0.0, 2.0]) == pytest.approx(9 / 4)
    assert losses.MeanAbsoluteError()(y_true, y_pred, sample_weight=[[1.0], [0.0], [0.0], [2.0]]) == \
        pytest.approx(9 / 4)
    assert losses.MeanAbsoluteError()(y_true, y_pred, sample_weight=0.5) == pytest.approx(10 / 8)


def test_sample_weight_of_the_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) does not match the per-sample losses"):
        losses.MeanAbsoluteError()(np.zeros((4, 2)), np.ones((4, 2)), sample_weight=[1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: losses.Huber(delta=0), r"Huber expects delta to be a positive number. Received: delta=0"),
        (lambda: losses.Huber(delta="1"), r"Received: delta='1'"),
        (lambda: losses.CosineSimilarity(axis=1.5),
         r"CosineSimilarity expects axis to be an integer. Received: axis=1.5"),
        (lambda: losses.CosineSimilarity(axis=2)(np.ones((2, 3)), np.ones((2, 3))),
         r"axis=2, out of range for predictions of shape \(2, 3\)"),
        (lambda: losses.Huber.from_config({"delta": 1.0, "reduction": "sum"}),
         r"Huber supports reduction='sum_over_batch_size' only. Received: reduction='sum'"),
    ],
)
def test_bad_loss_arguments_are_named(build, message):
    with pytest.raises(ValueError, match=message):
        build()


KERAS_NAMES = {
    "mean_absolute_error": losses.MeanAbsoluteError, "mae": losses.MeanAbsoluteError, "MAE": losses.MeanAbsoluteError,
    "MeanAbsoluteError": losses.MeanAbsoluteError, "huber": losses.Huber, "Huber": losses.Huber,
    "log_cosh": losses.LogCosh, "LogCosh": losses.LogCosh, "poisson": losses.Poisson, "Poisson": losses.Poisson,
    "kl_divergence": losses.KLDivergence, "kld": losses.KLDivergence, "KLD": losses.KLDivergence,
    "KLDivergence": losses.KLDivergence, "hinge": losses.Hinge, "Hinge": losses.Hinge,
    "squared_hinge": losses.SquaredHinge, "SquaredHinge": losses.SquaredHinge,
    "categorical_hinge": losses.CategoricalHinge, "CategoricalHinge": losses.CategoricalHinge,
    "cosine_similarity": losses.CosineSimilarity, "CosineSimilarity": losses.CosineSimilarity,
    "bce": losses.BinaryCrossentropy, "CategoricalCrossentropy": losses.CategoricalCrossentropy,
    "MeanSquaredError": losses.MeanSquaredError,
}


@pytest.mark.parametrize("name", sorted(KERAS_NAMES))
def test_keras_names_resolve(name):
    assert type(losses.get(name)) is KERAS_NAMES[name]


def test_keras_function_aliases():
    assert losses.mae is losses.MAE is losses.mean_absolute_error
    assert losses.kld is losses.KLD is losses.kl_divergence


def test_from_config_takes_keras_configs():
    loss = losses.Huber.from_config({"name": "huber_loss", "reduction": "sum_over_batch_size", "delta": 2.0})

    assert loss.delta == 2.0
    assert losses.deserialize({"name": "Huber", "config": {"delta": 0.25}}).get_config() == {"delta": 0.25}


def test_fused_step_returns_the_correct_count_with_the_loss():
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]], dtype=np.float32)
    labels = np.array([0, 1])

    loss_function = losses.SparseCategoricalCrossentropy()
    loss, correct, count = loss_function.fused_step(labels, logits.copy(), np.empty_like(logits))

    assert (correct, count) == (1, 2)
    assert loss == pytest.approx(losses.SparseCategoricalCrossentropy()(labels, activations.softmax(logits)), rel=1e-6)
    _, correct, count = losses.BinaryCrossentropy().fused_step(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]]),
                                                              np.empty((1, 2)))
    assert (correct, count) == (1, 2)


@pytest.mark.parametrize("name", ["mean_absolute_error", "huber", "log_cosh"])
def test_a_model_trains_on_an_added_loss(name):
    from neurona.layers import Dense
    from neurona.models import Sequential
    from neurona.optimizers import Adam

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3
    model = Sequential([Dense(1, input_dim=3)])
    model.compile(Adam(0.05), name, metrics=["mae"])

    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)

    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    mae = float(np.mean(np.abs(model.predict(x) - y)))
    assert model.evaluate(x, y, verbose=0)[1] == pytest.approx(mae, rel=1e-5)


# Keras' values (tests/fixtures/keras/losses_metrics.npz, written by tools/make_keras_metric_fixtures.py) ---


FIXTURES = Path(__file__).parent / "fixtures" / "keras" / "losses_metrics.npz"
with np.load(FIXTURES) as _data:
    KERAS = {key: _data[key] for key in _data.files}
KERAS_LOSSES = json.loads(str(KERAS["index"]))["losses"]


@pytest.mark.parametrize("case", sorted(KERAS_LOSSES))
def test_losses_match_keras(case):
    entry, prefix = KERAS_LOSSES[case], f"loss/{case}/"
    y_true, y_pred, weight = (KERAS[prefix + key] for key in ("y_true", "y_pred", "sample_weight"))
    loss = getattr(losses, entry["class"])(**entry["config"])
    function = getattr(losses, entry["function"])
    value, weighted = KERAS[prefix + "values"]

    np.testing.assert_allclose(function(y_true, y_pred, **entry["config"]), KERAS[prefix + "per_sample"],
                               rtol=1e-5, atol=1e-7)
    assert loss(y_true, y_pred) == pytest.approx(float(value), rel=1e-5)
    assert loss(y_true, y_pred, sample_weight=weight) == pytest.approx(float(weighted), rel=1e-5)


def test_every_keras_loss_class_neurona_has_is_in_the_fixtures():
    classes = {entry["class"] for entry in KERAS_LOSSES.values()}

    assert classes == {type(losses.get(name)).__name__ for name in losses._REGISTRY}


def test_float32_losses_stay_float32_and_use_the_epsilon(rng):
    y_true = rng.uniform(size=(BATCH, 3)).astype(np.float32)
    y_pred = rng.uniform(size=(BATCH, 3)).astype(np.float32)
    for name in ("mean_absolute_error", "huber", "log_cosh", "poisson", "kl_divergence", "hinge", "squared_hinge",
                 "categorical_hinge", "cosine_similarity"):
        assert losses.get(name).gradient(y_true, y_pred).dtype == np.float32, name
    assert backend.epsilon() == 1e-7


@pytest.fixture
def float16():
    backend.set_floatx("float16")
    yield
    backend.set_floatx("float32")


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.BinaryCrossentropy(), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], np.float16)),
        (losses.CategoricalCrossentropy(), np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float16)),
        (losses.SparseCategoricalCrossentropy(), np.array([1, 0])),
    ],
    ids=["binary", "categorical", "sparse"],
)
def test_float16_probabilities_of_exactly_0_and_1_give_finite_loss_and_gradient(float16, loss, targets):
    # Every prediction is exactly 0 or 1, right and wrong: 1 - 1e-7 rounds to 1.0 in float16.
    probs = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], np.float16)
    with np.errstate(all="raise"):
        value = loss(targets, probs)
        gradient = loss.gradient(targets, probs)
    assert math.isfinite(value) and value > 0
    assert gradient.dtype == np.float16 and np.all(np.isfinite(gradient))
    # The clip is at float16's own epsilon (2**-10): a confident wrong prediction costs -log(2**-10).
    assert float(np.max(loss.per_sample(targets, probs))) <= -math.log(2.0**-10) + 1e-3
    assert losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]], np.float16), np.array([[1.0, 0.0]], np.float16)) \
        == pytest.approx(-math.log(2.0**-10), rel=1e-3)


def test_float32_and_float64_keep_keras_epsilon():
    for dtype in (np.float32, np.float64):
        value = losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]], dtype), np.array([[1.0, 0.0]], dtype))
        assert value == pytest.approx(-math.log(1e-7), rel=1e-5)


# Label smoothing (Keras' CategoricalCrossentropy and BinaryCrossentropy) ---------------------------

SMOOTHED = [(losses.CategoricalCrossentropy, "categorical_crossentropy"),
            (losses.BinaryCrossentropy, "binary_crossentropy")]


def smoothing_case(name, rng):
    """(y_true, probabilities, logits) for the loss `name`: one-hot or 0/1 targets."""
    if name == "categorical_crossentropy":
        logits = rng.normal(size=(BATCH, CLASSES))
        return one_hot(random_labels(rng)), activations.softmax(logits), logits
    logits = rng.normal(scale=2.0, size=(BATCH, 3))
    return (rng.uniform(size=(BATCH, 3)) > 0.5).astype(np.float64), activations.sigmoid(logits), logits


def test_label_smoothing_matches_keras(rng):
    import inspect
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    for cls, name in SMOOTHED:
        y_true, probs, logits = smoothing_case(name, rng)
        for smoothing in (0.0, 0.1, 0.35, 1.0):
            for from_logits, y_pred in ((False, probs), (True, logits)):
                config = {"from_logits": from_logits, "label_smoothing": smoothing}
                theirs = getattr(keras.losses, cls.__name__)(**config)
                expected = float(theirs(y_true.astype("float32"), y_pred.astype("float32")))
                assert cls(**config)(y_true, y_pred) == pytest.approx(expected, rel=1e-5), (name, config)
                per_sample = np.asarray(getattr(keras.losses, name)(y_true.astype("float32"),
                                                                    y_pred.astype("float32"), **config))
                np.testing.assert_allclose(getattr(losses, name)(y_true, y_pred, **config), per_sample,
                                           rtol=1e-5, err_msg=f"{name} {config}")
                assert cls(**config).get_config() == {key: theirs.get_config()[key] for key in config}
    assert "label_smoothing" not in inspect.signature(keras.losses.SparseCategoricalCrossentropy).parameters


@pytest.mark.parametrize("cls, name", SMOOTHED, ids=[name for _, name in SMOOTHED])
@pytest.mark.parametrize("from_logits", [False, True])
def test_label_smoothing_gradient(float64, cls, name, from_logits, rng):
    y_true, probs, logits = smoothing_case(name, rng)
    loss = cls(from_logits=from_logits, label_smoothing=0.2)
    check_gradient(loss, y_true, logits.copy() if from_logits else probs.copy())
    assert not np.allclose(loss.gradient(y_true, probs), cls(from_logits=from_logits).gradient(y_true, probs))


@pytest.mark.parametrize("cls, name", SMOOTHED, ids=[name for _, name in SMOOTHED])
def test_label_smoothing_fused_gradient_through_the_activation(cls, name, rng):
    y_true, _, logits = smoothing_case(name, rng)
    activation = activations.softmax if name == "categorical_crossentropy" else activations.sigmoid
    loss = cls(label_smoothing=0.3)
    analytic = loss.fused_gradient(y_true, activation(logits))
    numeric = numeric_gradient(lambda: loss(y_true, activation(logits)), logits)
    assert_gradient_close(numeric, analytic)


@pytest.mark.parametrize("cls, name", SMOOTHED, ids=[name for _, name in SMOOTHED])
def test_label_smoothing_in_the_fused_kernel(kernel_path, cls, name, rng):
    y_true, probs, logits = smoothing_case(name, rng)
    plain, smoothed = cls(), cls(label_smoothing=0.25)
    out = np.empty_like(logits)
    loss, correct, count = smoothed.fused_step(y_true, logits.copy(), out)
    assert loss == pytest.approx(smoothed(y_true, probs), rel=1e-12)
    np.testing.assert_allclose(out, smoothed.fused_gradient(y_true, probs), rtol=1e-10, atol=1e-15)
    assert (correct, count) == plain.fused_step(y_true, logits.copy(), np.empty_like(logits))[1:]
    assert abs(loss - plain(y_true, probs)) > 1e-3


def test_full_smoothing_keeps_the_fused_kernel_out():
    assert losses.CategoricalCrossentropy(label_smoothing=1.0).fused_accuracy is None
    assert losses.CategoricalCrossentropy(label_smoothing=0.5).fused_accuracy == "categorical_accuracy"


def test_a_model_trains_with_label_smoothing_on_both_fused_paths():
    from neurona.layers import Dense
    from neurona.models import Sequential

    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = one_hot((x[:, 0] > 0).astype(int) + (x[:, 1] > 0), 3).astype("float32")
    results = []
    for metrics in (["accuracy"], ["accuracy", "mse"]):  # with the kernel, then without it
        model = Sequential([Dense(3, activation="softmax", input_dim=4, kernel_initializer="zeros")])
        model.compile("sgd", losses.CategoricalCrossentropy(label_smoothing=0.2), metrics=metrics)
        results.append(model.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0).history)
    assert results[0]["loss"] == pytest.approx(results[1]["loss"], rel=1e-5)
    assert results[0]["accuracy"] == pytest.approx(results[1]["accuracy"])
    assert results[0]["loss"][-1] < results[0]["loss"][0]


def test_label_smoothing_is_checked_and_round_trips():
    for cls, _ in SMOOTHED:
        with pytest.raises(ValueError, match="label_smoothing in \\[0, 1\\]. Received: label_smoothing=1.5"):
            cls(label_smoothing=1.5)
        loss = cls(from_logits=True, label_smoothing=0.1)
        again = losses.deserialize(json.loads(json.dumps(losses.serialize(loss))))
        assert type(again) is cls and again.get_config() == {"from_logits": True, "label_smoothing": 0.1}
    with pytest.raises(TypeError):
        losses.SparseCategoricalCrossentropy(label_smoothing=0.1)
