"""neurona: neural-network image classifiers from scratch in NumPy, with a Keras-compatible API.

    from neurona.models import Sequential
    from neurona.layers import Dense, Flatten

The `tf.keras` spelling works too: `import neurona as tf; tf.keras.layers.Dense(10)`.
"""

__version__ = "0.1.0"

from neurona import (  # noqa: E402
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
    utils,
)
from neurona import keras, nn, random  # noqa: E402  (after the modules they point at)
from neurona.layers import Input  # noqa: E402
from neurona.models import Model, Sequential  # noqa: E402
from neurona.tensors import Tensor, constant, convert_to_tensor  # noqa: E402

__all__ = [
    "activations", "backend", "callbacks", "datasets", "initializers", "keras", "layers",
    "losses", "metrics", "models", "nn", "optimizers", "random", "regularizers", "utils", "Input", "Model", "Sequential",
    "Tensor", "constant", "convert_to_tensor",
]
