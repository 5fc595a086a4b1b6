"""CSV datasets in the two tutorials' layouts.

- "csv" (seed 000): one file per split, `<name>_train.csv` and `<name>_test.csv`, each row the
  label then the pixels (784 columns for MNIST), with or without a header line (detected; we
  write one, since pandas' `read_csv` takes the first line as the header by default).
- "csv-split" (seed 001): flattened images in `train_images.csv` / `test_images.csv` (12288
  columns for 64x64 RGB, values 0-255), labels in `train_labels.csv` / `test_labels.csv`, no
  header (the tutorial reads them with `np.loadtxt`).

Image shapes are inferred from the column count: n*n pixels -> (n, n), 3*n*n -> (n, n, 3).
"""

import math
import warnings

import numpy as np

from neurona.utils.atomic import atomic_write
from neurona.datasets.errors import DataFormatError
from neurona.datasets.preprocessing import image_shape_of

SPLIT_FILES = {"x_train": "train_images.csv", "y_train": "train_labels.csv",
               "x_test": "test_images.csv", "y_test": "test_labels.csv"}
_PIXEL_TEXT = np.array([str(value) for value in range(256)], dtype=object)
_ROWS_PER_WRITE = 2000


def read_table(path):
    """(values, header_lines): the numbers of a comma-separated file as a 2-D array.

    The first line is a header when one of its cells is not a number. Errors name the line (1
    for the first line of the file) and column: a cell that is not a number, a row whose column
    count differs from the first row's, a file without data rows.
    """
    header_lines = int(_is_header(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "input contained no data": reported below
        for dtype in (np.int64, np.float64):  # integers parse four times faster
            try:
                values = np.loadtxt(path, delimiter=",", skiprows=header_lines, dtype=dtype,
                                    ndmin=2, encoding="utf-8-sig")
                break
            except ValueError:
                continue
        else:
            _raise_first_bad_cell(path, header_lines)
    if values.shape[0] == 0:
        raise DataFormatError(f"{path}: no data rows.")
    return values, header_lines


def read_labelled_csv(path, image_shape=None):
    """(images, labels) from a seed-000 CSV: label, then pixels, one image per row.

    Shapes: images (n, *image_shape) uint8 (inferred: 784 pixels -> (28, 28)), labels (n,).
    """
    values, header_lines = read_table(path)
    if values.shape[1] < 2:
        raise DataFormatError(f"{path}: one column only; expected the label, then the pixels.")
    labels = _checked(values[:, :1], path, header_lines, first_column=1, what="label", high=None)
    images = _checked(values[:, 1:], path, header_lines, first_column=2, what="pixel value", high=255)
    return _reshape(images, image_shape, path), labels.reshape(-1)


def read_labelled_csv_folder(folder, image_shape=None):
    """(arrays, None) from `*train*.csv` and `*test*.csv` in `folder` (or one CSV file: train only)."""
    if folder.is_file():
        x_train, y_train = read_labelled_csv(folder, image_shape)
        return {"x_train": x_train, "y_train": y_train,
                "x_test": x_train[:0], "y_test": y_train[:0]}, None
    train, test = (_one_file(folder, f"*{split}*.csv", required=split == "train") for split in ("train", "test"))
    x_train, y_train = read_labelled_csv(train, image_shape)
    x_test, y_test = read_labelled_csv(test, x_train.shape[1:]) if test else (x_train[:0], y_train[:0])
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}, None


def read_split_csv_folder(folder, image_shape=None):
    """(arrays, None) from seed 001's four CSV files in `folder` (the test pair is optional)."""
    x_train, y_train = _read_split_pair(folder, "train", image_shape)
    if (folder / SPLIT_FILES["x_test"]).exists() or (folder / SPLIT_FILES["y_test"]).exists():
        x_test, y_test = _read_split_pair(folder, "test", x_train.shape[1:])
    else:
        x_test, y_test = x_train[:0], y_train[:0]
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}, None


def _read_split_pair(folder, split, image_shape):
    images_path, labels_path = folder / SPLIT_FILES[f"x_{split}"], folder / SPLIT_FILES[f"y_{split}"]
    for path in (images_path, labels_path):
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found.")
    values, header_lines = read_table(images_path)
    images = _checked(values, images_path, header_lines, first_column=1, what="pixel value", high=255)
    values, header_lines = read_table(labels_path)
    if values.shape[1] != 1:
        raise DataFormatError(f"{labels_path}: {values.shape[1]} columns; expected one label per line.")
    labels = _checked(values, labels_path, header_lines, first_column=1, what="label", high=None)
    if len(images) != len(labels):
        raise DataFormatError(
            f"{labels_path}: {len(labels)} labels but {images_path.name} holds {len(images)} images."
        )
    return _reshape(images, image_shape, images_path), labels.reshape(-1)


