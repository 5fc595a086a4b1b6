"""Image files for the server tests: MNIST test images as the photos and drawings users send."""

import io

import numpy as np


def encode(array, image_format="PNG", **options):
    """The bytes of `array` (uint8, gray or RGB) saved as `image_format`."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def photo_of(image, scale=6):
    """A 'photo' of a 28x28 digit: enlarged `scale` times, dark ink on light paper."""
    return 255 - np.kron(np.asarray(image, dtype=np.uint8), np.ones((scale, scale), dtype=np.uint8))
