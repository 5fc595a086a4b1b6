"""The Layer base class: named weights of two kinds, their gradients, reusable buffers, config."""

import copy
import re

import numpy as np

from neurona import backend

_ACCEPTED_SHAPE_KWARGS = ("input_shape", "input_dim", "batch_input_shape")


class Layer:
    """A step of a model: `forward` keeps what `backward` needs; an optimizer applies `grads`.

    Shapes handed to `build` and `compute_output_shape` exclude the batch axis. Subclasses
    create weights in `build` with `add_weight`, fill `self.grads` (the trainable weights'
    names and shapes) in `backward`, and return the gradient with respect to their input.

    Weights have kinds, as in Keras: trainable ones (a kernel) have a gradient and are updated
    by the optimizer; non-trainable ones (BatchNormalization's moving statistics) are updated by
    the layer itself, have no gradient, and are saved with the others in creation order.
    `self.params` holds every weight in that order.

    `forward` may return a view into a buffer the layer reuses on the next call: consume or
    copy it before calling `forward` again.
    """

    activation = None
    # Whether forward(x, training, apply_activation=False) returns the pre-activations, which
    # lets the model fuse the output activation into the loss kernel.
    can_skip_activation = False

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None,
                 input_dim=None, batch_input_shape=None):
        self.name = name or backend.unique_name(_snake_case(type(self).__name__))
        self.trainable = bool(trainable)
        self.dtype = dtype
        self.declared_input_shape = _declared_input_shape(
            self.name, input_shape, input_dim, batch_input_shape
        )
        self.params = {}
        self.grads = {}
        self.non_trainable_names = set()
        self.weight_regularizers = {}
        self.input_shape = None
        self.built = False
        self._buffers = {}
        self.inbound_nodes = []  # one per call on symbolic tensors (functional models)

    # Structure -----------------------------------------------------------------------------

    def build(self, input_shape):
        """Create parameters for inputs of `input_shape` (batch axis excluded)."""
        self.input_shape = tuple(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def add_weight(self, name, shape, initializer, rng=None, trainable=True, regularizer=None):
        """Create the weight `name`; a trainable one also gets a gradient of its shape, and
        `regularizer` (a `neurona.regularizers` object) adds its penalty to the loss.

        A loader that must check shapes before anything is allocated sets `weight_guard`
        on the layer: it is called as guard(layer, name, shape) and returns the initializer
        to use (or raises).
        """
        shape = tuple(int(dim) for dim in shape)
        guard = self.__dict__.get("weight_guard")
        if guard is not None:
            initializer = guard(self, name, shape)
        dtype = self.dtype or backend.floatx()
        value = initializer(shape, dtype=dtype, rng=rng)
        self.params[name] = value
        if trainable:
            self.grads[name] = np.zeros_like(value)
        else:
            self.non_trainable_names.add(name)
        if regularizer is not None:
            self.weight_regularizers[name] = regularizer
        return value

    # Computation ---------------------------------------------------------------------------

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_output, need_input_grad=True):
        """Fill `self.grads`; return dLoss/dinput (None when `need_input_grad` is False)."""
        raise NotImplementedError

    def __call__(self, x, training=False):
        """On arrays: build if needed and compute the outputs. On symbolic tensors (from
        `keras.Input`): record the call in a graph and return the output tensor."""
        from neurona.models import graph

        if graph.is_symbolic(x):
            return graph.call_symbolic(self, x)
        from neurona.tensors import wrap

        x = np.asarray(x)
        if not self.built:
            self.build(x.shape[1:])
        return wrap(np.array(self.forward(x, training=training)))

    @property
    def input(self):
        """The symbolic tensor(s) of this layer's first call in a graph."""
        node = self._first_node("input")
        return node.inputs if node.as_list else node.inputs[0]

    @property
    def output(self):
        """The symbolic output of this layer's first call in a graph."""
        return self._first_node("output").output

    def _first_node(self, what):
        if not self.inbound_nodes:
            raise AttributeError(
                f"Layer {self.name!r} has no {what} yet: it has not been called on a symbolic tensor "
                "(keras.Input) or added to a model with a known input shape."
            )
        return self.inbound_nodes[0]

    def call_copy(self):
        """A stand-in for a second call of this layer in a graph: the same weights (the same
        `params`), its own caches, buffers and gradients (added to this layer's by the model),
        and no regularizers (the layer's own count them once)."""
        clone = copy.copy(self)
        clone._buffers = {}
        clone.grads = {name: np.zeros_like(value) for name, value in self.grads.items()}
        clone.weight_regularizers = {}
        clone.inbound_nodes = []
        clone.call_primary = self
        clone.reset_call_state()
        return clone

    def reset_call_state(self):
        """Recreate whatever a call keeps for backward (layers holding helper objects)."""

    def regularization_loss(self):
        """The penalty this layer's weight regularizers add to the loss (0 without any)."""
        return sum(regularizer.penalty(self.params[name])
                   for name, regularizer in self.weight_regularizers.items())

    @property
    def has_regularizer(self):
        return bool(self.weight_regularizers)

    def add_regularizer_gradients(self):
        """Add each regularized weight's penalty gradient to its gradient (after backward)."""
        for name, regularizer in self.weight_regularizers.items():
            if name in self.grads:
                regularizer.add_gradient(self.params[name], self.grads[name])

    def _buffer(self, key, shape, dtype):
        """A reusable array of `shape`: a leading slice of the largest one allocated so far."""
        buffer = self._buffers.get(key)
        if buffer is None or buffer.dtype != dtype or buffer.shape[1:] != shape[1:] or buffer.shape[0] < shape[0]:
            buffer = np.empty(shape, dtype=dtype)
            self._buffers[key] = buffer
        return buffer[: shape[0]]

    # Weights -------------------------------------------------------------------------------

    @property
    def weights(self):
        return list(self.params.values())

    @property
    def trainable_names(self):
        """Names of the weights the optimizer updates (none when the layer is frozen)."""
        if not self.trainable:
            return []
        return [name for name in self.params if name not in self.non_trainable_names]

    @property
    def has_trainable_weights(self):
        return bool(self.trainable_names)

    @property
    def trainable_weights(self):
        return [self.params[name] for name in self.trainable_names]

    @property
    def non_trainable_weights(self):
        trained = set(self.trainable_names)
        return [value for name, value in self.params.items() if name not in trained]

    def count_params(self):
        return int(sum(value.size for value in self.params.values()))

    def count_trainable_params(self):
        return int(sum(value.size for value in self.trainable_weights))

    def multiply_adds(self, batch):
        """Multiply-adds of this layer's largest matrix product for `batch` samples (0 when it
        has none): what the execution policy sizes BLAS threads by."""
        return 0

    def onnx_nodes(self, graph, current, prefix):
        """Add this layer's inference nodes to `graph` (the ONNX exporter's `_Graph`), reading
        the tensor named `current`; return the name of the output tensor. Node names start with
        `prefix`. `graph.layout` says whether `current` is channels first; leave it describing
        the tensor returned."""
        raise ValueError(f"Layer {self.name!r} of type {type(self).__name__} has no ONNX export.")

    def get_weights(self):
        return [value.copy() for value in self.params.values()]

    def set_weights(self, weights):
        weights = list(weights)
        expected = [value.shape for value in self.params.values()]
        received = [np.shape(value) for value in weights]
        if expected != received:
            raise ValueError(
                f"Layer {self.name!r} expects weights of shapes {expected}. Received shapes {received}."
            )
        for (name, current), value in zip(self.params.items(), weights):
            current[...] = np.asarray(value, dtype=current.dtype)

    # Config --------------------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.dtype is not None:
            config["dtype"] = self.dtype
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _declared_input_shape(name, input_shape, input_dim, batch_input_shape):
    given = [key for key, value in zip(_ACCEPTED_SHAPE_KWARGS, (input_shape, input_dim, batch_input_shape))
             if value is not None]
    if len(given) > 1:
        raise ValueError(f"Layer {name!r}: pass only one of {given}.")
    if input_dim is not None:
        input_shape = (input_dim,)
    elif batch_input_shape is not None:
        input_shape = tuple(batch_input_shape)[1:]
    if input_shape is None:
        return None
    if isinstance(input_shape, int):
        input_shape = (input_shape,)
    shape = tuple(input_shape)
    if not shape or not all(isinstance(dim, (int, np.integer)) and dim > 0 for dim in shape):
        raise ValueError(
            f"Layer {name!r} expects an input shape of positive integers, batch axis excluded. "
            f"Received: {input_shape!r}"
        )
    return tuple(int(dim) for dim in shape)


def _snake_case(name):
    """Keras' default layer names: Dense → dense, Conv2D → conv2d, MaxPooling2D → max_pooling2d."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
