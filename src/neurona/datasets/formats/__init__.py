"""Dataset file formats: read any of them from a path, write a `Dataset` to any of them.

| format | read from | written as |
| --- | --- | --- |
| idx | a folder of MNIST's four IDX files, raw or .gz | the four .gz files |
| npz | a `.npz` with x_train, y_train, x_test, y_test (Keras' mnist.npz) | `<name>.npz` |
| npy | a folder of x_train.npy, y_train.npy, x_test.npy, y_test.npy | the same |
| csv | `*train*.csv` + `*test*.csv`, or one CSV: label then pixels (seed 000) | `<name>_train.csv`, `<name>_test.csv` |
| csv-split | train_images.csv + train_labels.csv (+ test_*) (seed 001) | the same four |
| hdf5 | a `.h5`, or a folder of them, with cat/non-cat keys (others by `keys=`) | `train_<name>.h5`, `test_<name>.h5` |
| images | class sub-folders of PNG/JPEG/BMP files (optionally under train/ and test/) | train/<class>/0.png ... |
"""

from pathlib import Path

from neurona.datasets.dataset import make_dataset
from neurona.datasets.errors import DataFormatError
from neurona.datasets.formats import csv_files, hdf5, idx_folder, image_folder, numpy_files

READERS = {
    "idx": idx_folder.read_idx_folder,
    "npz": numpy_files.read_npz,
    "npy": numpy_files.read_npy_folder,
    "csv": csv_files.read_labelled_csv_folder,
    "csv-split": csv_files.read_split_csv_folder,
    "hdf5": hdf5.read_hdf5,
    "images": image_folder.read_image_folder,
}
WRITERS = {
    "idx": idx_folder.write_idx_folder,
    "npz": lambda dataset, folder: numpy_files.write_npz(dataset, folder / f"{dataset.name}.npz"),
    "npy": numpy_files.write_npy_folder,
    "csv": csv_files.write_labelled_csv,
    "csv-split": csv_files.write_split_csv,
    "hdf5": hdf5.write_hdf5,
    "images": image_folder.write_image_folder,
}
FORMATS = tuple(READERS)


def detect_format(path):
    """The format of the file or folder at `path` (see the table above)."""
    path = Path(path)
    if path.is_file():
        by_suffix = {".npz": "npz", ".h5": "hdf5", ".hdf5": "hdf5", ".csv": "csv"}
        if path.suffix.lower() in by_suffix:
            return by_suffix[path.suffix.lower()]
        raise DataFormatError(
            f"{path}: cannot tell the format from the suffix; pass format= one of {', '.join(FORMATS)}."
        )
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder.")
    if idx_folder.has_idx_files(path):
        return "idx"
    if (path / "x_train.npy").is_file():
        return "npy"
    if (path / csv_files.SPLIT_FILES["x_train"]).is_file():
        return "csv-split"
    if any(path.glob("*.csv")):
        return "csv"
    if hdf5.hdf5_files(path):
        return "hdf5"
    if len(list(path.glob("*.npz"))) == 1:
        return "npz"
    if any(child.is_dir() and not child.name.startswith(".") for child in path.iterdir()):
        return "images"
    raise DataFormatError(f"{path}: no dataset files found (IDX, npz, npy, CSV, HDF5 or image folders).")


def read_dataset(path, format=None, name=None, **options):
    """A `Dataset` from the file or folder at `path`.

    Args:
        format: one of FORMATS, or None to detect it.
        name: the dataset's name (the file or folder name by default).
        **options: for the reader: image_shape (csv, csv-split), keys (hdf5), image_size,
            color_mode, max_pixels (images).
    """
    path = Path(path)
    format = format or detect_format(path)
    if format not in READERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}. Received: format={format!r}")
    if format == "npz" and path.is_dir():
        path = _single_npz(path)
    arrays, class_names = READERS[format](path, **options)
    name = name or (path.stem if path.is_file() else path.name)
    return make_dataset(arrays, name=name, source=f"{format} {path}", class_names=class_names)


def write_dataset(dataset, folder, format):
    """Write `dataset` in `format` into `folder` (created if needed); returns the written paths."""
    if format not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}. Received: format={format!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return WRITERS[format](dataset, folder)


def _single_npz(folder):
    files = sorted(folder.glob("*.npz"))
    if len(files) != 1:
        raise DataFormatError(f"{folder}: {len(files)} .npz files; name the one to read.")
    return files[0]
