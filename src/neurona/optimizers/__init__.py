"""Optimizers with Keras' names, defaults and update rules."""

from neurona.optimizers.adadelta import Adadelta
from neurona.optimizers.adagrad import Adagrad
from neurona.optimizers.adam import Adam
from neurona.optimizers.adamax import Adamax
from neurona.optimizers.adamw import AdamW
from neurona.optimizers.base import Optimizer
from neurona.optimizers.nadam import Nadam
from neurona.optimizers.rmsprop import RMSprop
from neurona.optimizers.sgd import SGD
from neurona.optimizers import schedules

_REGISTRY = {cls.name.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam)}


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', 'rmsprop', ...), an Optimizer instance, or a
    serialized {'class_name', 'config'} dict (whose learning_rate may be a serialized schedule)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _REGISTRY.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer: {identifier!r}. Expected one of {sorted(_REGISTRY)}.")
        return cls()
    raise TypeError(f"optimizer must be a name, a config dict or an Optimizer. Received: {identifier!r}")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    if not isinstance(config, dict):
        raise TypeError(f"An optimizer config must be a dict with a class_name. Received: {config!r}")
    cls = _REGISTRY.get(str(config.get("class_name", "")).lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: {config.get('class_name')!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls.from_config(dict(config.get("config") or {}))


__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Optimizer",
           "get", "serialize", "deserialize", "schedules"]
