"""A folder of four IDX files, as MNIST is distributed: train-images-idx3-ubyte[.gz], ...

Read: `train-images`, `train-labels`, `t10k-images`, `t10k-labels`, each `-idxN-ubyte` (or
`.idxN-ubyte`, as some copies name them), raw or `.gz`; a raw file is preferred when both exist.
Write: the same names, gzip or raw.
"""

import gzip
import re

from neurona.utils.atomic import atomic_write
from neurona.datasets.errors import DataFormatError
from neurona.datasets.idx import encode_idx, read_idx

IDX_PREFIXES = {"x_train": "train-images", "y_train": "train-labels",
                "x_test": "t10k-images", "y_test": "t10k-labels"}


def idx_file_name(part, ndim):
    """MNIST's file name for a part: idx_file_name("x_train", 3) -> "train-images-idx3-ubyte"."""
    return f"{IDX_PREFIXES[part]}-idx{ndim}-ubyte"


def find_idx_file(folder, part):
    """Path of the IDX file holding `part` in `folder`; FileNotFoundError naming what is missing."""
    pattern = re.compile(rf"{IDX_PREFIXES[part]}[-.]idx\d-ubyte(\.gz)?")
    names = sorted(path.name for path in folder.iterdir() if pattern.fullmatch(path.name)) if folder.is_dir() else []
    if not names:
        raise FileNotFoundError(f"{folder}: no {IDX_PREFIXES[part]}-idx*-ubyte[.gz] file.")
    return folder / names[0]  # "...-ubyte" sorts before "...-ubyte.gz"


def has_idx_files(folder):
    """Whether `folder` holds at least MNIST's train images as IDX."""
    try:
        find_idx_file(folder, "x_train")
    except FileNotFoundError:
        return False
    return True


def read_idx_folder(folder):
    """({"x_train", "y_train", "x_test", "y_test"} arrays, None) from the four IDX files in `folder`.

    Shapes: images (n, rows, cols[, channels]) uint8, labels (n,).
    """
    paths = {part: find_idx_file(folder, part) for part in IDX_PREFIXES}
    parts = {part: read_idx(path) for part, path in paths.items()}
    check_counts(parts, paths)
    return parts, None


def check_counts(parts, origins):
    """Raise DataFormatError naming the label file when a split's image and label counts differ."""
    for split in ("train", "test"):
        images, labels = parts[f"x_{split}"], parts[f"y_{split}"]
        if len(images) != len(labels):
            raise DataFormatError(
                f"{origins[f'y_{split}']}: {len(labels)} labels but {origins[f'x_{split}']} "
                f"holds {len(images)} images."
            )


def write_idx_folder(dataset, folder, compress=True):
    """Write the four arrays of `dataset` as IDX files in `folder` (atomically); returns the paths."""
    written = []
    for part, array in dataset.parts().items():
        path = folder / (idx_file_name(part, array.ndim) + (".gz" if compress else ""))
        with atomic_write(path) as handle:
            # mtime=0: the same arrays always give the same bytes.
            stream = gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=6, mtime=0) if compress else handle
            for chunk in encode_idx(array):
                stream.write(chunk)
            if compress:
                stream.close()
        written.append(path)
    return written