def write_labelled_csv(dataset, folder, prefix=None):
    """Write `<prefix>_train.csv` and `<prefix>_test.csv` (header, then label and pixels per row);
    an empty test split writes no file."""
    prefix = prefix or dataset.name
    written = []
    for split in _splits_to_write(dataset):
        images, labels = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        pixels = images.reshape(len(images), -1)
        header = ",".join(["label"] + [f"pixel{i}" for i in range(pixels.shape[1])])
        path = folder / f"{prefix}_{split}.csv"
        _write_lines(path, [header], (f"{label},{_pixel_row(row)}" for label, row in zip(labels.tolist(), pixels)))
        written.append(path)
    return written


def write_split_csv(dataset, folder):
    """Write seed 001's four files: flattened images and labels per split, no header (an empty
    test split writes no file)."""
    written = []
    for part, name in SPLIT_FILES.items():
        if part.split("_")[1] not in _splits_to_write(dataset):
            continue
        array = getattr(dataset, part)
        if part.startswith("x"):
            rows = (_pixel_row(row) for row in array.reshape(len(array), -1))
        else:
            rows = map(str, array.tolist())
        _write_lines(folder / name, [], rows)
        written.append(folder / name)
    return written


def _splits_to_write(dataset):
    return ("train", "test") if len(dataset.x_test) else ("train",)


def _is_header(path):
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    if not first.strip():
        raise DataFormatError(f"{path}: empty, or its first line is blank.")
    return not all(_is_number(cell) for cell in first.strip().split(","))


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _raise_first_bad_cell(path, header_lines):
    """Find the first row that NumPy could not read, and say what is wrong with it."""
    expected, first_row = None, None
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if number <= header_lines or not line.strip():
                continue
            cells = line.rstrip("\r\n").split(",")
            if expected is None:
                expected, first_row = len(cells), number
            elif len(cells) != expected:
                raise DataFormatError(
                    f"{path}, line {number}: {len(cells)} columns; line {first_row} has {expected}."
                )
            for column, cell in enumerate(cells, start=1):
                if not _is_number(cell):
                    raise DataFormatError(f"{path}, line {number}, column {column}: {cell.strip()!r} is not a number.")
    raise DataFormatError(f"{path}: cannot be read as numbers.")


def _checked(values, path, header_lines, first_column, what, high):
    """`values` as integers; an error naming the line and column of the first invalid one."""
    if values.dtype.kind == "i":
        bad = (values < 0) | (values > high) if high is not None else values < 0
    else:
        bad = ~(values >= 0) | (values != np.round(values))
        if high is not None:
            bad |= values > high
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        value = values[row, column]
        value = int(value) if float(value).is_integer() else value
        expected = f"a whole number in 0-{high}" if high is not None else "a class index (a whole number >= 0)"
        raise DataFormatError(
            f"{path}, line {row + 1 + header_lines}, column {column + first_column}: "
            f"{what} {value} is not {expected}."
        )
    return values.astype(np.int64)


def _reshape(pixels, image_shape, path):
    if image_shape is None:
        image_shape = image_shape_of(pixels.shape[1]) or (pixels.shape[1],)
    if math.prod(image_shape) != pixels.shape[1]:
        raise DataFormatError(
            f"{path}: {pixels.shape[1]} pixels per row do not make images of shape {tuple(image_shape)}."
        )
    return pixels.astype(np.uint8).reshape((len(pixels), *image_shape))



def _pixel_row(row):
    return ",".join(_PIXEL_TEXT[row])


def _one_file(folder, pattern, required):
    matches = sorted(folder.glob(pattern))
    if len(matches) > 1:
        raise DataFormatError(f"{folder}: several files match {pattern}: {', '.join(p.name for p in matches)}.")
    if not matches and required:
        raise FileNotFoundError(f"{folder}: no file matching {pattern}.")
    return matches[0] if matches else None


def _write_lines(path, header, rows):
    with atomic_write(path) as handle:
        lines = list(header)
        for row in rows:
            lines.append(row)
            if len(lines) >= _ROWS_PER_WRITE:
                handle.write(("\n".join(lines) + "\n").encode("ascii"))
                lines = []
        if lines:
            handle.write(("\n".join(lines) + "\n").encode("ascii"))
