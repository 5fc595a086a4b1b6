import numpy as np
import pytest

from gradient_check import assert_gradient_close, away_from_zero, numeric_gradient
from neurona import regularizers

WEIGHTS = np.array([[1.0, -2.0], [3.0, -0.5]])


@pytest.mark.parametrize(
    "regularizer, expected",
    [
        (regularizers.L1(0.1), 0.1 * 6.5),
        (regularizers.L2(0.1), 0.1 * 14.25),
        (regularizers.L1L2(l1=0.1, l2=0.2), 0.1 * 6.5 + 0.2 * 14.25),
        (regularizers.L1L2(), 0.0),
    ],
    ids=["l1", "l2", "l1_l2", "l1_l2_zero"],
)
def test_penalty_values(regularizer, expected):
    assert regularizer.penalty(WEIGHTS) == pytest.approx(expected)
    assert regularizer(WEIGHTS) == pytest.approx(expected)
    assert isinstance(regularizer.penalty(WEIGHTS), float)


@pytest.mark.parametrize(
    "regularizer",
    [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(l1=0.05, l2=0.4)],
    ids=["l1", "l2", "l1_l2"],
)
def test_gradient_matches_central_differences(regularizer):
    weights = away_from_zero(np.random.default_rng(2), (4, 3))
    grad = np.zeros_like(weights)

    returned = regularizer.add_gradient(weights, grad)

    assert returned is grad
    assert_gradient_close(numeric_gradient(lambda: regularizer.penalty(weights), weights), grad)


def test_add_gradient_accumulates_onto_the_existing_gradient():
    grad = np.ones_like(WEIGHTS)

    regularizers.L2(0.5).add_gradient(WEIGHTS, grad)

    np.testing.assert_allclose(grad, 1.0 + WEIGHTS)


def test_l1_gradient_is_zero_at_zero():
    grad = np.zeros(3)

    regularizers.L1(0.1).add_gradient(np.array([0.0, 2.0, -2.0]), grad)

    np.testing.assert_allclose(grad, [0.0, 0.1, -0.1])


def test_keras_default_factors():
    assert regularizers.L1().l1 == 0.01 and regularizers.L1().l2 == 0.0
    assert regularizers.L2().l2 == 0.01 and regularizers.L2().l1 == 0.0
    assert regularizers.get("l1").l1 == 0.01
    assert regularizers.get("l2").l2 == 0.01


@pytest.mark.parametrize(
    "make, key",
    [(lambda: regularizers.L1(-0.1), "l1"), (lambda: regularizers.L2(-1), "l2"),
     (lambda: regularizers.L1L2(l2=-0.01), "l2"), (lambda: regularizers.L1(float("nan")), "l1"),
     (lambda: regularizers.L2("0.1"), "l2")],
    ids=["l1", "l2", "l1_l2", "nan", "string"],
)
def test_negative_or_invalid_factors_are_rejected(make, key):
    with pytest.raises(ValueError, match=rf"{key} must be a number >= 0"):
        make()


def test_get():
    regularizer = regularizers.L1(0.2)

    assert regularizers.get(None) is None
    assert regularizers.get(regularizer) is regularizer
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    with pytest.raises(ValueError, match=r"Unknown regularizer: 'l3'.*'l1'"):
        regularizers.get("l3")


@pytest.mark.parametrize(
    "regularizer",
    [regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(l1=0.1, l2=0.4), None],
    ids=["l1", "l2", "l1_l2", "none"],
)
def test_serialize_round_trip(regularizer):
    restored = regularizers.deserialize(regularizers.serialize(regularizer))

    if regularizer is None:
        assert restored is None
    else:
        assert type(restored) is type(regularizer)
        assert (restored.l1, restored.l2) == (regularizer.l1, regularizer.l2)
