"""MNIST handwritten digits: 60,000 train + 10,000 test, 28x28 uint8, labels 0-9."""

from neurona.datasets._idx_dataset import load_idx_dataset


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (60000, 28, 28), (60000,), (10000, 28, 28), (10000,)."""
    return load_idx_dataset("mnist")
