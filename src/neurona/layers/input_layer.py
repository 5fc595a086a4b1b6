"""InputLayer and Input: declare the shape of one sample (batch axis excluded)."""

from neurona.layers.identity import Identity


class InputLayer(Identity):
    """Marks a model's input shape; passes inputs through unchanged, as Identity does (its
    Keras translation is the model's input, written by `saving.keras_config`)."""

    def __init__(self, shape=None, **kwargs):
        if shape is not None:
            if "input_shape" in kwargs:
                raise ValueError("InputLayer: pass shape or input_shape, not both.")
            kwargs["input_shape"] = shape
        super().__init__(**kwargs)
        if self.declared_input_shape is None:
            raise ValueError("InputLayer needs a shape, e.g. InputLayer(shape=(784,)).")


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None):
    """A symbolic input: `x = keras.Input(shape=(28, 28, 1))`, the start of a functional model,
    or the first entry of a Sequential, `Sequential([keras.Input(shape=(784,)), Dense(10)])`.

    `shape` excludes the batch axis (`batch_shape` includes it; the batch size is free)."""
    from neurona import backend
    from neurona.models.graph import Node

    if batch_shape is not None:
        if shape is not None:
            raise ValueError("Input: pass shape or batch_shape, not both.")
        shape = tuple(batch_shape)[1:]
    layer = InputLayer(shape=shape, name=name)
    node = Node(layer, [], layer.declared_input_shape, dtype or backend.floatx(), False)
    layer.inbound_nodes.append(node)
    return node.output
