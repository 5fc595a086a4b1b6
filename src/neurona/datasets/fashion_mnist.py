"""Fashion-MNIST (Zalando): 60,000 train + 10,000 test, 28x28 uint8, 10 clothing classes."""

from neurona.datasets.catalog import FASHION_MNIST
from neurona.datasets.loading import load

CLASS_NAMES = FASHION_MNIST.class_names


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    From the first source that has verified data: the data directory, the cache, a Keras
    cache, /usr/share/datasets, the Debian package dataset-fashion-mnist, then the official
    downloads.
    """
    return load(FASHION_MNIST.name).load_data()
