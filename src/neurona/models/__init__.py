"""Models: Sequential and functional (`Model(inputs, outputs)`), with Keras' compile / fit /
evaluate / predict, and load_model, model_from_json and clone_model."""

from neurona.models.functional import Functional
from neurona.models.model import Model
from neurona.models.sequential import Sequential


def load_model(filepath, compile=True):
    """A model saved by `model.save` (or by Keras as `.keras` / `.h5`), ready to use."""
    from neurona import saving

    return saving.load_model(filepath, compile=compile)


def model_from_json(json_string, custom_objects=None):
    """A model from `model.to_json()` (or Keras' JSON of a Sequential or functional model):
    the architecture, with fresh weights, not compiled. Layers resolve by name only."""
    from neurona import saving

    return saving.model_from_json(json_string, custom_objects=custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with `model`'s architecture (the same layers, names and graph) and fresh
    weights drawn by its layers' initializers, not compiled, as Keras' clone_model."""
    from neurona import layers
    from neurona.saving.building import floatx

    if input_tensors is not None or clone_function is not None:
        raise ValueError("clone_model(model) clones the whole model; input_tensors and clone_function are not "
                         "supported by neurona.")
    if not isinstance(model, Model):
        raise TypeError(f"clone_model expects a Sequential or functional model. Received: {model!r}")
    with floatx(str(model.dtype)):
        return layers.deserialize(layers.serialize(model))


__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json"]
