"""Datasets with Keras' loaders: `mnist.load_data()`, `fashion_mnist.load_data()`.

Files are read from the folder named by the NEURONA_DATA_DIR environment variable.
"""

from neurona.datasets import fashion_mnist, mnist
from neurona.datasets.idx import DataFormatError

__all__ = ["DataFormatError", "fashion_mnist", "mnist"]
