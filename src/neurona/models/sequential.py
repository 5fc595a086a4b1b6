"""Sequential: a plain stack of layers, each feeding the next."""

from neurona import backend, layers as layers_module
from neurona.layers import InputLayer, Layer
from neurona.models import graph
from neurona.models.model import Model


class Sequential(Model):
    """`Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation='relu'), ...])`.

    The model is built, and its weights drawn, as soon as its input shape is known: from the
    first layer's `input_shape`/`input_dim`, an `Input(shape=...)`, `build(shape)`, or the
    first data it sees.
    """

    def __init__(self, layers=None, name=None):
        super().__init__(name or backend.unique_name("sequential"))
        self._input_shape = None
        self._built = False
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, graph.SymbolicTensor):
            if not (isinstance(layer.layer, InputLayer) and not layer.node.inputs):
                raise TypeError(
                    f"Sequential.add takes layers, or a keras.Input first. Received the tensor {layer.name!r}; "
                    "to build on other layers' outputs, use keras.Model(inputs, outputs)."
                )
            layer = layer.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer. Received: {layer!r} of type {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):
            if self.layers or self._input_shape is not None:
                raise ValueError("An Input layer can only come first in a Sequential model.")
            self._input_shape = layer.declared_input_shape
            return
        if not self.layers and self._input_shape is None and layer.declared_input_shape:
            self._input_shape = layer.declared_input_shape
        self.layers.append(layer)
        if self._built:
            previous_output = self.layers[-2].compute_output_shape(self.layers[-2].input_shape) \
                if len(self.layers) > 1 else self._input_shape
            layer.build(previous_output)
            self._after_structure_change()
            self._symbolic()
        elif self._input_shape is not None:
            self.build(self._input_shape)

    def pop(self):
        if not self.layers:
            raise ValueError("There is no layer to pop: the model is empty.")
        layer = self.layers.pop()
        self._after_structure_change()
        return layer

    def _after_structure_change(self):
        self._graph = None
        if self.compiled and self.layers and self._built:
            self._resolve_metrics()

    def _symbolic(self):
        """(input tensor, output tensor) of this stack called on a keras.Input, made once per
        structure: what `inputs`, `outputs` and each layer's `input`/`output` refer to."""
        if getattr(self, "_graph", None) is None:
            if not self._built:
                raise AttributeError(f"Model {self.name!r} has no inputs until it is built.")
            from neurona.layers.input_layer import Input

            # The previous structure's calls go: a layer's `output` is its call in this stack.
            for layer, node in getattr(self, "_graph_nodes", []):
                if node in layer.inbound_nodes:
                    layer.inbound_nodes.remove(node)
            tensor = first = Input(shape=self._input_shape)
            self._graph_nodes = []
            for layer in self.layers:
                tensor = layer(tensor)
                self._graph_nodes.append((layer, tensor.node))
            self._graph = (first, tensor)
        return self._graph

    @property
    def inputs(self):
        return [self._symbolic()[0]]

    @property
    def input(self):
        return self._symbolic()[0]

    @property
    def output(self):
        return self._symbolic()[1]

    @property
    def outputs(self):
        return [self._symbolic()[1]]

    @property
    def built(self):
        return self._built

    def build(self, input_shape=None):
        """Create every layer's weights for samples of `input_shape` (batch axis excluded)."""
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError(f"Model {self.name!r} cannot be built without an input shape.")
        if not self.layers:
            raise ValueError(f"Model {self.name!r} has no layers: add some before building it.")
        shape = tuple(int(dim) for dim in input_shape)
        self._input_shape = shape
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            elif layer.input_shape != shape:
                raise ValueError(
                    f"Layer {layer.name!r} was built for inputs of shape {layer.input_shape}, "
                    f"but receives {shape}."
                )
            shape = layer.compute_output_shape(shape)
        self._built = True
        self._after_structure_change()
        # Made now, as Keras does, so that every layer's `output` exists once the model is built.
        self._symbolic()

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        if not self._built:
            return None
        shape = self._input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _summary_rows(self):
        rows, shape = [], self._input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
            rows.append((layer, shape))
        return rows

    def get_config(self):
        return {
            "name": self.name,
            "input_shape": list(self._input_shape) if self._input_shape else None,
            "layers": [layers_module.serialize(layer) for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config):
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            model.layers.append(layers_module.deserialize(layer_config))
        if config.get("input_shape"):
            model.build(tuple(config["input_shape"]))
        return model

    def __repr__(self):
        return f"<Sequential name={self.name!r} layers={len(self.layers)}>"
