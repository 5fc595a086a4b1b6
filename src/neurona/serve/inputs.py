"""Request bodies made into model inputs: an image file, or JSON `{"instances": [...]}`.

An image goes through what `neurona predict` does with a user's photo
(`runs.prediction.read_user_image`): the MNIST-style `normalize_digit_image` for a digit
model, else grayscale or RGB resized to the model's image size. JSON instances are model
inputs as they are (for an MNIST model, values in [0, 1], each shaped like the model's input).
Every refusal is a `BadInput` whose message says what was expected and what was received.
"""

import io
import json
import math

import numpy as np

from neurona.datasets import normalize_digit_image, read_image
from neurona.datasets.errors import DataFormatError
from neurona.datasets.formats.image_folder import open_image

IMAGE_TYPES = ("image/png", "image/jpeg", "image/bmp")
IMAGE_FORMATS = ("PNG", "JPEG", "BMP")
# Larger images are refused before their pixels are decoded: a 2 MiB PNG can hold a
# 50,000 x 50,000 image of one colour (a decompression bomb). 4 megapixels is a 2000x2000 photo.
MAX_PIXELS = 4_000_000


class BadInput(ValueError):
    """A request the model cannot take (answered 400)."""


class _Upload(io.BytesIO):
    """An uploaded file in memory; errors of the image readers name it 'the uploaded image'."""

    def __str__(self):
        return "the uploaded image"

    __repr__ = __str__


def decode_image(body, card, max_pixels=MAX_PIXELS):
    """The uint8 image of `card.image_shape` the model sees for an uploaded PNG, JPEG or BMP.

    Raises:
        BadInput: the body is empty, not one of those formats, undecodable, over `max_pixels`
            pixels, or (digit models) holds no ink.
    """
    if not body:
        raise BadInput("The request body is empty: expected a PNG, JPEG or BMP image.")
    image_shape = tuple(card.image_shape)
    try:
        with open_image(_Upload(body), max_pixels) as image:
            if image.format not in IMAGE_FORMATS:
                raise BadInput(f"Expected a PNG, JPEG or BMP image; received a {image.format} image.")
            if card.digit:
                digit = normalize_digit_image(image)
                if digit.size != math.prod(image_shape):
                    raise BadInput(f"The digit normaliser gives {digit.shape} images but the model takes "
                                   f"{image_shape}.")
                return digit.reshape(image_shape)
        color_mode = "rgb" if len(image_shape) == 3 and image_shape[2] == 3 else "grayscale"
        return read_image(_Upload(body), image_size=image_shape[:2], color_mode=color_mode,
                          max_pixels=max_pixels).reshape(image_shape)
    except DataFormatError as error:
        message = str(error)
        raise BadInput(message[:1].upper() + message[1:]) from None
    except (OSError, ValueError, SyntaxError) as error:  # Pillow's decoders raise all three
        if isinstance(error, BadInput):
            raise
        raise BadInput(f"The uploaded image cannot be decoded ({error}).") from None


def parse_instances(body, input_shape, max_instances):
    """float64 (n, *input_shape) from a JSON body `{"instances": [...]}`.

    Raises:
        BadInput: not JSON, not that object, no instances or more than `max_instances`, values
            that are not numbers, NaN or infinite, or instances not shaped like `input_shape`.
    """
    input_shape = tuple(input_shape)
    expected = f'a JSON object {{"instances": [...]}} of arrays shaped {list(input_shape)}'
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadInput(f"Expected {expected}; the body is not valid JSON ({error}).") from None
    if not isinstance(payload, dict) or "instances" not in payload:
        received = f"an object with keys {sorted(payload)}" if isinstance(payload, dict) else type(payload).__name__
        raise BadInput(f"Expected {expected}; received {received}.")
    instances = payload["instances"]
    if not isinstance(instances, list) or not instances:
        raise BadInput(f"Expected {expected}; received instances={_short(instances)}.")
    if len(instances) > max_instances:
        raise BadInput(f"At most {max_instances} instances per request; received {len(instances)}.")
    try:
        array = np.array(instances)
    except (ValueError, RecursionError):
        raise BadInput(f"Expected {expected}; the instances are ragged (arrays of different lengths).") from None
    if array.dtype.kind not in "iuf":
        raise BadInput(f"Expected {expected} holding numbers only; received values of numpy dtype {array.dtype} "
                       "(strings, booleans, nulls or numbers too large).")
    if array.shape[1:] != input_shape:
        raise BadInput(f"Each instance must be shaped like the model's input {list(input_shape)}; received "
                       f"{len(instances)} instances of shape {list(array.shape[1:])}.")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        first = tuple(int(index) for index in np.argwhere(~np.isfinite(array))[0])
        raise BadInput(f"Instances must be finite numbers; received NaN or infinity at index {list(first)}.")
    return array


def _short(value, limit=60):
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."
