"""`Dataset`: the arrays of a train/test split with their class names, origin and checksums."""

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from neurona.datasets.checksums import array_sha256, manifest_sha256
from neurona.datasets.errors import DataFormatError

PARTS = ("x_train", "y_train", "x_test", "y_test")


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A train/test split of images and integer labels, as Keras' loaders return them.

    Attributes:
        x_train: uint8 images, (n_train, rows, cols) grayscale or (n_train, rows, cols, 3) RGB.
        y_train: labels (n_train,), uint8 (int32 when there are more than 256 classes).
        x_test, y_test: the same for the test split (possibly empty).
        class_names: the name of each label, label i -> class_names[i].
        name: short name ("mnist", or the file or folder it was read from).
        source: where the arrays came from, in words ("data directory /data/mnist").
        checksums: {part: SHA-256 of the array's IDX encoding} (see `checksums`).

    Example:
        >>> data = neurona.datasets.load("mnist")
        >>> (x_train, y_train), (x_test, y_test) = data.load_data()
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str
    checksums: MappingProxyType = field(default_factory=dict)

    @property
    def checksum(self):
        """SHA-256 of the manifest of the four array checksums: one value for the whole set."""
        return manifest_sha256(self.checksums)

    @property
    def image_shape(self):
        """Shape of one image: (rows, cols) or (rows, cols, channels)."""
        return self.x_train.shape[1:]

    def load_data(self):
        """((x_train, y_train), (x_test, y_test)), as `keras.datasets.<name>.load_data()`."""
        return (self.x_train, self.y_train), (self.x_test, self.y_test)

    def parts(self):
        """{"x_train": ..., "y_train": ..., "x_test": ..., "y_test": ...}."""
        return {part: getattr(self, part) for part in PARTS}

    def __repr__(self):
        return (
            f"Dataset({self.name!r}: {len(self.x_train)} train + {len(self.x_test)} test images "
            f"of shape {self.image_shape} {self.x_train.dtype}, {len(self.class_names)} classes, "
            f"from {self.source})"
        )


def make_dataset(parts, *, name, source, class_names=None, origin=None):
    """A checked `Dataset` from {"x_train", "y_train", "x_test", "y_test"} arrays.

    Images become uint8 (whole numbers 0-255 required), labels uint8 or int32 (whole numbers
    >= 0), and image/label counts must agree. `origin` names the data in errors (the source by
    default).
    """
    origin = origin or source
    missing = [part for part in PARTS if part not in parts]
    if missing:
        raise DataFormatError(f"{origin}: no {', '.join(missing)}.")
    arrays = {}
    for split in ("train", "test"):
        images = as_images(parts[f"x_{split}"], f"{origin} (x_{split})")
        labels = as_labels(parts[f"y_{split}"], f"{origin} (y_{split})")
        if len(images) != len(labels):
            raise DataFormatError(
                f"{origin}: {len(images)} {split} images but {len(labels)} {split} labels."
            )
        arrays[f"x_{split}"], arrays[f"y_{split}"] = images, labels
    if arrays["x_test"].size and arrays["x_test"].shape[1:] != arrays["x_train"].shape[1:]:
        raise DataFormatError(
            f"{origin}: train images are {arrays['x_train'].shape[1:]} but test images "
            f"{arrays['x_test'].shape[1:]}."
        )
    class_names = _class_names(class_names, arrays, origin)
    checksums = MappingProxyType({part: array_sha256(arrays[part]) for part in PARTS})
    return Dataset(name=name, class_names=class_names, source=source, checksums=checksums, **arrays)


def as_images(array, origin):
    """`array` as uint8 images with a batch axis; an error naming `origin` if it cannot be."""
    array = np.asarray(array)
    if array.ndim < 2:
        raise DataFormatError(f"{origin}: images need a batch axis and pixels; got shape {array.shape}.")
    if array.dtype == np.uint8:
        return array
    return _whole_numbers(array, origin, "pixel values", low=0, high=255).astype(np.uint8)


def as_labels(array, origin):
    """`array` as class indices of shape (n,): uint8, or int32 when some label exceeds 255."""
    array = np.asarray(array)
    if array.ndim == 2 and 1 in array.shape:  # (n, 1) or (1, n), as some HDF5 files store them
        array = array.reshape(-1)
    if array.ndim != 1:
        raise DataFormatError(f"{origin}: labels must be one per image, shape (n,); got {array.shape}.")
    if array.dtype == np.uint8:
        return array
    array = _whole_numbers(array, origin, "labels", low=0, high=np.iinfo(np.int32).max)
    return array.astype(np.uint8 if array.size == 0 or array.max() <= 255 else np.int32)


def _whole_numbers(array, origin, what, low, high):
    if array.dtype.kind not in "buif":
        raise DataFormatError(f"{origin}: {what} must be numbers; got dtype {array.dtype}.")
    bad = ~((array >= low) & (array <= high))  # NaN compares False, so it is caught here
    if array.dtype.kind == "f":
        bad |= array != np.round(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataFormatError(
            f"{origin}: {what} must be whole numbers in {low}-{high}; found {array[index]} at index {index}."
        )
    return array


def _class_names(class_names, arrays, origin):
    largest = max((int(arrays[part].max()) for part in ("y_train", "y_test") if arrays[part].size), default=-1)
    if class_names is None:
        return tuple(str(label) for label in range(largest + 1))
    class_names = tuple(str(name) for name in class_names)
    if largest >= len(class_names):
        raise DataFormatError(
            f"{origin}: label {largest} found but only {len(class_names)} class names."
        )
    return class_names
