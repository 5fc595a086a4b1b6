"""Image augmentation: random rotations, translations, zooms, flips and contrast, in training only.

Keras' layers, with Keras 3's arguments, defaults and conventions, on channels-last images
(batch, height, width, channels). At inference each is the identity (the input is returned,
not copied). In training each image of a batch gets its own random transform:

- RandomRotation, RandomTranslation and RandomZoom each build one 2x3 affine matrix per image
  (`rotation_matrices`, `translation_matrices`, `zoom_matrices`, Keras' formulas; a stack of
  them could be fused into one with `compose_matrices`), then resample the whole batch in one
  call of `kernels.resample.affine_resample`.
- RandomFlip and RandomContrast act on the pixels directly.

Randomness follows the model's per-epoch seeds, as Dropout's masks do (`reseed`, `_rng`), so a
resumed run draws what a straight one would have, and both kernel paths draw the same numbers.

`augmentation_preset(name, image_shape)` returns a named list of these layers (`PRESETS`), for
`neurona train --augment NAME`.
"""

import math

import numpy as np

from neurona import backend
from neurona.kernels import resample
from neurona.layers.base import Layer

_NUMBER = (int, float, np.integer, np.floating)


def _factor_range(layer, argument, factor, low, high, low_open=False):
    """(lower, upper) from a Keras factor: a number f gives (-|f|, |f|) clipped at `low`, a pair
    (a, b) gives (min, max); every value must lie in [low, high] ((low, high] if `low_open`)."""
    pair = isinstance(factor, (tuple, list))
    values = list(factor) if pair else [factor]
    numbers = all(isinstance(v, _NUMBER) and not isinstance(v, bool) and math.isfinite(v) for v in values)
    if (pair and len(values) != 2) or not numbers or any(v > high or v < low or (low_open and v == low)
                                                          for v in values):
        interval = f"({low}, {high}]" if low_open else f"[{low}, {high}]"
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects {argument} to be a number or a pair "
                         f"of numbers in {interval}. Received: {argument}={factor!r}")
    if len(values) == 1:
        magnitude = abs(float(values[0]))
        return max(-magnitude, float(low)), magnitude
    lower, upper = sorted(float(v) for v in values)
    return lower, upper


def _config_factor(factor):
    return [float(v) for v in factor] if isinstance(factor, (tuple, list)) else float(factor)


def _int_seed(seed):
    return int(seed) if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None


# Affine matrices, one row (a0, a1, a2, b0, b1, b2) per image: output (x, y) reads the input at
# (a0 x + a1 y + a2, b0 x + b1 y + b2), x the column and y the row (Keras' affine_transform).

def rotation_matrices(angles, height, width):
    """(N, 6) rotations by `angles` (N,) radians about the image centre (Keras' RandomRotation)."""
    angles = np.asarray(angles, dtype=np.float64)
    cos, sin = np.cos(angles), np.sin(angles)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    return np.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos], axis=1)


def translation_matrices(dy, dx):
    """(N, 6) shifts of the content by dy rows down and dx columns right (pixels, (N,) each)."""
    dy, dx = np.asarray(dy, dtype=np.float64), np.asarray(dx, dtype=np.float64)
    ones, zeros = np.ones_like(dx), np.zeros_like(dx)
    return np.stack([ones, zeros, -dx, zeros, ones, -dy], axis=1)


def zoom_matrices(zoom_y, zoom_x, height, width):
    """(N, 6) zooms about the centre: a zoom above 1 reads a larger area (zooms out), below 1 a
    smaller one (zooms in), as in Keras 3's RandomZoom."""
    zy, zx = np.asarray(zoom_y, dtype=np.float64), np.asarray(zoom_x, dtype=np.float64)
    zeros = np.zeros_like(zx)
    return np.stack([zx, zeros, 0.5 * (width - 1) * (1 - zx), zeros, zy, 0.5 * (height - 1) * (1 - zy)], axis=1)


def compose_matrices(first, second):
    """The (N, 6) matrices that apply `first`, then `second`, in one resample.

    The output of `second` at p reads the output of `first` at M2 p, which reads the input at
    M1 M2 p: the fused matrix is M1 @ M2 (as 3x3 matrices with a last row 0 0 1)."""
    def square(m):
        m = np.asarray(m, dtype=np.float64).reshape(-1, 2, 3)
        bottom = np.broadcast_to(np.array([0.0, 0.0, 1.0]), (m.shape[0], 1, 3))
        return np.concatenate([m, bottom], axis=1)

    return (square(first) @ square(second))[:, :2].reshape(-1, 6)


