"""An output activation with its cross-entropy: loss, gradient and accuracy in one pass.

From the last layer's logits z (batch, outputs) and the targets, each kernel computes the
probabilities p = softmax(z) (or sigmoid(z)), and returns

    loss_sum = sum over samples of the per-sample loss, with p clipped to [low, high]
               before the logarithm, as Keras clips ([eps, 1 - eps] rounded to the logits'
               dtype: `clip_bounds`);
    correct  = how many predictions are right (argmax against the label; for the binary loss,
               outputs on the same side of 0.5 as their target);

while writing dLoss/dz for the batch-mean loss into `out` (which may be `z`):
(p - y) / batch, divided also by the number of outputs for the binary loss. The sums are
taken in float64.
"""

import functools
import math

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled
from neurona.kernels.activations import sigmoid, softmax, softmax_row


@compiled()
def _argmax_row(values, i):
    """Compiled helper: the column of row i's largest value, the first one on ties (as
    np.argmax)."""
    best = 0
    for j in range(1, values.shape[1]):
        if values[i, j] > values[i, best]:
            best = j
    return best


def clip_probabilities(probs, eps):
    """probs clipped to [eps, 1 - eps]: np.minimum(np.maximum(...)) is np.clip without its
    dispatch overhead on small batches."""
    return np.minimum(np.maximum(probs, eps), 1.0 - eps)


@functools.lru_cache(maxsize=None)
def clip_bounds(eps, dtype):
    """(eps, 1 - eps) as `dtype` rounds them, as Python floats: in float32, 1 - 1e-7 is
    0.99999988, and log(1 - p) at the bound is then -15.94, not -16.12."""
    low = np.asarray(eps, dtype=dtype)
    return float(low), float(np.asarray(1.0, dtype=dtype) - low)


def _sum64(values):
    return float(np.add.reduce(values, axis=None, dtype=np.float64))


def softmax_sparse_crossentropy_numpy(logits, labels, low, high, out):
    """Sparse categorical cross-entropy of softmax(logits) against class indices `labels`."""
    batch = logits.shape[0]
    probs = softmax(logits, out=out)
    rows = np.arange(batch)
    loss_sum = _sum64(-np.log(clip_probabilities(probs[rows, labels], low)))
    correct = int(np.count_nonzero(np.argmax(probs, axis=-1) == labels))
    probs[rows, labels] -= 1.0
    probs /= batch
    return loss_sum, correct


@kernel(softmax_sparse_crossentropy_numpy)
@compiled()
def softmax_sparse_crossentropy(logits, labels, low, high, out):
    batch, classes = logits.shape
    loss_sum = 0.0
    correct = 0
    scale = 1.0 / batch
    for i in range(batch):
        for j in range(classes):
            out[i, j] = logits[i, j]
        softmax_row(out, i)
        best = _argmax_row(out, i)
        label = labels[i]
        picked = min(max(out[i, label], low), high)
        loss_sum -= math.log(picked)
        correct += best == label
        for j in range(classes):
            out[i, j] = (out[i, j] - (1.0 if j == label else 0.0)) * scale
    return loss_sum, correct


def softmax_categorical_crossentropy_numpy(logits, targets, low, high, out):
    """Categorical cross-entropy of softmax(logits) against one-hot (or soft) `targets`."""
    batch = logits.shape[0]
    probs = softmax(logits, out=out)
    loss_sum = _sum64(-np.sum(targets * np.log(clip_probabilities(probs, low)), axis=-1))
    correct = int(np.count_nonzero(np.argmax(probs, axis=-1) == np.argmax(targets, axis=-1)))
    np.subtract(probs, targets, out=probs)
    probs /= batch
    return loss_sum, correct


@kernel(softmax_categorical_crossentropy_numpy)
@compiled()
def softmax_categorical_crossentropy(logits, targets, low, high, out):
    batch, classes = logits.shape
    loss_sum = 0.0
    correct = 0
    scale = 1.0 / batch
    for i in range(batch):
        for j in range(classes):
            out[i, j] = logits[i, j]
        softmax_row(out, i)
        correct += _argmax_row(out, i) == _argmax_row(targets, i)
        row_loss = 0.0
        for j in range(classes):
            prob = out[i, j]
            row_loss -= targets[i, j] * math.log(min(max(prob, low), high))
            out[i, j] = (prob - targets[i, j]) * scale
        loss_sum += row_loss
    return loss_sum, correct


def sigmoid_binary_crossentropy_numpy(logits, targets, low, high, out):
    """Binary cross-entropy of sigmoid(logits) against `targets` in [0, 1], averaged over the
    outputs of each sample; `correct` counts outputs, not samples."""
    batch, outputs = logits.shape
    probs = sigmoid(logits, out=out)
    clipped = clip_probabilities(probs, low)
    per_sample = -np.mean(targets * np.log(clipped) + (1.0 - targets) * np.log(1.0 - clipped), axis=-1)
    loss_sum = _sum64(per_sample)
    correct = int(np.count_nonzero((probs > 0.5) == (targets > 0.5)))
    np.subtract(probs, targets, out=probs)
    probs /= batch * outputs
    return loss_sum, correct


@kernel(sigmoid_binary_crossentropy_numpy)
@compiled()
def sigmoid_binary_crossentropy(logits, targets, low, high, out):
    batch, outputs = logits.shape
    loss_sum = 0.0
    correct = 0
    scale = 1.0 / (batch * outputs)
    for i in range(batch):
        row_loss = 0.0
        for j in range(outputs):
            z = logits[i, j]
            e = math.exp(-abs(z))
            prob = 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)
            target = targets[i, j]
            clipped = min(max(prob, low), high)
            row_loss -= target * math.log(clipped) + (1.0 - target) * math.log(1.0 - clipped)
            correct += (prob > 0.5) == (target > 0.5)
            out[i, j] = (prob - target) * scale
        loss_sum += row_loss / outputs
    return loss_sum, correct
