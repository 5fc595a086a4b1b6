"""Central-difference gradients, shared by the gradient-check tests."""

import numpy as np

EPS = 1e-5
TOLERANCE = 1e-7


def numeric_gradient(objective, array, eps=EPS):
    """d objective() / d array by central differences, perturbing `array` in place.

    `objective` takes no arguments: it reads `array` (an input, or a layer's parameter) as it
    is at call time. Every entry is restored before returning.
    """
    grad = np.zeros(array.shape, dtype=np.float64)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = objective()
        array[index] = original - eps
        minus = objective()
        array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(numeric, analytic):
    """||numeric - analytic|| / ||numeric + analytic||; 0 when both are exactly zero."""
    numeric, analytic = np.asarray(numeric, np.float64), np.asarray(analytic, np.float64)
    denominator = np.linalg.norm(numeric + analytic)
    if denominator == 0:
        return float(np.linalg.norm(numeric - analytic))
    return float(np.linalg.norm(numeric - analytic) / denominator)


def assert_gradient_close(numeric, analytic, tolerance=TOLERANCE):
    assert np.shape(numeric) == np.shape(analytic)
    assert np.any(numeric != 0), "a vanishing gradient checks nothing"
    error = relative_error(numeric, analytic)
    assert error < tolerance, f"relative error {error:.3e} >= {tolerance:.0e}"


def away_from_zero(rng, shape, low=0.1, high=2.0):
    """Random values with |value| in [low, high): clear of the kink of relu-like functions."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)