class _RandomImageLayer(Layer):
    """What the augmentation layers share: a generator reseeded each epoch, training-only
    transforms, identity at inference and in ONNX, and no input gradient."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer, np.random.Generator))):
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects an integer seed or None. "
                             f"Received: seed={seed!r}")
        self.seed = seed
        self._rng = None
        self._transformed = False

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects images (height, width, channels), "
                             f"batch axis excluded. Received input shape {tuple(input_shape)}.")
        self._rng = backend.make_rng(self.seed)
        super().build(input_shape)

    def reseed(self, key):
        """Start a new sequence of transforms from `key` (ints), mixed with the layer's own seed."""
        own = [self.seed] if _int_seed(self.seed) is not None else []
        self._rng = np.random.default_rng(own + list(key))

    def forward(self, x, training=False):
        self._transformed = False
        if not training or x.shape[0] == 0:
            return x
        if self._rng is None:
            self._rng = backend.make_rng(self.seed)
        out = self._augment(x)
        self._transformed = out is not x
        return out

    def _augment(self, x):
        raise NotImplementedError

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        if not self._transformed:
            return grad_output
        raise NotImplementedError(
            f"{type(self).__name__} layer {self.name!r} has no input gradient: it augments the model's inputs. "
            "Put it before every layer with trainable weights (at the start of the model).")

    def onnx_nodes(self, graph, current, prefix):
        return current

    def get_config(self):
        return {**super().get_config(), **self._arguments(), "seed": _int_seed(self.seed)}

    def _arguments(self):
        """The layer's own constructor arguments, in Keras' names (seed aside)."""
        raise NotImplementedError

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return type(self).__name__, {**adapt.base_to_keras(self, dtype), **self._arguments(),
                                     "seed": _int_seed(self.seed), "data_format": "channels_last"}

    _keras_keys = ()  # the Keras config keys that from_keras passes on (seed aside)

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        adapt.data_format_from_keras(config, context)
        arguments = {key: config[key] for key in cls._keras_keys if key in config}
        seed = config.get("seed")
        arguments["seed"] = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
        return adapt.layer_entry(cls.__name__, config, arguments)


