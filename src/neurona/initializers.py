"""Weight initializers with Keras' names and defaults.

An initializer is called as `init(shape, dtype, rng)` and returns a new array. For a Dense
kernel of shape (fan_in, fan_out) the variance-scaling initializers follow Keras:
glorot_* use (fan_in + fan_out) / 2, he_* and lecun_* use fan_in; the *_normal ones draw from
a normal truncated at two standard deviations, rescaled so the variance is as stated.
"""

import math

import numpy as np

from neurona import backend

# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores unit variance.
_TRUNCATED_STDDEV = 0.87962566103423978


class Initializer:
    name = None

    def __call__(self, shape, dtype=None, rng=None):
        dtype = dtype or backend.floatx()
        rng = backend.make_rng(rng)
        return np.asarray(self.sample(tuple(shape), rng), dtype=dtype)

    def sample(self, shape, rng):
        raise NotImplementedError

    def get_config(self):
        return {}

    def __repr__(self):
        return f"<initializer {self.name}>"


class Zeros(Initializer):
    name = "zeros"

    def sample(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    name = "ones"

    def sample(self, shape, rng):
        return np.ones(shape)


class RandomNormal(Initializer):
    name = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape, rng):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev}


class VarianceScaling(Initializer):
    """Draws with variance `scale / n`, n the fan given by `mode`."""

    name = "variance_scaling"

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal"):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be fan_in, fan_out or fan_avg. Received: mode={mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "distribution must be truncated_normal, untruncated_normal or uniform. "
                f"Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def sample(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), size=shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        return _truncated_normal(shape, math.sqrt(variance) / _TRUNCATED_STDDEV, rng)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}


def _named_variance_scaling(name, scale, mode, distribution):
    class Named(VarianceScaling):
        def __init__(self):
            super().__init__(scale, mode, distribution)

        def get_config(self):
            return {}

    Named.name = name
    Named.__name__ = "".join(part.capitalize() for part in name.split("_"))
    return Named


GlorotUniform = _named_variance_scaling("glorot_uniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _named_variance_scaling("glorot_normal", 1.0, "fan_avg", "truncated_normal")
HeNormal = _named_variance_scaling("he_normal", 2.0, "fan_in", "truncated_normal")
HeUniform = _named_variance_scaling("he_uniform", 2.0, "fan_in", "uniform")
LecunNormal = _named_variance_scaling("lecun_normal", 1.0, "fan_in", "truncated_normal")


def _fans(shape):
    """(fan_in, fan_out) as Keras computes them; a kernel of rank > 2 is (*receptive_field, in, out)."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _truncated_normal(shape, stddev, rng):
    """Normal(0, stddev) redrawn until every value lies within two standard deviations."""
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values * stddev


_REGISTRY = {
    cls.name: cls
    for cls in (Zeros, Ones, RandomNormal, VarianceScaling, GlorotUniform, GlorotNormal,
                HeNormal, HeUniform, LecunNormal)
}


def get(identifier):
    """An initializer from a name ('glorot_uniform') or an Initializer instance."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _REGISTRY:
            raise ValueError(f"Unknown initializer: {identifier!r}. Expected one of {sorted(_REGISTRY)}.")
        return _REGISTRY[identifier]()
    raise TypeError(f"initializer must be a name or an Initializer. Received: {identifier!r}")


def serialize(initializer):
    return {"name": initializer.name, "config": initializer.get_config()}


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    cls = _REGISTRY.get(config["name"])
    if cls is None:
        raise ValueError(f"Unknown initializer: {config['name']!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls(**config.get("config", {}))
