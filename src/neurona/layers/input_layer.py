"""InputLayer and Input: declare the shape of one sample (batch axis excluded)."""

from neurona.layers.base import Layer


class InputLayer(Layer):
    """Marks a model's input shape; passes inputs through unchanged."""

    def __init__(self, shape=None, **kwargs):
        if shape is not None:
            if "input_shape" in kwargs:
                raise ValueError("InputLayer: pass shape or input_shape, not both.")
            kwargs["input_shape"] = shape
        super().__init__(**kwargs)
        if self.declared_input_shape is None:
            raise ValueError("InputLayer needs a shape, e.g. InputLayer(shape=(784,)).")

    def forward(self, x, training=False):
        return x

    def backward(self, grad_output, need_input_grad=True):
        return grad_output if need_input_grad else None


def Input(shape, name=None):
    """The input of a Sequential model: `Sequential([Input(shape=(784,)), Dense(10)])`."""
    return InputLayer(shape=shape, name=name)