class _RandomAffine(_RandomImageLayer):
    """A layer that draws one affine matrix per image and resamples the batch in one kernel call."""

    _FILL_MODES = tuple(resample.FILL_MODES)
    _INTERPOLATIONS = tuple(resample.INTERPOLATIONS)

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        kind = type(self).__name__
        if fill_mode not in self._FILL_MODES:
            raise ValueError(f"{kind} layer {self.name!r} expects fill_mode to be one of {self._FILL_MODES}. "
                             f"Received: fill_mode={fill_mode!r}")
        if interpolation not in self._INTERPOLATIONS:
            raise ValueError(f"{kind} layer {self.name!r} expects interpolation to be one of "
                             f"{self._INTERPOLATIONS}. Received: interpolation={interpolation!r}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, _NUMBER):
            raise ValueError(f"{kind} layer {self.name!r} expects a number for fill_value. "
                             f"Received: fill_value={fill_value!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def matrices(self, count, height, width):
        """(count, 6) float64: the next `count` random transforms, drawn from the layer's generator."""
        raise NotImplementedError

    def _augment(self, x):
        n, height, width, _ = x.shape
        matrices = np.ascontiguousarray(self.matrices(n, height, width))
        out = self._buffer("outputs", x.shape, x.dtype)
        resample.affine_resample(x, matrices, resample.FILL_MODES[self.fill_mode],
                                 resample.INTERPOLATIONS[self.interpolation], self.fill_value, out)
        return out

    def _fill_arguments(self):
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation, "fill_value": self.fill_value}

    _keras_keys = ("fill_mode", "interpolation", "fill_value")


class RandomRotation(_RandomAffine):
    """`RandomRotation(factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0)`.

    Args:
        factor: a fraction of 2π: 0.1 rotates each image by an angle drawn uniformly in
            [-36°, 36°]; a pair (lower, upper) draws in [lower * 360°, upper * 360°]. Positive
            angles turn the image counter-clockwise. Values in [-1, 1].
        fill_mode: "reflect", "wrap", "constant" or "nearest" (see `kernels.resample`).
        interpolation: "bilinear" or "nearest".
        fill_value: the value outside the image with fill_mode="constant".
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.lower, self.upper = _factor_range(self, "factor", factor, -1, 1)
        self.factor = _config_factor(factor)

    def matrices(self, count, height, width):
        degrees = self._rng.uniform(self.lower * 360.0, self.upper * 360.0, size=count)
        return rotation_matrices(degrees * (math.pi / 180.0), height, width)

    def _arguments(self):
        return {"factor": self.factor, **self._fill_arguments()}

    _keras_keys = ("factor",) + _RandomAffine._keras_keys


class RandomTranslation(_RandomAffine):
    """`RandomTranslation(height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
    seed=None, fill_value=0.0)`.

    Args:
        height_factor: a fraction of the height: 0.1 shifts each image by up to 10% of its
            rows, up or down; a pair (lower, upper) draws in that range (positive: down).
        width_factor: the same along the width (positive: right).
        fill_mode, interpolation, fill_value: as RandomRotation's.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_lower, self.height_upper = _factor_range(self, "height_factor", height_factor, -1, 1)
        self.width_lower, self.width_upper = _factor_range(self, "width_factor", width_factor, -1, 1)
        self.height_factor, self.width_factor = _config_factor(height_factor), _config_factor(width_factor)

    def matrices(self, count, height, width):
        dy = self._rng.uniform(self.height_lower, self.height_upper, size=count) * height
        dx = self._rng.uniform(self.width_lower, self.width_upper, size=count) * width
        return translation_matrices(dy, dx)

    def _arguments(self):
        return {"height_factor": self.height_factor, "width_factor": self.width_factor, **self._fill_arguments()}

    _keras_keys = ("height_factor", "width_factor") + _RandomAffine._keras_keys


class RandomZoom(_RandomAffine):
    """`RandomZoom(height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
    seed=None, fill_value=0.0)`.

    Args:
        height_factor: the vertical zoom drawn in [1 + lower, 1 + upper]; as in Keras 3 a
            positive value zooms out (0.2: the image shrinks by up to 20%) and a negative one
            zooms in. A number f gives (-f, f). Values in (-1, 1].
        width_factor: the same horizontally; None keeps each image's aspect ratio (the
            horizontal zoom is the vertical one).
        fill_mode, interpolation, fill_value: as RandomRotation's.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_lower, self.height_upper = _factor_range(self, "height_factor", height_factor, -1, 1, True)
        self.height_factor = _config_factor(height_factor)
        self.width_factor = None
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor_range(self, "width_factor", width_factor, -1, 1, True)
            self.width_factor = _config_factor(width_factor)

    def matrices(self, count, height, width):
        zoom_y = 1.0 + self._rng.uniform(self.height_lower, self.height_upper, size=count)
        zoom_x = zoom_y
        if self.width_factor is not None:
            zoom_x = 1.0 + self._rng.uniform(self.width_lower, self.width_upper, size=count)
        return zoom_matrices(zoom_y, zoom_x, height, width)

    def _arguments(self):
        return {"height_factor": self.height_factor, "width_factor": self.width_factor, **self._fill_arguments()}

    _keras_keys = ("height_factor", "width_factor") + _RandomAffine._keras_keys


class RandomFlip(_RandomImageLayer):
    """`RandomFlip(mode="horizontal_and_vertical", seed=None)`: each image is flipped with
    probability 1/2 (left-right for "horizontal", upside down for "vertical"). With
    "horizontal_and_vertical" one draw decides both flips, as in Keras 3: an image is either
    turned by 180° or left as it is."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip layer {self.name!r} expects mode to be one of {self.MODES}. "
                             f"Received: mode={mode!r}")
        self.mode = mode

    def _augment(self, x):
        flips = (self._rng.random(x.shape[0]) <= 0.5)[:, None, None, None]
        flipped = x
        if self.mode != "vertical":
            flipped = flipped[:, :, ::-1]
        if self.mode != "horizontal":
            flipped = flipped[:, ::-1]
        out = self._buffer("outputs", x.shape, x.dtype)
        np.copyto(out, np.where(flips, flipped, x))
        return out

    def _arguments(self):
        return {"mode": self.mode}

    _keras_keys = ("mode",)


