"""Layers, with Keras' names and arguments (channels-last images: (batch, height, width, channels))."""

from neurona.layers.activation import Activation
from neurona.layers.augmentation import RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom
from neurona.layers.advanced_activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from neurona.layers.base import Layer
from neurona.layers.conv import Conv2D
from neurona.layers.dense import Dense
from neurona.layers.dropout import Dropout
from neurona.layers.flatten import Flatten
from neurona.layers.identity import Identity
from neurona.layers.input_layer import Input, InputLayer
from neurona.layers.merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average,
                                    concatenate, maximum, minimum, multiply, subtract)
from neurona.layers.noise import GaussianNoise
from neurona.layers.normalization import BatchNormalization
from neurona.layers.permute import Permute
from neurona.layers.preprocessing import Normalization
from neurona.layers.pooling import AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D
from neurona.layers.reshaping import Reshape, ZeroPadding2D
from neurona.layers.rescaling import Rescaling

# Keras' aliases.
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D

_REGISTRY = {cls.__name__: cls for cls in (
    Activation, Add, Average, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Flatten,
    GlobalAveragePooling2D, GlobalMaxPooling2D, InputLayer, Maximum, MaxPooling2D, Minimum, Multiply, Rescaling,
    Reshape, Subtract, ZeroPadding2D, ReLU, Softmax, LeakyReLU, ELU, PReLU, Identity, Permute, GaussianNoise,
    Normalization, RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
)}


def serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config):
    """A layer from {'class_name': ..., 'config': ...}, resolved through our own registry."""
    class_name = config.get("class_name")
    if class_name in ("Sequential", "Functional"):
        from neurona import models

        return getattr(models, class_name).from_config(config.get("config", {}))
    if class_name not in _REGISTRY:
        raise ValueError(f"Unknown layer: {class_name!r}. Expected one of {sorted(_REGISTRY)}.")
    return _REGISTRY[class_name].from_config(config.get("config", {}))


__all__ = ["RandomContrast", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom",
           "ELU", "GaussianNoise", "Identity", "LeakyReLU", "Normalization", "PReLU", "Permute", "ReLU", "Softmax",
           "Activation", "Add", "Average", "Concatenate", "Maximum", "Minimum", "Multiply", "Subtract", "add",
           "average", "concatenate", "maximum", "minimum", "multiply", "subtract", "AveragePooling2D", "AvgPool2D", "BatchNormalization", "Conv2D", "Convolution2D",
           "Dense", "Dropout", "Flatten", "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPool2D",
           "GlobalMaxPooling2D", "Input", "InputLayer", "Layer", "MaxPool2D", "MaxPooling2D", "Rescaling",
           "Reshape", "ZeroPadding2D", "serialize", "deserialize"]
