"""HDF5 files with named datasets, as the cat/non-cat course files: `train_catvnoncat.h5` holds
train_set_x (209, 64, 64, 3) uint8, train_set_y (209,) and list_classes; `test_catvnoncat.h5`
the same for test. Other names by passing `keys`. Needs h5py (`pip install 'neurona[data]'`).
"""

import numpy as np

from neurona.utils.atomic import atomic_write
from neurona.datasets.errors import DataFormatError, require

CATVNONCAT_KEYS = {"x_train": "train_set_x", "y_train": "train_set_y",
                   "x_test": "test_set_x", "y_test": "test_set_y", "class_names": "list_classes"}
SUFFIXES = (".h5", ".hdf5")


def hdf5_files(folder):
    """The HDF5 files directly in `folder`, sorted by name."""
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in SUFFIXES)


def read_hdf5(path, keys=None):
    """(arrays, class names or None) from one HDF5 file, or from every HDF5 file in a folder.

    Args:
        path: a `.h5` file holding all the keys, or a folder whose `.h5` files hold them between
            them (catvnoncat: train_catvnoncat.h5 and test_catvnoncat.h5).
        keys: {"x_train": name, "y_train": ..., "x_test": ..., "y_test": ..., "class_names":
            ...}; missing entries take the cat/non-cat names; class_names is optional.
    """
    h5py = require("h5py", "reading HDF5 files")
    keys = {**CATVNONCAT_KEYS, **(keys or {})}
    files = hdf5_files(path) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"{path}: no .h5 or .hdf5 file.")
    found, names_seen = {}, []
    for file in files:
        try:
            with h5py.File(file, "r") as handle:
                names_seen += [f"{file.name}:{name}" for name in handle.keys()]
                for part, key in keys.items():
                    if part not in found and key in handle:
                        found[part] = np.asarray(handle[key])
        except OSError as error:
            raise DataFormatError(f"{file}: cannot be read as HDF5 ({error}).") from error
    missing = [keys[part] for part in keys if part != "class_names" and part not in found]
    if missing:
        where = files[0] if len(files) == 1 else f"{path} ({', '.join(file.name for file in files)})"
        raise DataFormatError(
            f"{where}: no dataset {', '.join(missing)} (found: {', '.join(names_seen) or 'none'}); "
            "name others with keys={'x_train': ..., ...}."
        )
    class_names = found.pop("class_names", None)
    if class_names is not None:
        class_names = [name.decode() if isinstance(name, bytes) else str(name) for name in class_names.tolist()]
    return found, class_names


def write_hdf5(dataset, folder, name=None):
    """Write `train_<name>.h5` and `test_<name>.h5` with the cat/non-cat keys; returns the paths."""
    h5py = require("h5py", "writing HDF5 files")
    name = name or dataset.name
    class_names = np.array([class_name.encode() for class_name in dataset.class_names])
    written = []
    for split in ("train", "test"):
        path = folder / f"{split}_{name}.h5"
        with atomic_write(path) as handle, h5py.File(handle, "w") as file:
            file[f"{split}_set_x"] = getattr(dataset, f"x_{split}")
            file[f"{split}_set_y"] = getattr(dataset, f"y_{split}")
            file["list_classes"] = class_names
        written.append(path)
    return written