class RandomContrast(_RandomImageLayer):
    """`RandomContrast(factor, value_range=(0, 255), seed=None)`: each image becomes
    (x - mean) * c + mean, clipped to `value_range`, with `mean` its per-channel mean.

    c is drawn in [1 - lower, 1 + upper], Keras 3's rule: a pair (lower, upper) in [0, 1] gives
    that range, and a single number f gives (0, f), so contrast only rises, up to 1 + f (what
    Keras 3.15 computes, though its docstring reads [1 - f, 1 + f]).
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.lower, self.upper = _factor_range(self, "factor", factor, 0, 1)
        self.factor = _config_factor(factor)
        if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
                or any(isinstance(v, bool) or not isinstance(v, _NUMBER) for v in value_range)
                or value_range[0] >= value_range[1]):
            raise ValueError(f"RandomContrast layer {self.name!r} expects value_range to be a pair (low, high) with "
                             f"low < high. Received: value_range={value_range!r}")
        self.value_range = [float(value_range[0]), float(value_range[1])]

    def _augment(self, x):
        contrast = self._rng.uniform(1.0 - self.lower, 1.0 + self.upper, size=x.shape[0])
        contrast = contrast.astype(x.dtype)[:, None, None, None]
        mean = x.mean(axis=(1, 2), keepdims=True, dtype=np.float64).astype(x.dtype)
        out = self._buffer("outputs", x.shape, x.dtype)
        np.subtract(x, mean, out=out)
        out *= contrast
        out += mean
        np.clip(out, x.dtype.type(self.value_range[0]), x.dtype.type(self.value_range[1]), out=out)
        return out

    def _arguments(self):
        return {"factor": self.factor, "value_range": list(self.value_range)}

    _keras_keys = ("factor", "value_range")


# Presets for `neurona train --augment NAME`: (class name, arguments) in the order applied.
# Digits are not symmetric, so "digits" never flips; both fill with 0, the background of
# MNIST-like images (reflecting would copy strokes into the border).
PRESETS = {
    "none": (),
    "digits": (
        ("RandomRotation", {"factor": 15 / 360, "fill_mode": "constant"}),
        ("RandomZoom", {"height_factor": 0.15, "fill_mode": "constant"}),
        ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1, "fill_mode": "constant"}),
    ),
    "fashion": (
        ("RandomFlip", {"mode": "horizontal"}),
        ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1, "fill_mode": "constant"}),
        ("RandomZoom", {"height_factor": 0.1, "fill_mode": "constant"}),
    ),
}

_CLASSES = {cls.__name__: cls for cls in (RandomRotation, RandomTranslation, RandomZoom, RandomFlip, RandomContrast)}


def augmentation_preset(name, image_shape=None, seed=None):
    """Fresh layers for the preset `name` (a key of `PRESETS`), to put at the start of a model.

    Args:
        name: "none", "digits" (rotation up to ±15°, zoom ±15%, shifts up to 10%, no flips)
            or "fashion" (left-right flips, shifts up to 10%, zoom ±10%).
        image_shape: (height, width, channels); when given, the first layer declares it as its
            input shape, so the list can open a Sequential.
        seed: an int gives the layers seeds seed, seed + 1, ...; None leaves them to the model.
    Returns:
        A list of layers (empty for "none").

    Example: `Sequential([*augmentation_preset("digits", (28, 28, 1)), Conv2D(32, 3), ...])`.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown augmentation preset: {name!r}. Expected one of {sorted(PRESETS)}.")
    if image_shape is not None:
        image_shape = tuple(image_shape)
        if len(image_shape) != 3 or not all(isinstance(d, (int, np.integer)) and d > 0 for d in image_shape):
            raise ValueError("augmentation_preset expects image_shape (height, width, channels) of positive "
                             f"integers. Received: image_shape={image_shape!r}")
    layers = []
    for index, (class_name, arguments) in enumerate(PRESETS[name]):
        extra = {"seed": None if seed is None else int(seed) + index}
        if index == 0 and image_shape is not None:
            extra["input_shape"] = image_shape
        layers.append(_CLASSES[class_name](**arguments, **extra))
    return layers
