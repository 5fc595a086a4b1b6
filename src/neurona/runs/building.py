"""The Sequential model a config describes, compiled and built."""

import math

from neurona import optimizers
from neurona.layers import Dense, Dropout, Flatten
from neurona.models import Sequential


def num_outputs(config, num_classes):
    """Output units: 1 (sigmoid) for binary_crossentropy, else one softmax unit per class."""
    if config["loss"] == "binary_crossentropy":
        if num_classes > 2:
            raise ValueError(
                f"loss binary_crossentropy needs two classes; the dataset has {num_classes}. "
                "Use sparse_categorical_crossentropy."
            )
        return 1
    return num_classes


def build_model(config, image_shape, num_classes):
    """A compiled Sequential for images of `image_shape` (rows, cols[, channels]).

    `input: flat` takes vectors of prod(image_shape) values (Dense first, as seeds 000, 002 and
    004 write it); `input: image` takes the images and starts with a Flatten layer (seed 003).
    Weights are drawn from NumPy's global generator: seed it first for repeatable weights.
    """
    dtype = config["dtype"]
    flat_size = math.prod(image_shape)
    model = Sequential(name=config["name"])
    if config["input"] == "image":
        model.add(Flatten(input_shape=tuple(image_shape)))
        first_input = {}
    else:
        first_input = {"input_shape": (flat_size,)}
    for units in config["hidden_layers"]:
        model.add(Dense(units, activation=config["activation"], dtype=dtype, **first_input))
        first_input = {}
        if config["dropout"]:
            model.add(Dropout(config["dropout"]))
    outputs = num_outputs(config, num_classes)
    model.add(Dense(outputs, activation="sigmoid" if outputs == 1 else "softmax", dtype=dtype, **first_input))
    model.compile(optimizer=make_optimizer(config), loss=config["loss"], metrics=["accuracy"])
    return model


def make_optimizer(config):
    """The optimizer named by `config['optimizer']` with `config['optimizer_params']`."""
    cls = type(optimizers.get(config["optimizer"]))
    return cls(**config["optimizer_params"])


def input_shape_for(config, image_shape):
    """The model's input shape (batch axis excluded) for images of `image_shape`."""
    if config["input"] == "image":
        return tuple(image_shape)
    return (math.prod(image_shape),)
