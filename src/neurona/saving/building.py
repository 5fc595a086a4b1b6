"""Build a model from an untrusted configuration, checking every weight before it exists.

Layers are resolved through `neurona.layers.deserialize` (our registry of names, never an
import path). While the model is built, each layer's `add_weight` calls a guard first: the shape
the architecture asks for is compared with the shape the file declares for that weight, and
a mismatch is refused before the array is allocated, so a file cannot make us allocate more
than it declares (and its declared size is bounded by `limits`).
"""

import contextlib

import numpy as np

from neurona import backend, initializers
from neurona import layers as layers_module
from neurona.models import Sequential
from neurona.saving import limits
from neurona.saving.errors import ModelFileError

FLOAT_TYPES = ("float16", "float32", "float64")


def build_sequential(config, dtype, expected, what):
    """A Sequential model from its config, built for the weights the file declares.

    Args:
        config: {'name', 'input_shape', 'layers': [{'class_name', 'config'}, ...]}.
        dtype: the float type of the weights ('float32', ...).
        expected: {layer_index: {name: shape}} (checked by name) or
            {layer_index: [shape, ...]} (checked by position, for Keras files).
        what: how errors name the file.
    """
    if not isinstance(config, dict):
        raise ModelFileError(f"{what}: the model configuration must be a JSON object.")
    if dtype not in FLOAT_TYPES:
        raise ModelFileError(f"{what}: dtype must be one of {FLOAT_TYPES}. Received: {dtype!r}")
    name = config.get("name")
    layer_configs = config.get("layers")
    input_shape = config.get("input_shape")
    if name is not None and not isinstance(name, str):
        raise ModelFileError(f"{what}: the model name must be a string. Received: {name!r}")
    if not isinstance(layer_configs, list) or len(layer_configs) > limits.MAX_LAYERS:
        raise ModelFileError(f"{what}: 'layers' must be a list of at most {limits.MAX_LAYERS} layers.")
    if input_shape is not None and not (
        isinstance(input_shape, list) and input_shape
        and all(isinstance(dim, int) and not isinstance(dim, bool) and 0 < dim < 2**40 for dim in input_shape)
    ):
        raise ModelFileError(f"{what}: input_shape must be a list of positive integers. Received: {input_shape!r}")
    extra = set(expected) - set(range(len(layer_configs)))
    if extra:
        raise ModelFileError(f"{what} holds weights for layer {min(extra)}, which the architecture does not have.")

    model = Sequential(name=name)
    for index, layer_config in enumerate(layer_configs):
        model.layers.append(_deserialize(index, layer_config, what))
    if input_shape is None:
        if any(expected.values()):
            raise ModelFileError(f"{what} holds weights but its architecture declares no input shape.")
        return model
    with _floatx(dtype), _guarded(model.layers, expected, what):
        try:
            model.build(tuple(input_shape))
        except ModelFileError:
            raise
        except (ValueError, TypeError) as error:
            raise ModelFileError(f"{what}: the architecture cannot be built: {error}") from None
    for index, layer in enumerate(model.layers):
        declared = expected.get(index) or []
        if len(declared) != len(layer.params):
            raise ModelFileError(
                f"{what} holds {len(declared)} weights for layer {layer.name!r} "
                f"({type(layer).__name__}); the architecture has {len(layer.params)}."
            )
    return model


def assign_weights(model, values, what):
    """Copy {layer_index: [array, ...]} (in each layer's parameter order) into the model."""
    for index, layer in enumerate(model.layers):
        arrays = values.get(index, [])
        for (name, current), value in zip(layer.params.items(), arrays):
            if value.shape != current.shape:
                raise ModelFileError(
                    f"{what}: weight {name!r} of layer {layer.name!r} has shape {value.shape}; "
                    f"the architecture expects {current.shape}."
                )
            if not np.issubdtype(value.dtype, np.floating):
                raise ModelFileError(f"{what}: weight {name!r} of layer {layer.name!r} has dtype {value.dtype}.")
            current[...] = value


def layers_with_weights(model, source_count, what):
    """[(index, layer)] of `model`'s layers that have weights, checked against the file's count.

    load_weights pairs them in order with the file's layers that have weights, as Keras does.
    """
    if not model.built:
        raise ValueError(f"Model {model.name!r} must be built before load_weights: call model.build(input_shape).")
    target = [(index, layer) for index, layer in enumerate(model.layers) if layer.params]
    if source_count != len(target):
        raise ModelFileError(
            f"{what} holds weights for {source_count} layers; model {model.name!r} has {len(target)} "
            "layers with weights."
        )
    return target


def check_shapes(layer, shapes, what):
    expected = [value.shape for value in layer.params.values()]
    if list(shapes) != expected:
        raise ModelFileError(
            f"{what}: layer {layer.name!r} expects weights of shapes {expected}; the file holds {list(shapes)}."
        )


def _deserialize(index, layer_config, what):
    if not (isinstance(layer_config, dict) and isinstance(layer_config.get("class_name"), str)
            and isinstance(layer_config.get("config", {}), dict)):
        raise ModelFileError(f"{what}: layer {index} must be an object with a class_name and a config.")
    try:
        return layers_module.deserialize(layer_config)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ModelFileError(f"{what}: layer {index} ({layer_config['class_name']}): {error}") from None


@contextlib.contextmanager
def _floatx(dtype):
    previous = backend.floatx()
    backend.set_floatx(dtype)
    try:
        yield
    finally:
        backend.set_floatx(previous)


@contextlib.contextmanager
def _guarded(model_layers, expected, what):
    zeros = initializers.get("zeros")
    for index, layer in enumerate(model_layers):
        layer.weight_guard = _weight_guard(expected.get(index) or [], what, zeros)
    try:
        yield
    finally:
        for layer in model_layers:
            layer.__dict__.pop("weight_guard", None)


def _weight_guard(declared, what, zeros):
    """The hook `Layer.add_weight` calls before allocating: the file must declare this weight
    with this shape; its values come from the file, so it starts from zeros."""
    position = [0]

    def guard(layer, name, shape):
        if isinstance(declared, dict):
            found = declared.get(name)
        else:
            found = declared[position[0]] if position[0] < len(declared) else None
        position[0] += 1
        if found is None:
            raise ModelFileError(
                f"{what}: layer {layer.name!r} ({type(layer).__name__}) needs a weight {name!r} of "
                f"shape {shape} that the file does not hold."
            )
        if tuple(found) != shape:
            raise ModelFileError(
                f"{what}: weight {name!r} of layer {layer.name!r} has shape {tuple(found)} in the file; "
                f"the architecture expects {shape}."
            )
        return zeros

    return guard
