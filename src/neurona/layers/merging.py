"""Merge layers: several inputs of one shape in, one output out (Add, Subtract, Multiply,
Average, Maximum, Minimum, Concatenate), and their function forms (`layers.add([a, b])`).

They take a list of arrays in `forward` and return a list of gradients from `backward`, one
per input, in the order the inputs came.
"""

import numpy as np

from neurona.layers.base import Layer


class _Merge(Layer):
    minimum_inputs = 2
    maximum_inputs = None

    def _check_shapes(self, input_shape):
        shapes = list(input_shape) if isinstance(input_shape, list) else None
        if shapes is None or not all(isinstance(shape, tuple) for shape in shapes):
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects a list of inputs. "
                             f"Received inputs of shape {input_shape}.")
        if len(shapes) < self.minimum_inputs or (self.maximum_inputs and len(shapes) > self.maximum_inputs):
            wanted = (f"exactly {self.minimum_inputs}" if self.maximum_inputs == self.minimum_inputs
                      else f"at least {self.minimum_inputs}")
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects {wanted} inputs. "
                             f"Received {len(shapes)}.")
        return shapes

    def build(self, input_shape):
        shapes = self._check_shapes(input_shape)
        if any(shape != shapes[0] for shape in shapes):
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} expects inputs of one shape. Received shapes "
                f"{[(None,) + shape for shape in shapes]}."
            )
        self.input_shape = shapes
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(self._check_shapes(input_shape)[0])

    onnx_op = None  # the ONNX operator that folds the inputs pairwise

    def onnx_nodes(self, graph, current, prefix):
        """`current` is the list of input tensors, channels last."""
        result = current[0]
        for index, name in enumerate(current[1:], start=1):
            result = graph.node(self.onnx_op, [result, name], f"{prefix}/{self.onnx_op.lower()}{index}")
        return result

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return type(self).__name__, adapt.base_to_keras(self, dtype)

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry(cls.__name__, config, {})

    def __call__(self, inputs, training=False):
        from neurona.models import graph

        if graph.is_symbolic(inputs):
            return graph.call_symbolic(self, inputs)
        arrays = [np.asarray(x) for x in inputs]
        if not self.built:
            self.build([x.shape[1:] for x in arrays])
        from neurona.tensors import wrap

        return wrap(np.array(self.forward(arrays, training=training)))


class Add(_Merge):
    """The sum of its inputs."""

    onnx_op = "Add"

    def forward(self, inputs, training=False):
        out = self._buffer("outputs", inputs[0].shape, inputs[0].dtype)
        np.add(inputs[0], inputs[1], out=out)
        for x in inputs[2:]:
            out += x
        self._count = len(inputs)
        return out

    def backward(self, grad_output, need_input_grad=True):
        return [grad_output] * self._count if need_input_grad else None


class Subtract(_Merge):
    """inputs[0] - inputs[1]."""

    minimum_inputs = maximum_inputs = 2
    onnx_op = "Sub"

    def forward(self, inputs, training=False):
        return np.subtract(inputs[0], inputs[1], out=self._buffer("outputs", inputs[0].shape, inputs[0].dtype))

    def backward(self, grad_output, need_input_grad=True):
        return [grad_output, -grad_output] if need_input_grad else None


class Multiply(_Merge):
    """The element-wise product of its inputs."""

    onnx_op = "Mul"

    def forward(self, inputs, training=False):
        self._inputs = inputs
        out = self._buffer("outputs", inputs[0].shape, inputs[0].dtype)
        np.multiply(inputs[0], inputs[1], out=out)
        for x in inputs[2:]:
            out *= x
        return out

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        grads = []
        for i in range(len(self._inputs)):
            grad = grad_output.copy()
            for j, x in enumerate(self._inputs):
                if j != i:
                    grad *= x
            grads.append(grad)
        return grads


class Average(_Merge):
    """The mean of its inputs."""

    def forward(self, inputs, training=False):
        out = self._buffer("outputs", inputs[0].shape, inputs[0].dtype)
        np.add(inputs[0], inputs[1], out=out)
        for x in inputs[2:]:
            out += x
        self._count = len(inputs)
        out /= out.dtype.type(self._count)
        return out

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        share = grad_output / grad_output.dtype.type(self._count)
        return [share] * self._count

    def onnx_nodes(self, graph, current, prefix):
        total = graph.node("Sum", list(current), f"{prefix}/sum")
        return graph.node("Div", [total, graph.constant(f"{prefix}/count", float(len(current)))], f"{prefix}/mean")


class _Extremum(_Merge):
    arg = None  # np.argmax or np.argmin

    def forward(self, inputs, training=False):
        self._count = len(inputs)
        stacked = np.stack(inputs)
        self._winner = self.arg(stacked, axis=0)
        return np.take_along_axis(stacked, self._winner[np.newaxis], axis=0)[0]

    def backward(self, grad_output, need_input_grad=True):
        """Each output's gradient goes to the input that won it (the first one on ties)."""
        if not need_input_grad:
            return None
        return [np.where(self._winner == i, grad_output, 0).astype(grad_output.dtype)
                for i in range(self._count)]


class Maximum(_Extremum):
    """The element-wise maximum of its inputs."""

    arg = staticmethod(np.argmax)
    onnx_op = "Max"


class Minimum(_Extremum):
    """The element-wise minimum of its inputs."""

    arg = staticmethod(np.argmin)
    onnx_op = "Min"


class Concatenate(_Merge):
    """Its inputs joined along `axis` (counted with the batch axis; -1, the last, by default).
    The other axes must agree."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"Concatenate layer {self.name!r} expects an integer axis. Received: axis={axis!r}")
        self.axis = int(axis)

    def _sample_axis(self, rank):
        axis = self.axis + rank + 1 if self.axis < 0 else self.axis
        if not 1 <= axis <= rank:
            raise ValueError(f"Concatenate layer {self.name!r}: axis={self.axis} is not a feature axis of inputs "
                             f"of rank {rank + 1}.")
        return axis - 1

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.input_shape = list(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = self._check_shapes(input_shape)
        axis = self._sample_axis(len(shapes[0]))
        others = {shape[:axis] + shape[axis + 1:] for shape in shapes}
        if len(others) != 1 or len({len(shape) for shape in shapes}) != 1:
            raise ValueError(
                f"Concatenate layer {self.name!r} expects inputs whose shapes agree except along axis={self.axis}. "
                f"Received shapes {[(None,) + shape for shape in shapes]}."
            )
        shape = list(shapes[0])
        shape[axis] = sum(s[axis] for s in shapes)
        return tuple(shape)

    def forward(self, inputs, training=False):
        axis = self._sample_axis(inputs[0].ndim - 1) + 1
        self._sizes = [x.shape[axis] for x in inputs]
        return np.concatenate(inputs, axis=axis)

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        axis = self._sample_axis(grad_output.ndim - 1) + 1
        cuts = np.cumsum(self._sizes)[:-1]
        return [np.ascontiguousarray(part) for part in np.split(grad_output, cuts, axis=axis)]

    def onnx_nodes(self, graph, current, prefix):
        return graph.node("Concat", list(current), f"{prefix}/concat", axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Concatenate", {**adapt.base_to_keras(self, dtype), "axis": self.axis}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Concatenate", config, {"axis": config.get("axis", -1)})


def add(inputs, **kwargs):
    """`layers.add([a, b])`: Add()([a, b])."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
