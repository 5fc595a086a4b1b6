"""NumPy files: one `.npz` (Keras' `mnist.npz` layout) or a folder of four `.npy` files.

Both hold the arrays x_train, y_train, x_test, y_test (and optionally class_names, strings).
Read with allow_pickle=False: an object array is refused, never unpickled.
"""

import zipfile

import numpy as np

from neurona.utils.atomic import atomic_write
from neurona.datasets.errors import DataFormatError

KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_npz(source, origin=None):
    """(arrays, class names or None) from a `.npz` with Keras' keys.

    `source` is a path or a binary file object; `origin` names it in errors (the path by default).
    """
    origin = origin or source
    try:
        archive = np.load(source, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataFormatError(f"{origin}: a single .npy array, not an .npz archive.")
        with archive:
            missing = [key for key in KEYS if key not in archive.files]
            if missing:
                raise DataFormatError(
                    f"{origin}: no {', '.join(missing)} (it holds {', '.join(archive.files) or 'nothing'})."
                )
            arrays = {key: archive[key] for key in KEYS}
            class_names = archive["class_names"].tolist() if "class_names" in archive.files else None
    except DataFormatError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataFormatError(f"{origin}: cannot be read as .npz ({error}).") from error
    return arrays, class_names


def write_npz(dataset, path):
    """Write `dataset` to one `.npz` (Keras' keys plus class_names); returns [path]."""
    with atomic_write(path) as handle:
        np.savez(handle, **dataset.parts(), class_names=np.array(dataset.class_names, dtype=str))
    return [path]


def read_npy_folder(folder):
    """(arrays, class names or None) from x_train.npy, y_train.npy, x_test.npy, y_test.npy
    (and class_names.npy if present) in `folder`."""
    arrays = {key: _read_npy(folder / f"{key}.npy") for key in KEYS}
    names_path = folder / "class_names.npy"
    class_names = _read_npy(names_path).tolist() if names_path.is_file() else None
    return arrays, class_names


def write_npy_folder(dataset, folder):
    """Write each array of `dataset` to `<folder>/<key>.npy` (and class_names.npy); returns the paths."""
    arrays = {**dataset.parts(), "class_names": np.array(dataset.class_names, dtype=str)}
    written = []
    for key, array in arrays.items():
        path = folder / f"{key}.npy"
        with atomic_write(path) as handle:
            np.save(handle, array)
        written.append(path)
    return written


def _read_npy(path):
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found.")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DataFormatError(f"{path}: cannot be read as .npy ({error}).") from error
