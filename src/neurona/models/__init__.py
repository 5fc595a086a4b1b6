"""Models: Sequential, with Keras' compile / fit / evaluate / predict."""

from neurona.models.model import Model
from neurona.models.sequential import Sequential

__all__ = ["Model", "Sequential"]
