"""The `tf.keras` / `keras` spelling of neurona's API.

`import neurona as tf` then `tf.keras.layers.Dense(...)`, `from neurona import keras` then
`keras.Sequential(...)`, and `from neurona.keras.datasets import mnist` all reach the same
modules as `neurona.layers`, `neurona.datasets`, ...
"""

import sys

from neurona import (
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    utils,
)
from neurona.layers import Input
from neurona.models import Model, Sequential

_SUBMODULES = {
    "activations": activations, "backend": backend, "callbacks": callbacks, "datasets": datasets,
    "initializers": initializers, "layers": layers, "losses": losses, "metrics": metrics,
    "models": models, "optimizers": optimizers, "regularizers": regularizers, "saving": saving,
    "utils": utils,
}
# Register the submodules under this module's name so `from neurona.keras.X import Y` imports.
for _name, _module in _SUBMODULES.items():
    sys.modules[f"{__name__}.{_name}"] = _module

__all__ = list(_SUBMODULES) + ["Input", "Model", "Sequential"]
