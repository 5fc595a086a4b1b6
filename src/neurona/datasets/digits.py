"""Make a photo or drawing of one digit look like an MNIST image, so a model trained on MNIST
can read it: light ink on black, the digit fitted in 20x20 and centred by mass in 28x28.

MNIST's own recipe (LeCun et al.): size-normalise each digit to a 20x20 box keeping its aspect
ratio, then centre its centre of mass in the 28x28 field.
"""

import os

import numpy as np

from neurona.datasets.errors import DataFormatError, require
from neurona.datasets.formats.image_folder import open_image

INK_THRESHOLD = 0.25  # of the strongest ink: fainter pixels are background, shadows or noise
_FIT = 20
_SIDE = 28


def normalize_digit_image(image):
    """The (28, 28) uint8 MNIST-style version of one digit image.

    Args:
        image: a path, a Pillow image, or an array (rows, cols) gray, (rows, cols, 3) RGB or
            (rows, cols, 4) RGBA; uint8 0-255, or floats in [0, 1].

    Steps: grayscale (transparency becomes white paper); invert when the background (the
    median of the border pixels) is light; subtract the paper (a plane fitted to the border
    pixels, which takes uneven light away) and stretch the ink to 0-255; crop to the ink (pixels above INK_THRESHOLD of the strongest); fit in 20x20 keeping
    the aspect ratio; paste in 28x28 so the centre of mass lands on the field's centre
    (pixel index 13.5, the nearest whole shift).
    """
    image_module = require("PIL.Image", "normalising digit images")
    gray = _grayscale(image, image_module)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if float(np.median(border)) > 127:  # dark ink on light paper: MNIST is light ink on black
        gray = 255 - gray
    ink = np.clip(gray - _paper(gray), 0, None)
    if ink.max() < 16:
        raise DataFormatError(f"{_name(image)}: no ink found (the image is blank or has no contrast).")
    ink *= 255 / ink.max()
    ink[ink < 255 * INK_THRESHOLD] = 0
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]

    factor = _FIT / max(crop.shape)
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    fitted = np.asarray(
        image_module.fromarray(crop.astype(np.float32)).resize(size, image_module.Resampling.LANCZOS)
    )
    fitted = np.clip(fitted, 0, 255)

    total = fitted.sum()
    centre_row = (fitted.sum(axis=1) * np.arange(fitted.shape[0])).sum() / total
    centre_col = (fitted.sum(axis=0) * np.arange(fitted.shape[1])).sum() / total
    middle = (_SIDE - 1) / 2  # the field's centre in pixel indices: 13.5
    top = int(np.clip(round(middle - centre_row), 0, _SIDE - fitted.shape[0]))
    left = int(np.clip(round(middle - centre_col), 0, _SIDE - fitted.shape[1]))
    result = np.zeros((_SIDE, _SIDE), dtype=np.float32)
    result[top:top + fitted.shape[0], left:left + fitted.shape[1]] = fitted
    return np.round(result).astype(np.uint8)


def _paper(gray):
    """The paper's brightness at every pixel: the plane a + b*row + c*col fitted (least squares)
    to the border pixels, so light that falls off across a photo is taken away with the paper
    instead of becoming faint ink around the digit."""
    rows, cols = gray.shape
    mask = np.zeros(gray.shape, dtype=bool)
    mask[[0, -1], :] = mask[:, [0, -1]] = True
    r, c = np.nonzero(mask)
    design = np.column_stack([np.ones(len(r)), r / rows, c / cols])
    coefficients, *_ = np.linalg.lstsq(design, gray[mask].astype(np.float64), rcond=None)
    grid_r, grid_c = np.mgrid[0:rows, 0:cols]
    return coefficients[0] + coefficients[1] * grid_r / rows + coefficients[2] * grid_c / cols


def _grayscale(image, image_module):
    """The image as float (rows, cols) in 0-255, transparent areas white."""
    if isinstance(image, (str, os.PathLike)):
        with open_image(image) as opened:
            return _grayscale(opened.copy(), image_module)
    if isinstance(image, image_module.Image):
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    original = np.asarray(image)
    array = original.astype(np.float64)
    if original.dtype.kind == "f" and array.size and array.max() <= 1.0:  # floats in [0, 1]
        array *= 255
    if array.ndim == 3 and array.shape[2] == 4:
        alpha = array[..., 3:] / 255
        array = array[..., :3] * alpha + 255 * (1 - alpha)
    if array.ndim == 3 and array.shape[2] == 3:
        array = array @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as Pillow's "L"
    if array.ndim != 2 or min(array.shape) < 2:
        raise ValueError(
            "normalize_digit_image expects an image of shape (rows, cols), (rows, cols, 3) or "
            f"(rows, cols, 4). Received shape {np.shape(image)}."
        )
    return array


def _name(image):
    return os.fspath(image) if isinstance(image, (str, os.PathLike)) else "the image"
