"""The functional API's symbols: tensors that stand for batches, and the nodes that make them.

`keras.Input(shape=(28, 28, 1))` returns a `SymbolicTensor`; calling a layer on symbolic
tensors builds the layer (its input shape is now known), records a `Node` (the layer and the
tensors it reads) and returns the node's output tensor. A functional model is the set of nodes
between its inputs and its outputs, put in topological order once, when the model is made.
"""

import numpy as np


class SymbolicTensor:
    """A batch that does not exist yet: its shape (batch axis None), its dtype, and the node
    that will compute it."""

    def __init__(self, sample_shape, dtype, node, name):
        self.sample_shape = tuple(int(dim) for dim in sample_shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.name = name

    @property
    def shape(self):
        return (None,) + self.sample_shape

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def layer(self):
        """The layer whose call produces this tensor (an InputLayer for a model's input)."""
        return self.node.layer

    def numpy(self):
        raise TypeError(
            f"{self!r} is symbolic: it has no values until a model built on it runs. "
            "Call model.predict(x) (or model(x)) on data instead."
        )

    def __array__(self, dtype=None, copy=None):
        self.numpy()

    def __repr__(self):
        return f"<SymbolicTensor shape={self.shape} dtype={self.dtype} name={self.name!r}>"


class Node:
    """One call of `layer` on symbolic tensors: its inputs (in call order) and its output."""

    def __init__(self, layer, inputs, output_shape, dtype, as_list):
        self.layer = layer
        self.inputs = list(inputs)
        self.as_list = as_list  # whether the layer received a list (merge layers, nested lists)
        # An input is named as its layer (keras.Input(name=...)); other tensors after theirs.
        name = f"{layer.name}/output" if self.inputs else layer.name
        self.output = SymbolicTensor(output_shape, dtype, self, name)

    @property
    def parents(self):
        return [tensor.node for tensor in self.inputs]

    def __repr__(self):
        return f"<Node {self.layer.name} inputs={[t.name for t in self.inputs]}>"


def is_symbolic(value):
    if isinstance(value, SymbolicTensor):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, SymbolicTensor) for v in value)


def call_symbolic(layer, inputs):
    """Build `layer` for `inputs` (a tensor or a list of them) and return its output tensor."""
    as_list = isinstance(inputs, (list, tuple))
    tensors = list(inputs) if as_list else [inputs]
    shapes = [tensor.sample_shape for tensor in tensors]
    shape = shapes if as_list else shapes[0]
    if not layer.built:
        layer.build(shape)
    elif not as_list and layer.input_shape is not None and tuple(layer.input_shape) != shape:
        raise ValueError(
            f"Layer {layer.name!r} was built for inputs of shape {(None,) + tuple(layer.input_shape)}; "
            f"it is called on {tensors[0].name!r} of shape {tensors[0].shape}."
        )
    output_shape = layer.compute_output_shape(shape)
    dtype = np.result_type(*[tensor.dtype for tensor in tensors])
    node = Node(layer, tensors, output_shape, dtype, as_list)
    layer.inbound_nodes.append(node)
    return node.output


def topological_nodes(inputs, outputs):
    """Every node from `inputs` to `outputs`, each after the nodes it reads, in a stable
    order (depth first from the outputs, inputs' nodes first). A tensor that cannot be
    computed from `inputs` is refused with the layer that needs it."""
    input_nodes = {id(tensor.node) for tensor in inputs}
    order, state = [], {}

    def visit(node, needed_by):
        key = id(node)
        if state.get(key) == "done":
            return
        if state.get(key) == "active":
            raise ValueError(f"The graph has a cycle through layer {node.layer.name!r}.")
        if key not in input_nodes and not node.inputs:
            raise ValueError(
                f"Graph disconnected: the tensor {node.output.name!r} (from {type(node.layer).__name__} "
                f"{node.layer.name!r}) feeds {needed_by!r} but is not one of the model's inputs. "
                "Pass every keras.Input the outputs depend on as inputs."
            )
        state[key] = "active"
        if key not in input_nodes:
            for parent in node.parents:
                visit(parent, node.layer.name)
        state[key] = "done"
        order.append(node)

    for tensor in inputs:
        visit(tensor.node, "the model")
    for tensor in outputs:
        visit(tensor.node, "the model's outputs")
    return order
