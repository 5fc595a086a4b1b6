"""A dataset made into what a run needs: the training, validation and test images and labels.

Images stay uint8 here (the plots show them); `model_inputs` scales them to [0, 1] and shapes
them for a model at the last moment, and `model_targets` turns labels into what the loss wants.
"""

import math
from dataclasses import dataclass

import numpy as np

from neurona import datasets
from neurona.utils import to_categorical


@dataclass
class RunData:
    """The splits of one run, as uint8 images (n, rows, cols[, channels]) and int64 labels (n,)."""

    dataset: datasets.Dataset
    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray | None
    val_labels: np.ndarray | None
    test_images: np.ndarray
    test_labels: np.ndarray

    @property
    def class_names(self):
        return list(self.dataset.class_names)

    @property
    def image_shape(self):
        return tuple(self.train_images.shape[1:])

    def description(self):
        """The dataset's identity for metrics.json: name, source, checksum, classes, image shape."""
        return {
            "name": self.dataset.name,
            "source": self.dataset.source,
            "checksum": self.dataset.checksum,
            "class_names": self.class_names,
            "image_shape": list(self.image_shape),
        }


def load_run_data(config, dataset=None):
    """The splits a config asks for: limits first, then validation held out of the training images.

    Args:
        config: a checked config (keys dataset, limit_train, limit_test, validation_split,
            validation_seed, validate_on_test).
        dataset: an already loaded Dataset to use instead of loading `config['dataset']`.
    """
    dataset = dataset if dataset is not None else datasets.load(config["dataset"])
    x_train, y_train = dataset.x_train, dataset.y_train.astype(np.int64)
    x_test, y_test = dataset.x_test, dataset.y_test.astype(np.int64)
    if config["limit_train"]:
        x_train, y_train = x_train[:config["limit_train"]], y_train[:config["limit_train"]]
    if config["limit_test"]:
        x_test, y_test = x_test[:config["limit_test"]], y_test[:config["limit_test"]]
    if len(x_train) == 0:
        raise ValueError(f"{dataset.name} has no training images.")
    if len(x_test) == 0:
        raise ValueError(f"{dataset.name} has no test images: a run needs some to measure its accuracy.")

    x_val = y_val = None
    if config["validate_on_test"]:
        x_val, y_val = x_test, y_test
    elif config["validation_split"]:
        count = int(round(config["validation_split"] * len(x_train)))
        if not 0 < count < len(x_train):
            raise ValueError(
                f"validation_split={config['validation_split']} of {len(x_train)} training images leaves "
                f"{count} for validation and {len(x_train) - count} for training; both need at least one."
            )
        if config["validation_seed"] is None:
            # Keras' validation_split: the last images, before any shuffling.
            x_train, x_val = x_train[:-count], x_train[-count:]
            y_train, y_val = y_train[:-count], y_train[-count:]
        else:
            (x_train, y_train), (x_val, y_val) = datasets.train_validation_split(
                x_train, y_train, count, seed=config["validation_seed"])
    return RunData(dataset, x_train, y_train, x_val, y_val, x_test, y_test)


def model_inputs(images, input_shape, dtype, what="the images"):
    """uint8 images (n, *image_shape) as model inputs (n, *input_shape) of `dtype`, in [0, 1].

    Raises:
        ValueError: the images cannot be reshaped to `input_shape`; names both shapes.
    """
    images = np.asarray(images)
    input_shape = tuple(input_shape)
    image_shape = tuple(images.shape[1:])
    if image_shape != input_shape:
        if math.prod(image_shape) != math.prod(input_shape):
            raise ValueError(
                f"The model expects inputs of shape {input_shape} ({math.prod(input_shape)} values per sample) "
                f"but {what} have shape {image_shape} ({math.prod(image_shape)} values): it was trained for "
                "other images."
            )
        images = images.reshape((len(images),) + input_shape)
    return datasets.scale(images, dtype)


def model_targets(labels, loss_name, num_outputs):
    """Labels (n,) as the loss wants them: one-hot (n, num_outputs) for categorical_crossentropy."""
    labels = np.asarray(labels)
    if labels.size and labels.max() >= max(num_outputs, 2):
        raise ValueError(
            f"The labels go up to {labels.max()} ({labels.max() + 1} classes) but the model has "
            f"{num_outputs} output{'s' if num_outputs > 1 else ''}: it was trained for other classes."
        )
    if loss_name == "categorical_crossentropy":
        return to_categorical(labels, num_outputs)
    return labels


def class_probabilities(outputs):
    """Model outputs (n, classes), or (n, 1) sigmoid outputs as (n, 2) [P(0), P(1)]."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 2 and outputs.shape[1] == 1:
        return np.hstack([1.0 - outputs, outputs])
    return outputs
