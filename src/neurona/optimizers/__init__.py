"""Optimizers with Keras' names, defaults and update rules."""

from neurona.optimizers.adadelta import Adadelta
from neurona.optimizers.adagrad import Adagrad
from neurona.optimizers.adam import Adam
from neurona.optimizers.adamax import Adamax
from neurona.optimizers.base import Optimizer
from neurona.optimizers.nadam import Nadam
from neurona.optimizers.rmsprop import RMSprop
from neurona.optimizers.sgd import SGD

_REGISTRY = {cls.name.lower(): cls for cls in (SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax, Nadam)}


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', 'rmsprop', ...) or an Optimizer instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _REGISTRY.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer: {identifier!r}. Expected one of {sorted(_REGISTRY)}.")
        return cls()
    raise TypeError(f"optimizer must be a name or an Optimizer. Received: {identifier!r}")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    cls = _REGISTRY.get(str(config.get("class_name", "")).lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: {config.get('class_name')!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls.from_config(config.get("config", {}))


__all__ = ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Optimizer",
           "get", "serialize", "deserialize"]
