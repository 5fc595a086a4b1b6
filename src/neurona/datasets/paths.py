"""Where datasets are read from: the NEURONA_DATA_DIR setting."""

import os
from pathlib import Path

DATA_DIR_VARIABLE = "NEURONA_DATA_DIR"


def data_dir():
    """The data directory from NEURONA_DATA_DIR, or None when it is not set."""
    value = os.environ.get(DATA_DIR_VARIABLE)
    return Path(value).expanduser() if value else None


def find_file(dataset_folder, filename):
    """Path of `<data dir>/<dataset_folder>/<filename>`; a clear error when it is missing."""
    root = data_dir()
    if root is None:
        raise FileNotFoundError(
            f"{filename} not found: set {DATA_DIR_VARIABLE} to a folder holding {dataset_folder}/{filename}."
        )
    path = root / dataset_folder / filename
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (from {DATA_DIR_VARIABLE}={root}).")
    return path
