import gzip
import pickle

import numpy as np
import pytest

from neurona.datasets import DataFormatError
from neurona.datasets.sources.mnist_pickle import read_mnist_pickle

from ..builders import mnist_pickle_gz, small_parts


def test_pixels_come_back_exactly_and_validation_joins_train():
    parts = small_parts(n_train=40, n_test=12)
    arrays = read_mnist_pickle(mnist_pickle_gz(parts, validation=10), "mnist.pkl.gz")
    for part, array in parts.items():
        assert arrays[part].dtype == np.uint8 and arrays[part].shape == array.shape
        np.testing.assert_array_equal(arrays[part], array)


def test_truncated_gzip():
    data = mnist_pickle_gz(small_parts())[:-50]
    with pytest.raises(DataFormatError, match="w.whl:mnist.pkl.gz: cannot be read as gzip"):
        read_mnist_pickle(data, "w.whl:mnist.pkl.gz")


@pytest.mark.parametrize("value, message", [
    ((np.zeros(3),), r"expected \(\(x, y\), \(x, y\), \(x, y\)\)"),
    (((np.zeros((2, 784), np.float32), np.zeros(2, np.int64)),) * 2 + ((np.zeros((2, 10), np.float32), np.zeros(2, np.int64)),),
     r"test images are not a float array of shape \(n, 784\)"),
    (((np.full((2, 784), 0.3, np.float32), np.zeros(2, np.int64)),) * 3, "train pixels are not whole multiples of 1/256"),
    (((np.zeros((2, 784), np.float32), np.array([0.5, 1])),) * 3, r"train labels are not an integer array"),
])
def test_unexpected_content(value, message):
    with pytest.raises(DataFormatError, match=f"origin: {message}"):
        read_mnist_pickle(gzip.compress(pickle.dumps(value, protocol=2)), "origin")


def test_a_hostile_pickle_is_a_format_error():
    data = gzip.compress(b"cos\nsystem\n(S'echo pwned'\ntR.")
    with pytest.raises(DataFormatError, match="origin: not a pickle of NumPy arrays .*refused to load os.system"):
        read_mnist_pickle(data, "origin")
