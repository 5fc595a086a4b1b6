"""Output activation with cross-entropy: loss, gradient and accuracy in one pass, both paths."""

import numpy as np
import pytest

from neurona import losses, metrics
from neurona.kernels import losses as loss_kernels

from .paths import tolerance

pytest.importorskip("numba", reason="these tests compare the NumPy references with the Numba kernels")

EPS = 1e-7


def problem(batch, classes, dtype, seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    logits = (rng.standard_normal((batch, classes)) * scale).astype(dtype)
    labels = rng.integers(0, classes, batch)
    return logits, labels


def run(function, logits, targets):
    out = np.empty_like(logits)
    loss_sum, correct = function(logits, targets, *loss_kernels.clip_bounds(EPS, logits.dtype), out)
    return loss_sum, correct, out


CASES = [(1, 2), (32, 10), (129, 10), (64, 3)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch, classes", CASES)
@pytest.mark.parametrize("kind", ["sparse", "categorical"])
def test_softmax_crossentropy_paths_agree_and_match_the_loss(kind, batch, classes, dtype):
    logits, labels = problem(batch, classes, dtype)
    if kind == "sparse":
        kernel, targets, loss = loss_kernels.softmax_sparse_crossentropy, labels, losses.SparseCategoricalCrossentropy()
        accuracy = metrics.sparse_categorical_accuracy
    else:
        targets = np.eye(classes, dtype=dtype)[labels]
        kernel, loss = loss_kernels.softmax_categorical_crossentropy, losses.CategoricalCrossentropy()
        accuracy = metrics.categorical_accuracy
    reference, compiled = run(kernel.numpy, logits, targets), run(kernel.numba, logits, targets)
    tol = tolerance(dtype)
    np.testing.assert_allclose(compiled[0], reference[0], rtol=tol["rtol"] * 10)
    assert compiled[1] == reference[1]
    np.testing.assert_allclose(compiled[2], reference[2], **tol)
    assert run(kernel.numba, logits, targets)[0] == compiled[0]
    np.testing.assert_array_equal(run(kernel.numba, logits, targets)[2], compiled[2])

    # The same numbers as the separate softmax, loss, metric and fused gradient.
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(reference[0] / batch, loss(targets, probs), rtol=tol["rtol"] * 10)
    assert reference[1] / batch == accuracy(targets, probs)
    np.testing.assert_allclose(reference[2], loss.fused_gradient(targets, probs), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch, outputs", [(1, 1), (209, 1), (16, 3)])
def test_sigmoid_binary_crossentropy_paths_agree_and_match_the_loss(batch, outputs, dtype):
    rng = np.random.default_rng(1)
    logits = (rng.standard_normal((batch, outputs)) * 5).astype(dtype)
    targets = (rng.random((batch, outputs)) > 0.5).astype(dtype)
    kernel = loss_kernels.sigmoid_binary_crossentropy
    reference, compiled = run(kernel.numpy, logits, targets), run(kernel.numba, logits, targets)
    tol = tolerance(dtype)
    # log(1 - p) for p near 1 - eps loses most of float32's digits in the reference, which
    # computes it in float32; the kernel computes it in float64 (1e-4 relative apart at most).
    np.testing.assert_allclose(compiled[0], reference[0], rtol=1e-4 if dtype == np.float32 else 1e-11)
    assert compiled[1] == reference[1]
    np.testing.assert_allclose(compiled[2], reference[2], **tol)
    loss = losses.BinaryCrossentropy()
    probs = 1 / (1 + np.exp(-logits.astype(np.float64)))
    np.testing.assert_allclose(reference[0] / batch, loss(targets, probs), rtol=1e-4 if dtype == np.float32 else 1e-11)
    assert reference[1] / logits.size == metrics.binary_accuracy(targets, probs)


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_saturated_logits_give_the_clipped_loss_not_inf(path):
    logits = np.array([[200.0, -200.0], [-200.0, 200.0]], dtype=np.float32)
    labels = np.array([1, 1])
    loss_sum, correct, grad = run(getattr(loss_kernels.softmax_sparse_crossentropy, path), logits, labels)
    low, high = loss_kernels.clip_bounds(EPS, np.float32)
    assert high == float(np.float32(1) - np.float32(EPS)) < 1 - EPS
    np.testing.assert_allclose(loss_sum, -np.log(low) - np.log(high), rtol=1e-5)
    assert correct == 1 and np.all(np.isfinite(grad))
    loss_sum, _, grad = run(getattr(loss_kernels.sigmoid_binary_crossentropy, path),
                            np.array([[90.0], [-90.0]], np.float32), np.array([[0.0], [0.0]], np.float32))
    # log(1 - high) is log(1.19e-7) in float32, as Keras computes it.
    np.testing.assert_allclose(loss_sum, -np.log(1 - high) - np.log(1 - low), rtol=1e-4)
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("path", ["numpy", "numba"])
def test_ties_count_the_first_largest_class_as_numpy_argmax_does(path):
    logits = np.zeros((2, 3), dtype=np.float32)
    _, correct, _ = run(getattr(loss_kernels.softmax_sparse_crossentropy, path), logits, np.array([0, 1]))
    assert correct == 1
