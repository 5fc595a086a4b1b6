"""Array helpers the tutorials write by hand: scale, flatten, one-hot, a seeded validation split."""

import math

import numpy as np

from neurona.utils import to_categorical

one_hot = to_categorical  # one-hot labels: (n,) -> (n, num_classes), Keras' to_categorical


def scale(images, dtype="float32"):
    """Pixels 0-255 to [0, 1], as the tutorials' `x.astype("float32") / 255`; shape unchanged."""
    return np.asarray(images).astype(dtype) / 255


def image_shape_of(num_pixels):
    """The image a flat row of `num_pixels` values most likely is: (s, s) when it is a square
    number, (s, s, 3) when it is three times one (RGB), otherwise None."""
    side = math.isqrt(num_pixels)
    if side * side == num_pixels:
        return (side, side)
    side = math.isqrt(num_pixels // 3)
    if num_pixels % 3 == 0 and side * side * 3 == num_pixels:
        return (side, side, 3)
    return None


def flatten(images):
    """(n, rows, cols[, channels]) -> (n, rows * cols[ * channels]), as `x.reshape((n, 784))`."""
    images = np.asarray(images)
    return images.reshape(len(images), -1)


def train_validation_split(x, y, validation_size, seed=None):
    """((x_train, y_train), (x_val, y_val)): a shuffled split, validation taken first.

    Args:
        x, y: arrays with the same first axis n.
        validation_size: number of validation samples (int), or a fraction of n (float in (0, 1)).
        seed: int (np.random.RandomState(seed)), a RandomState or Generator, or None (random).

    With seed=42 this is exactly seed 004's
    `np.random.seed(42); permutation = np.random.permutation(n)`, then the first
    validation_size permuted samples for validation and the rest for training.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"train_validation_split expects x and y of the same length. Received {len(x)} and {len(y)}.")
    count = _validation_count(validation_size, len(x))
    generator = seed if isinstance(seed, (np.random.RandomState, np.random.Generator)) else np.random.RandomState(seed)
    permutation = generator.permutation(len(x))
    validation, train = permutation[:count], permutation[count:]
    return (x[train], y[train]), (x[validation], y[validation])


def _validation_count(validation_size, n):
    if isinstance(validation_size, (int, np.integer)) and not isinstance(validation_size, bool):
        if 0 <= validation_size <= n:
            return int(validation_size)
    elif isinstance(validation_size, float) and 0 < validation_size < 1:
        return int(round(validation_size * n))
    raise ValueError(
        f"validation_size must be a count in [0, {n}] or a fraction in (0, 1). "
        f"Received: validation_size={validation_size!r}"
    )
