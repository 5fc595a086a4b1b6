"""Weight penalties added to the loss: l1 * sum|w| + l2 * sum(w^2) (Keras' defaults 0.01)."""

import numpy as np


class Regularizer:
    name = None

    def __init__(self, l1=0.0, l2=0.0):
        for key, value in (("l1", l1), ("l2", l2)):
            if not (isinstance(value, (int, float)) and value >= 0):
                raise ValueError(f"{key} must be a number >= 0. Received: {key}={value!r}")
        self.l1, self.l2 = float(l1), float(l2)

    def penalty(self, weights):
        """The scalar added to the loss."""
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(weights)))
        if self.l2:
            total += self.l2 * float(np.sum(np.square(weights)))
        return total

    def add_gradient(self, weights, grad):
        """Add d(penalty)/d(weights) to `grad` in place."""
        if self.l1:
            grad += self.l1 * np.sign(weights)
        if self.l2:
            grad += (2.0 * self.l2) * weights
        return grad

    __call__ = penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    name = "l1"

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    name = "l2"

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    name = "l1_l2"


l1 = L1
l2 = L2
l1_l2 = L1L2
_REGISTRY = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier):
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2') or a Regularizer instance."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _REGISTRY:
            raise ValueError(f"Unknown regularizer: {identifier!r}. Expected one of {sorted(_REGISTRY)}.")
        return _REGISTRY[identifier]()
    raise TypeError(f"regularizer must be a name or a Regularizer. Received: {identifier!r}")


def serialize(regularizer):
    return None if regularizer is None else {"name": regularizer.name, "config": regularizer.get_config()}


def deserialize(config):
    if config is None or isinstance(config, str):
        return get(config)
    cls = _REGISTRY.get(config["name"])
    if cls is None:
        raise ValueError(f"Unknown regularizer: {config['name']!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls(**config.get("config", {}))
