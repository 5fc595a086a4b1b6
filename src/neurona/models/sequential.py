"""Sequential: a plain stack of layers, each feeding the next."""

from neurona import backend, layers as layers_module
from neurona.layers import InputLayer, Layer
from neurona.models.model import Model
from neurona.models.summary import format_summary


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
        elif self._input_shape is not None:
            self.build(self._input_shape)

    def pop(self):
        if not self.layers:
            raise ValueError("There is no layer to pop: the model is empty.")
        layer = self.layers.pop()
        self._after_structure_change()
        return layer

    def _after_structure_change(self):
        if self.compiled and self.layers and self._built:
            self._resolve_metrics()

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

    def summary(self, print_fn=print, line_length=65):
        """Print Keras' table: each layer, its output shape and parameter count, then totals."""
        if not self._built:
            raise ValueError(
                f"Model {self.name!r} has not been built yet: give the first layer an input_shape, "
                "call build(input_shape), or fit it on data first."
            )
        print_fn(format_summary(self, line_length))

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
