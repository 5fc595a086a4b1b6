"""Models: Sequential and functional (`Model(inputs, outputs)`), with Keras' compile / fit /
evaluate / predict, and load_model."""

from neurona.models.functional import Functional
from neurona.models.model import Model
from neurona.models.sequential import Sequential


def load_model(filepath, compile=True):
    """A model saved by `model.save` (or by Keras as `.keras` / `.h5`), ready to use."""
    from neurona import saving

    return saving.load_model(filepath, compile=compile)


__all__ = ["Functional", "Model", "Sequential", "load_model"]
