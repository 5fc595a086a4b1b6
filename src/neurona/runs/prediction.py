"""A model's prediction for one image: the image made into an input, and the figure of it.

A user's photo is read at the size the model was trained on. For digit models (trained on
MNIST) it goes through `datasets.normalize_digit_image` first, which makes a photo of a digit
look like an MNIST image (light ink on black, fitted in 20x20, centred by mass).
"""

import math
from pathlib import Path

import numpy as np

from neurona.datasets import image_shape_of, normalize_digit_image, read_image
from neurona.runs.data import class_probabilities, model_inputs

DIGIT_DATASETS = ("mnist",)


def image_shape_for(model, known_shape=None):
    """The (rows, cols[, channels]) images the model takes.

    From the model's input shape when it is an image's ((28, 28, 1) for a convolutional
    network: images are read with their channel axis), else from the run's record
    (`known_shape`), else guessed from the size of a flat input: n = s*s is a grayscale s x s
    image, n = 3*s*s an RGB one.
    """
    input_shape = tuple(model.input_shape)
    if len(input_shape) in (2, 3):
        return input_shape
    size = math.prod(input_shape)
    if known_shape and math.prod(known_shape) == size:
        return tuple(known_shape)
    shape = image_shape_of(size)
    if shape is not None:
        return shape
    raise ValueError(f"Cannot tell the image size of a model whose inputs are {input_shape} ({size} values).")


def is_digit_model(dataset_name, image_shape, num_outputs):
    """Whether a user's image should be normalised like an MNIST digit: the run trained on
    MNIST, or (no run known) the model takes 28x28 grayscale images ((28, 28) or (28, 28, 1))
    into 10 classes."""
    if dataset_name is not None:
        return dataset_name in DIGIT_DATASETS
    return tuple(image_shape) in ((28, 28), (28, 28, 1)) and num_outputs == 10


def read_user_image(path, image_shape, digit):
    """The image file at `path` as uint8 of `image_shape`: MNIST-normalised when `digit`.

    Raises:
        FileNotFoundError: no file at `path`.
        DataFormatError: the file is not an image (the message names it).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No image file at {path}.")
    if digit:
        image = normalize_digit_image(path)
        if image.size != math.prod(image_shape):
            raise ValueError(
                f"The digit normaliser gives {image.shape} images but the model takes {tuple(image_shape)}.")
        return image.reshape(image_shape)
    color_mode = "rgb" if len(image_shape) == 3 and image_shape[2] == 3 else "grayscale"
    image = read_image(path, image_size=tuple(image_shape[:2]), color_mode=color_mode)
    return image.reshape(image_shape)


def predict_probabilities(model, images, what="the images"):
    """(n, classes) probabilities for uint8 images (n, *image_shape)."""
    return class_probabilities(model.predict(model_inputs(images, model.input_shape, model.dtype, what)))


def format_probabilities(probabilities, class_names, top=None, width=30):
    """Lines 'name  97.31%  #####' for the `top` most probable classes, most probable first."""
    order = np.argsort(-probabilities, kind="stable")[:top]
    name_width = max(len(str(class_names[index])) for index in order)
    return [f"  {str(class_names[index]):>{name_width}} {probabilities[index]:8.2%}  "
            f"{'#' * int(round(probabilities[index] * width))}" for index in order]


def make_prediction_figure(image, probabilities, class_names, title, true_label=None):
    """Figure: the image on the left, a bar per class's probability on the right.

    Args:
        image: uint8 (rows, cols), (rows, cols, 1) or (rows, cols, 3), as the model saw it.
        probabilities: (classes,).
        true_label: index of the true class, marked when known.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    predicted = int(np.argmax(probabilities))
    figure = Figure(figsize=(9, max(3.2, 0.32 * len(class_names) + 1.4)), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    image_axes, bar_axes = figure.subplots(1, 2, width_ratios=[1, 1.5])
    image_axes.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
    image_axes.set_xticks([])
    image_axes.set_yticks([])
    known = f" (true class: {class_names[true_label]})" if true_label is not None else ""
    image_axes.set_title("Model input" + known)

    positions = np.arange(len(class_names))
    colors = ["#1565c0" if index == predicted else "#b0bec5" for index in positions]
    if true_label is not None and true_label != predicted:
        colors[predicted] = "#c62828"
    bars = bar_axes.barh(positions, probabilities, color=colors)
    bar_axes.set_yticks(positions, [str(name) for name in class_names])
    bar_axes.invert_yaxis()
    bar_axes.set_xlim(0, 1.15)
    bar_axes.set_xlabel("Probability")
    bar_axes.set_ylabel("Class")
    bar_axes.set_title(f"Predicted: {class_names[predicted]} ({probabilities[predicted]:.1%})")
    bar_axes.bar_label(bars, labels=[f"{value:.1%}" if value >= 0.005 else "" for value in probabilities],
                       padding=3, fontsize=9)
    bar_axes.grid(True, axis="x", alpha=0.3)
    figure.suptitle(title, fontsize=13)
    return figure


def save_prediction_figure(path, *args, **kwargs):
    """Write `make_prediction_figure(*args, **kwargs)` as a PNG at `path`; returns the Path."""
    path = Path(path)
    make_prediction_figure(*args, **kwargs).savefig(path, format="png", facecolor="white")
    return path
