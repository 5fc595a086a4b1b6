"""Turning arrays of samples into images and labels into text, for the image grids."""

import math

import numpy as np


def display_images(images, indices=None, argument="images"):
    """Images ready for `imshow`: float in [0, 1], shape (k, h, w) or (k, h, w, 3).

    Args:
        images: (n, h, w), (n, h * w) with a square side, (n, h, w, 1) or (n, h, w, 3);
            values 0-255 or 0-1. Anything outside [0, 255] (standardized inputs) is rescaled
            per image to its own min..max.
        indices: the k samples to convert (all n by default); only those are copied, so
            picking 16 images out of 60,000 stays cheap.
    """
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(
                f"{argument} given flat must have a square number of pixels per row. "
                f"Received: {argument}.shape={images.shape}"
            )
        images = images.reshape(len(images), side, side)
    elif images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    elif not (images.ndim == 3 or (images.ndim == 4 and images.shape[-1] == 3)):
        raise ValueError(
            f"{argument} must have shape (n, h, w), (n, h*w), (n, h, w, 1) or (n, h, w, 3). "
            f"Received: {argument}.shape={images.shape}"
        )
    if indices is not None:
        images = images[indices]
    images = images.astype(np.float64)
    if images.size == 0:
        return images
    low, high = images.min(), images.max()
    if low >= 0 and high <= 1:
        return images
    if low >= 0 and high <= 255:
        return images / 255.0
    axes = tuple(range(1, images.ndim))
    low = images.min(axis=axes, keepdims=True)
    span = images.max(axis=axes, keepdims=True) - low
    return (images - low) / np.where(span > 0, span, 1.0)


def show_image(axes, image):
    """Draw one image from `display_images` on `axes`, grayscale when it has no channel axis."""
    if image.ndim == 2:
        axes.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        axes.imshow(image, interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([])


def label_text(label, class_names=None):
    """The class's name when `class_names` is given, else its index."""
    if class_names is not None:
        return str(class_names[int(label)])
    return str(int(label))


def check_same_length(**arrays):
    """Raise naming the arguments when the arrays hold different numbers of samples."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"len({name})={length}" for name, length in lengths.items())
        raise ValueError(f"{', '.join(lengths)} must hold as many samples. Received: {listed}")


def grid_shape(count):
    """(rows, columns) of the most square grid holding `count` panels (columns >= rows)."""
    columns = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / columns))
    return rows, columns
