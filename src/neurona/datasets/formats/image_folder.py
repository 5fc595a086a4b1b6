"""A folder of images, one sub-folder per class: how users bring their own photos.

    photos/cat/001.jpg, photos/cat/002.png, photos/dog/x.bmp        -> train split only
    digits/train/0/00000.png ..., digits/test/0/00007.png ...        -> train and test splits

PNG, JPEG and BMP files are read (other files are ignored), converted to grayscale or RGB and
resized to a fixed size on request. Classes are the sub-folders in sorted order, unless a
`classes.txt` beside them lists the class names in label order (what `write_image_folder`
writes; a "/" in a name becomes "-" in its folder name). Images are ordered by file name, so
the 00000.png ... names written by `write_image_folder` give back the original order.
Needs Pillow (`pip install 'neurona[data]'`).
"""

import warnings

import numpy as np

from neurona.utils.atomic import atomic_write
from neurona.datasets.errors import DataFormatError, require

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
MAX_PIXELS = 50_000_000  # larger images are refused: 50 megapixels, or a decompression bomb
CLASSES_FILE = "classes.txt"
_GRAYSCALE_MODES = ("1", "L", "LA", "I", "I;16", "F")


def open_image(path, max_pixels=MAX_PIXELS):
    """The Pillow image at `path`, opened lazily after the decompression-bomb checks.

    DataFormatError names the file when it is no image, or has more than `max_pixels` pixels
    (Pillow's own bomb warning counts as an error too). Use it in a `with` block.
    """
    image_module = require("PIL.Image", "reading images")
    with warnings.catch_warnings():
        warnings.simplefilter("error", image_module.DecompressionBombWarning)
        try:
            image = image_module.open(path)
        except (image_module.DecompressionBombError, image_module.DecompressionBombWarning) as error:
            raise DataFormatError(
                f"{path}: refused, too many pixels for an image (decompression bomb?): {error}"
            ) from error
        except (OSError, ValueError) as error:
            raise DataFormatError(f"{path}: cannot be read as an image ({error}).") from error
    if image.width * image.height > max_pixels:
        image.close()
        raise DataFormatError(
            f"{path}: refused, {image.width}x{image.height} = {image.width * image.height} pixels is "
            f"more than max_pixels={max_pixels} (decompression bomb?)."
        )
    return image


def read_image(path, image_size=None, color_mode=None, max_pixels=MAX_PIXELS):
    """One image as uint8: (rows, cols) for color_mode="grayscale", (rows, cols, 3) for "rgb".

    Args:
        image_size: (rows, cols) to resize to, or None to keep the file's size.
        color_mode: "grayscale", "rgb", or None for the file's own (grayscale modes stay gray).
        max_pixels: refuse images with more pixels (a guard against decompression bombs).
    """
    if color_mode not in (None, "grayscale", "rgb"):
        raise ValueError(f"color_mode must be 'grayscale' or 'rgb'. Received: color_mode={color_mode!r}")
    image_module = require("PIL.Image", "reading images")
    with open_image(path, max_pixels) as image:
        if color_mode is None:
            color_mode = "grayscale" if image.mode in _GRAYSCALE_MODES else "rgb"
        try:
            image = image.convert("L" if color_mode == "grayscale" else "RGB")
            if image_size is not None and image.size != (image_size[1], image_size[0]):
                image = image.resize((image_size[1], image_size[0]), image_module.Resampling.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
        except (OSError, ValueError) as error:  # truncated or corrupt pixel data
            raise DataFormatError(f"{path}: cannot be read as an image ({error}).") from error


def read_image_folder(folder, image_size=None, color_mode=None, max_pixels=MAX_PIXELS):
    """(arrays, class names) from an image folder (see the module docstring).

    Without image_size every image must have the first one's size; without color_mode all
    take the first image's (grayscale or RGB).
    """
    class_names = _class_names(folder)
    splits = ("train", "test") if (folder / "train").is_dir() else (None,)
    arrays, first_size = {}, None
    for split in splits:
        files = _labelled_files(folder / split if split else folder, class_names)
        if split != "test" and not files:
            raise DataFormatError(f"{folder}: no PNG, JPEG or BMP file in class sub-folders.")
        images = []
        for path, _ in files:
            image = read_image(path, image_size, color_mode, max_pixels)
            first_size = first_size or image.shape[:2]
            if image.shape[:2] != first_size:
                raise DataFormatError(
                    f"{path}: {image.shape[0]}x{image.shape[1]} pixels, but the first image is "
                    f"{first_size[0]}x{first_size[1]}; pass image_size=(rows, cols) to resize them all."
                )
            color_mode = color_mode or ("grayscale" if image.ndim == 2 else "rgb")
            images.append(image)
        name = split or "train"
        arrays[f"x_{name}"] = np.stack(images) if images else np.zeros((0, *arrays["x_train"].shape[1:]), np.uint8)
        arrays[f"y_{name}"] = np.array([label for _, label in files], dtype=np.int64)
    if "x_test" not in arrays:
        arrays["x_test"], arrays["y_test"] = arrays["x_train"][:0], arrays["y_train"][:0]
    return arrays, class_names


def write_image_folder(dataset, folder):
    """Write `<folder>/{train,test}/<class>/<index>.png` and classes.txt; returns the paths."""
    image_module = require("PIL.Image", "writing images")
    folder.mkdir(parents=True, exist_ok=True)
    classes_path = folder / CLASSES_FILE
    with atomic_write(classes_path) as handle:
        handle.write("".join(f"{name}\n" for name in dataset.class_names).encode("utf-8"))
    written = [classes_path]
    for split in ("train", "test"):
        images, labels = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        digits = len(str(max(len(images) - 1, 0)))
        for index, (image, label) in enumerate(zip(images, labels.tolist())):
            path = folder / split / _folder_name(dataset.class_names[label]) / f"{index:0{digits}d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(path) as handle:
                image_module.fromarray(image).save(handle, format="PNG")
            written.append(path)
    return written


def _folder_name(class_name):
    return class_name.replace("/", "-").replace("\\", "-")


def _class_names(folder):
    listed = folder / CLASSES_FILE
    if listed.is_file():
        return [line.strip() for line in listed.read_text(encoding="utf-8").splitlines() if line.strip()]
    roots = [folder / "train", folder / "test"] if (folder / "train").is_dir() else [folder]
    return sorted({path.name for root in roots if root.is_dir() for path in root.iterdir()
                   if path.is_dir() and not path.name.startswith(".")})


def _labelled_files(root, class_names):
    """[(path, label)] of the images under root/<class>/, sorted by file name then label."""
    files = []
    if not root.is_dir():
        return files
    folders = {_folder_name(name): label for label, name in enumerate(class_names)}
    for path in sorted(root.iterdir()):
        if not path.is_dir() or path.name.startswith("."):
            continue
        if path.name not in folders:
            raise DataFormatError(f"{path}: a class folder not listed in {CLASSES_FILE}.")
        files += [(file, folders[path.name]) for file in path.iterdir()
                  if file.suffix.lower() in IMAGE_SUFFIXES and not file.name.startswith(".")]
    return sorted(files, key=lambda item: (item[0].name, item[1]))
