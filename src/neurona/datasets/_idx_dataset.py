"""The shared loader of MNIST-layout datasets (four IDX files)."""

from neurona.datasets.idx import DataFormatError, read_idx
from neurona.datasets.paths import find_file

_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def load_idx_dataset(folder):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays, Keras' shapes."""
    x_train, y_train, x_test, y_test = (read_idx(find_file(folder, name)) for name in _FILES)
    for images, labels, split in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if len(images) != len(labels):
            raise DataFormatError(
                f"{folder}/{split}: {len(images)} images but {len(labels)} labels."
            )
    return (x_train, y_train), (x_test, y_test)
