"""Arguments and geometry shared by the 2-D layers (Conv2D, pooling, padding): Keras' rules.

Output size along one axis of n pixels, window k, stride s, dilation d:
    'valid': floor((n - d*(k-1) - 1) / s) + 1
    'same':  ceil(n / s), padded by max(0, (out-1)*s + (k-1)*d + 1 - n) in total, the odd
             pixel after the image (bottom, right), as TensorFlow and Keras pad.
"""

import numpy as np

PADDINGS = ("valid", "same")


def int_tuple(value, argument, layer, minimum=1, length=2):
    """`value` (an int or `length` ints) as a tuple of ints >= `minimum`, or a clear error."""
    values = (value,) * length if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    if (values is None or len(values) != length
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum for v in values)):
        raise ValueError(
            f"{type(layer).__name__} layer {layer.name!r} expects {argument} to be an integer >= {minimum} "
            f"or a tuple of {length} of them. Received: {argument}={value!r}"
        )
    return tuple(int(v) for v in values)


def padding_mode(value, layer):
    mode = value.lower() if isinstance(value, str) else value
    if mode not in PADDINGS:
        raise ValueError(
            f"{type(layer).__name__} layer {layer.name!r} expects padding 'valid' or 'same'. "
            f"Received: padding={value!r}"
        )
    return mode


def check_data_format(value, layer):
    """Only channels_last (NHWC) exists here, as Keras' default on CPU."""
    if value not in (None, "channels_last"):
        raise ValueError(
            f"{type(layer).__name__} layer {layer.name!r} supports data_format='channels_last' only "
            f"(inputs (batch, height, width, channels)). Received: data_format={value!r}. "
            "Move the channel axis last, e.g. np.moveaxis(x, 1, -1)."
        )
    return "channels_last"


def image_shape(input_shape, layer):
    """(height, width, channels) from a layer's input shape, or an error naming the layer."""
    shape = tuple(input_shape)
    if len(shape) != 3:
        hint = (f" Add a channel axis: Reshape(({', '.join(map(str, shape))}, 1)) first, or x[..., None]."
                if len(shape) == 2 else "")
        raise ValueError(
            f"{type(layer).__name__} layer {layer.name!r} expects inputs of shape (batch, height, width, "
            f"channels). Received inputs of shape (batch, {', '.join(map(str, shape))}).{hint}"
        )
    return shape


def output_length(n, k, s, d, padding):
    if padding == "same":
        return -(-n // s)
    return (n - d * (k - 1) - 1) // s + 1


def padding_before(n, k, s, d, padding):
    """Pixels of padding before the image along one axis (the rest goes after it)."""
    if padding != "same":
        return 0
    out = output_length(n, k, s, d, padding)
    return max(0, (out - 1) * s + (k - 1) * d + 1 - n) // 2


class Geometry:
    """Where a window of (kh, kw) with strides and dilation lands on an (h, w) image."""

    def __init__(self, layer, argument, height, width, kernel, strides, dilation, padding):
        (kh, kw), (sh, sw), (dh, dw) = kernel, strides, dilation
        self.kh, self.kw, self.sh, self.sw, self.dh, self.dw = kh, kw, sh, sw, dh, dw
        self.oh = output_length(height, kh, sh, dh, padding)
        self.ow = output_length(width, kw, sw, dw, padding)
        if self.oh < 1 or self.ow < 1:
            span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
            raise ValueError(
                f"{type(layer).__name__} layer {layer.name!r}: {argument}={kernel} "
                + (f"with dilation_rate={dilation} " if dilation != (1, 1) else "")
                + f"spans {span[0]}x{span[1]} pixels, larger than its {height}x{width} input with "
                f"padding='valid'. Use a smaller {argument}, padding='same', or a larger input."
            )
        self.top = padding_before(height, kh, sh, dh, padding)
        self.left = padding_before(width, kw, sw, dw, padding)

    @property
    def window_args(self):
        return (self.kh, self.kw, self.sh, self.sw, self.dh, self.dw, self.top, self.left, self.oh, self.ow)
