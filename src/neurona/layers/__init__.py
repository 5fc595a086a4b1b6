"""Layers, with Keras' names: Dense, Flatten, Dropout, Activation, Input, InputLayer."""

from neurona.layers.activation import Activation
from neurona.layers.base import Layer
from neurona.layers.dense import Dense
from neurona.layers.dropout import Dropout
from neurona.layers.flatten import Flatten
from neurona.layers.input_layer import Input, InputLayer

_REGISTRY = {cls.__name__: cls for cls in (Activation, Dense, Dropout, Flatten, InputLayer)}


def serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config):
    """A layer from {'class_name': ..., 'config': ...}, resolved through our own registry."""
    class_name = config.get("class_name")
    if class_name not in _REGISTRY:
        raise ValueError(f"Unknown layer: {class_name!r}. Expected one of {sorted(_REGISTRY)}.")
    return _REGISTRY[class_name].from_config(config.get("config", {}))


__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer",
           "serialize", "deserialize"]
