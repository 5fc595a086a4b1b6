"""What `fit` and `evaluate` read batches from: arrays, or a source of batches.

Arrays are converted to the model's float type once and batched by gathering shuffled rows
into reused buffers. A Python generator, an iterator, a `PyDataset` or a `Sequence` yields
(x, y) or (x, y, sample_weight) batches, each checked and converted as it comes, so the data
need not fit in memory as float32.
"""

import warnings

import numpy as np

from neurona.kernels.gather import gather_rows
from neurona.utils.py_dataset import PyDataset


def is_batch_source(value):
    """A generator, iterator or PyDataset (anything iterable that is not an array or a list)."""
    if isinstance(value, PyDataset):
        return True
    if isinstance(value, (np.ndarray, list, tuple, dict, str, bytes)) or value is None:
        return False
    return hasattr(value, "__next__") or (hasattr(value, "__iter__") and not hasattr(value, "__array__"))


def sample_weights(y, sample_weight, class_weight, count, argument="sample_weight"):
    """Per-sample weights (float64, shape (count,)) from `sample_weight` and `class_weight`
    ({class index: weight}, read from y's class indices or one-hot rows), or None."""
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64)
        if weights.ndim == 2 and weights.shape[1] == 1:
            weights = weights[:, 0]
        if weights.shape != (count,):
            raise ValueError(f"{argument} must have one weight per sample: shape ({count},). "
                             f"Received shape {weights.shape}.")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(f"{argument} must hold finite weights >= 0.")
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise ValueError(f"class_weight must be a dict {{class index: weight}}. Received a "
                             f"{type(class_weight).__name__}.")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            labels = np.argmax(y, axis=1)
        else:
            labels = np.rint(y.reshape(count)).astype(np.int64)
        table = np.ones(int(max(labels.max(initial=0), max(class_weight, default=0))) + 1)
        for label, weight in class_weight.items():
            if not isinstance(label, (int, np.integer)) or label < 0:
                raise ValueError(f"class_weight keys must be class indices >= 0. Received the key {label!r}.")
            table[int(label)] = float(weight)
        by_class = table[labels]
        weights = by_class if weights is None else weights * by_class
    return weights


class ArrayData:
    """Arrays, shuffled and batched for one epoch at a time."""

    def __init__(self, x, y, weights, batch_size, shuffle):
        self.x, self.y, self.weights = x, y, weights
        self.batch_size, self.shuffle = batch_size, shuffle
        self.samples = len(x)
        self.steps = -(-self.samples // batch_size)
        rows = min(batch_size, self.samples)
        self._x_batch = np.empty((rows,) + x.shape[1:], dtype=x.dtype)
        self._y_batch = np.empty((rows,) + y.shape[1:], dtype=y.dtype)
        # The gather kernel copies rows of a 2-D array: samples flattened, as views.
        self._x_rows = x.reshape(self.samples, -1)
        self._x_batch_rows = self._x_batch.reshape(rows, -1)

    def batches(self, epoch_rng):
        """(x, y, weights or None) for each step of an epoch; the permutation comes from the
        epoch's generator, so a seed fixes it."""
        order = epoch_rng.permutation(self.samples) if self.shuffle else None
        for start in range(0, self.samples, self.batch_size):
            stop = min(start + self.batch_size, self.samples)
            if order is None:
                index = slice(start, stop)
                xb, yb = self.x[index], self.y[index]
            else:
                # The indices come from a permutation, so never out of range.
                index = order[start:stop]
                gather_rows(self._x_rows, index, self._x_batch_rows[: stop - start])
                xb = self._x_batch[: stop - start]
                yb = np.take(self.y, index, axis=0, out=self._y_batch[: stop - start], mode="clip")
            yield xb, yb, None if self.weights is None else self.weights[index]

    def end_epoch(self):
        pass


class SourceData:
    """Batches from a generator, an iterator or a PyDataset, converted one at a time by
    `prepare(x, y)` (the model's checks)."""

    def __init__(self, source, steps, prepare, class_weight, shuffle, argument):
        self.source, self.prepare, self.class_weight = source, prepare, class_weight
        self.argument, self.shuffle = argument, shuffle
        self.indexed = isinstance(source, PyDataset) or (hasattr(source, "__getitem__") and hasattr(source, "__len__"))
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1):
            raise ValueError(f"steps must be a positive integer or None. Received: {steps!r}")
        if self.indexed:
            steps = min(steps, len(source)) if steps else len(source)
            if not steps:
                raise ValueError(f"{argument} is an empty {type(source).__name__}: it has no batches.")
        self.steps = steps
        self._iterator = None if self.indexed else iter(source)
        self.exhausted = False

    def batches(self, epoch_rng):
        if self.indexed:
            order = epoch_rng.permutation(self.steps) if self.shuffle else range(self.steps)
            for index in order:
                yield self._converted(self.source[int(index)])
            return
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                if count == 0 or self.steps is not None:
                    self.exhausted = True
                    warnings.warn(
                        f"{self.argument} ran out of data after {count} batches this epoch; training stops. "
                        "Pass steps_per_epoch no larger than what one pass yields, or a generator that "
                        "loops (or a PyDataset).",
                        UserWarning,
                        stacklevel=4,
                    )
                return
            count += 1
            yield self._converted(batch)

    def _converted(self, batch):
        if not (isinstance(batch, (tuple, list)) and len(batch) in (2, 3)):
            raise ValueError(f"{self.argument} must yield (x, y) or (x, y, sample_weight) batches. "
                             f"Received a {type(batch).__name__}"
                             + (f" of length {len(batch)}." if hasattr(batch, "__len__") else "."))
        x, y = self.prepare(batch[0], batch[1])
        weights = sample_weights(y, batch[2] if len(batch) == 3 else None, self.class_weight, len(x),
                                 f"the sample weights {self.argument} yields")
        return x, y, weights

    def end_epoch(self):
        if hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()
