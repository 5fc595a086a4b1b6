"""Build a model from an untrusted configuration, checking every weight before it exists.

A configuration is a Sequential's (a list of layers) or a functional model's (layers with the
calls that feed them), and either may hold the other as a layer. Layers are resolved through
`neurona.layers.deserialize` (our registry of names, never an import path); models nest through
this module alone. A functional graph is replayed call by call from each layer's
`inbound_nodes`: every call must read tensors that an earlier call makes (a call reading a
tensor nobody makes, or a cycle, is refused before anything runs), and the counts of layers,
calls, inputs per call and nesting levels are bounded by `limits`.

While the model is built, each layer's `add_weight` calls a guard first: the shape the
architecture asks for is compared with the shape the file declares for that weight, and a
mismatch is refused before the array is allocated, so a file cannot make us allocate more
than it declares (and its declared size is bounded by `limits`). A layer is named by its path:
its position in the configuration's `layers` list, then its position inside each nested model
(`(1,)`, `(2, 0)`), which the file's weights are keyed by.
"""

import collections
import contextlib

import numpy as np

from neurona import backend, initializers
from neurona import layers as layers_module
from neurona.layers.input_layer import InputLayer
from neurona.layers.preprocessing import Normalization
from neurona.models import Functional, Model, Sequential
from neurona.models import graph
from neurona.saving import limits
from neurona.saving.model_state import path_text
from neurona.saving.errors import ModelFileError

FLOAT_TYPES = ("float16", "float32", "float64")
MODEL_CLASSES = ("Sequential", "Functional")


def build_model(entry, dtype, expected, what):
    """The model `entry` describes, built for the weights the file declares.

    Args:
        entry: {'class_name': 'Sequential' or 'Functional', 'config': the model's get_config()}.
        dtype: the float type of the weights ('float32', ...).
        expected: {path: {name: shape}} (checked by name) or {path: [shape, ...]} (checked by
            position, for Keras files), for each layer with weights; None for an architecture
            without weights (a JSON config): weights are then drawn by their initializers, once a
            first build with zeros has shown that they fit `limits.MAX_UNCOMPRESSED_BYTES`.
        what: how errors name the file.

    Returns:
        (model, {path: layer}) for every layer of the model (nested models opened, layers
        without weights included), so that the caller can assign the file's arrays.
    """
    if dtype not in FLOAT_TYPES:
        raise ModelFileError(f"{what}: dtype must be one of {FLOAT_TYPES}. Received: {dtype!r}")
    if expected is None:
        _Builder(dtype, None, what, budget=limits.MAX_UNCOMPRESSED_BYTES // np.dtype(dtype).itemsize).run(entry)
        return _Builder(dtype, None, what, guarded=False).run(entry)
    return _Builder(dtype, expected, what).run(entry)


def assign_weights(leaves, values, what):
    """Copy {path: [array, ...]} (in each layer's parameter order) into the layers `leaves`
    ({path: layer}, as `build_model` returns them)."""
    for path, layer in leaves.items():
        arrays = values.get(path, [])
        for (name, current), value in zip(layer.params.items(), arrays):
            if value.shape != current.shape:
                raise ModelFileError(
                    f"{what}: weight {name!r} of layer {layer.name!r} has shape {value.shape}; "
                    f"the architecture expects {current.shape}."
                )
            if not np.issubdtype(value.dtype, np.floating):
                raise ModelFileError(f"{what}: weight {name!r} of layer {layer.name!r} has dtype {value.dtype}.")
            current[...] = value


def layers_with_weights(leaves, source_count, what, model):
    """[(path, layer)] of `leaves` (in order) that have weights, checked against the file's count.

    load_weights pairs them in order with the file's layers that have weights, as Keras does.
    """
    if not model.built:
        raise ValueError(f"Model {model.name!r} must be built before load_weights: call model.build(input_shape).")
    target = [(path, layer) for path, layer in leaves if layer.params]
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


@contextlib.contextmanager
def floatx(dtype):
    """backend.floatx() set to `dtype` for the duration (the dtype new weights get)."""
    previous = backend.floatx()
    backend.set_floatx(dtype)
    try:
        yield
    finally:
        backend.set_floatx(previous)


class _Builder:
    """One build: the layers it made, the guards it set, and the counts it bounds."""

    def __init__(self, dtype, expected, what, guarded=True, budget=None):
        self.dtype, self.what = dtype, what
        self.expected = expected or {}
        self.guarded = guarded
        self.budget = budget  # elements left for weights drawn without a file (None: a file declares them)
        self.config_elements = limits.MAX_CONFIG_WEIGHT_ELEMENTS  # for weights the config itself defines
        self.leaves = {}
        self.from_config = collections.Counter()  # path -> weights the layer set from its config
        self.made = []
        self.layer_count = self.call_count = 0

    def run(self, entry):
        try:
            with floatx(self.dtype):
                model = self.model(entry, (), 0)
        except RecursionError:
            raise ModelFileError(f"{self.what}: the model's graph is nested or chained too deeply to build.") from None
        finally:
            for layer in self.made:
                layer.__dict__.pop("weight_guard", None)
        self.check_counts(model)
        return model, self.leaves

    # Models --------------------------------------------------------------------------------

    def model(self, entry, path, depth):
        if not (isinstance(entry, dict) and isinstance(entry.get("config", {}), dict)):
            raise ModelFileError(f"{self.what}: {self.where(path)} must be an object with a class_name and a config.")
        class_name = entry.get("class_name")
        if class_name not in MODEL_CLASSES:
            raise ModelFileError(f"{self.what}: unknown model class {class_name!r}; expected 'Sequential' or "
                                 "'Functional'.")
        if depth > limits.MAX_NESTING:
            raise ModelFileError(f"{self.what}: models are nested more than {limits.MAX_NESTING} levels deep.")
        config = entry.get("config") or {}
        name = config.get("name")
        if name is not None and not isinstance(name, str):
            raise ModelFileError(f"{self.what}: the name of {self.where(path)} must be a string. Received: {name!r}")
        if class_name == "Sequential":
            return self.sequential(config, name, path, depth)
        return self.functional(config, name, path, depth)

    def sequential(self, config, name, path, depth):
        layer_configs = self.layer_list(config, path)
        input_shape = config.get("input_shape")
        if input_shape is not None and not _positive_dims(input_shape):
            raise ModelFileError(f"{self.what}: input_shape must be a list of positive integers. "
                                 f"Received: {input_shape!r}")
        model = Sequential(name=name)
        for index, layer_config in enumerate(layer_configs):
            model.layers.append(self.layer(layer_config, path + (index,), depth))
        if input_shape is not None:
            self.checked(lambda: model.build(tuple(input_shape)), "the architecture cannot be built")
        elif not path and any(self.expected.values()):
            raise ModelFileError(f"{self.what} holds weights but its architecture declares no input shape.")
        return model

    def functional(self, config, name, path, depth):
        entries = self.layer_list(config, path)
        trainable = config.get("trainable", True)
        if not isinstance(trainable, bool):
            raise ModelFileError(f"{self.what}: 'trainable' of {self.where(path)} must be true or false.")
        made, calls = {}, {}  # layer name -> layer; layer name -> its calls' arguments
        tensors = {}  # (layer name, call index) -> the tensor that call makes
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ModelFileError(f"{self.what}: {self.where(path + (index,))} must be an object.")
            layer_name = entry.get("name", (entry.get("config") or {}).get("name")
                                   if isinstance(entry.get("config"), dict) else None)
            if not isinstance(layer_name, str):
                raise ModelFileError(f"{self.what}: {self.where(path + (index,))} has no name.")
            if layer_name in made:
                raise ModelFileError(f"{self.what}: the functional config names two layers {layer_name!r}.")
            layer = made[layer_name] = self.layer(entry, path + (index,), depth)
            calls[layer_name] = self.calls(entry, layer_name, path + (index,))
            if isinstance(layer, InputLayer):
                if calls[layer_name]:
                    raise ModelFileError(f"{self.what}: input layer {layer_name!r} cannot be called on other tensors.")
                node = graph.Node(layer, [], layer.declared_input_shape, self.dtype, False)
                layer.inbound_nodes.append(node)
                tensors[(layer_name, 0)] = node.output
        for layer_name, layer_calls in calls.items():
            for position, (arguments, _) in enumerate(layer_calls):
                for source, index in arguments:
                    made_by_source = 1 if isinstance(made.get(source), InputLayer) else len(calls.get(source, ()))
                    if index >= made_by_source:
                        raise ModelFileError(
                            f"{self.what}: call {position} of layer {layer_name!r} reads call {index} of layer "
                            f"{source!r}, which no layer of the functional config makes."
                        )
        for layer_name, position in self.call_order(calls, set(tensors)):
            arguments, as_list = calls[layer_name][position]
            inputs = [tensors[(source, index)] for source, index in arguments]
            layer = made[layer_name]
            tensors[(layer_name, position)] = self.checked(
                lambda: layer(inputs if as_list else inputs[0]), f"layer {layer_name!r} cannot be called on its inputs")

        def tensor(key, spec):
            if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str) and _index(spec[1])):
                raise ModelFileError(f"{self.what}: each of {key} must be [layer name, call index]. Received: {spec!r}")
            if tuple(spec) not in tensors:
                raise ModelFileError(f"{self.what}: {key} refers to call {spec[1]} of layer {spec[0]!r}, "
                                     "which the functional config does not make.")
            return tensors[tuple(spec)]

        inputs, outputs = [], []
        for key, found in (("input_layers", inputs), ("output_layers", outputs)):
            specs = config.get(key)
            if not (isinstance(specs, list) and specs and len(specs) <= limits.MAX_CALL_INPUTS):
                raise ModelFileError(f"{self.what}: {key} must be a list of [layer name, call index].")
            found.extend(tensor(key, spec) for spec in specs)
        single = config.get("single_output", len(outputs) == 1)
        if not isinstance(single, bool) or (single and len(outputs) != 1):
            raise ModelFileError(f"{self.what}: single_output must be true or false, and true for one output only.")
        model = self.checked(lambda: Functional(inputs if len(inputs) > 1 else inputs[0],
                                                outputs[0] if single else outputs, name=name, trainable=trainable),
                             "the functional graph is not valid")
        kept = {id(layer) for layer in model.layers}
        unused = [layer_name for layer_name, layer in made.items() if id(layer) not in kept]
        if unused:
            raise ModelFileError(f"{self.what}: layer {unused[0]!r} of the functional config is not connected to "
                                 "the model's outputs.")
        return model

    def calls(self, entry, layer_name, path):
        """[(arguments, as_list)] of a layer's inbound_nodes; arguments: [(layer name, call index)]."""
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list):
            raise ModelFileError(f"{self.what}: inbound_nodes of layer {layer_name!r} must be a list.")
        self.call_count += len(nodes)
        if self.call_count > limits.MAX_CALLS:
            raise ModelFileError(f"{self.what}: the functional config makes more than {limits.MAX_CALLS} layer calls "
                                 "(neurona.saving.limits.MAX_CALLS).")
        result = []
        for position, node in enumerate(nodes):
            arguments = node.get("args") if isinstance(node, dict) else None
            as_list = node.get("as_list", False) if isinstance(node, dict) else None
            if not (isinstance(arguments, list) and 0 < len(arguments) <= limits.MAX_CALL_INPUTS
                    and isinstance(as_list, bool) and (as_list or len(arguments) == 1)
                    and all(isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)
                            and _index(argument[1]) for argument in arguments)):
                raise ModelFileError(
                    f"{self.what}: call {position} of layer {layer_name!r} must be {{'args': [[layer name, call "
                    f"index], ...] (1 to {limits.MAX_CALL_INPUTS}), 'as_list': true or false}}. Received: "
                    f"{str(node)[:200]}"
                )
            result.append(([(source, index) for source, index in arguments], as_list))
        return result

    def call_order(self, calls, made):
        """The calls, each after the calls whose tensors it reads (in config order otherwise);
        `made`: the tensors there are before any call (the inputs'). A cycle is refused with
        the layers on it."""
        waiting = {}  # (layer, position) -> how many tensors it still waits for
        readers = collections.defaultdict(list)  # tensor -> calls reading it
        ready = collections.deque()
        for layer_name, layer_calls in calls.items():
            for position, (arguments, _) in enumerate(layer_calls):
                pending = {argument for argument in arguments if argument not in made}
                waiting[(layer_name, position)] = len(pending)
                for argument in pending:
                    readers[argument].append((layer_name, position))
                if not pending:
                    ready.append((layer_name, position))
        order = []
        while ready:
            call = ready.popleft()
            order.append(call)
            for reader in readers.pop(call, []):
                waiting[reader] -= 1
                if waiting[reader] == 0:
                    ready.append(reader)
        if len(order) != len(waiting):
            raise ModelFileError(f"{self.what}: the functional config's calls form a cycle through layers "
                                 f"{self.cycle(calls, waiting)}: each reads a tensor that only a later call makes.")
        return order

    @staticmethod
    def cycle(calls, waiting):
        """The layers on one cycle among the calls that never became ready."""
        call = next(call for call, count in waiting.items() if count)
        seen = {}
        while call not in seen:
            seen[call] = len(seen)
            arguments, _ = calls[call[0]][call[1]]
            call = next(argument for argument in arguments if waiting.get(argument))
        return [layer_name for layer_name, _ in list(seen)[seen[call]:]]

    # Layers --------------------------------------------------------------------------------

    def layer_list(self, config, path):
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise ModelFileError(f"{self.what}: 'layers' of {self.where(path)} must be a list.")
        self.layer_count += len(layers)
        if self.layer_count > limits.MAX_LAYERS:
            raise ModelFileError(f"{self.what}: the model has more than {limits.MAX_LAYERS} layers "
                                 "(neurona.saving.limits.MAX_LAYERS).")
        return layers

    def layer(self, layer_config, path, depth):
        if not (isinstance(layer_config, dict) and isinstance(layer_config.get("class_name"), str)
                and isinstance(layer_config.get("config", {}), dict)):
            raise ModelFileError(f"{self.what}: {self.where(path)} must be an object with a class_name and a config.")
        if layer_config["class_name"] in MODEL_CLASSES:
            return self.model(layer_config, path, depth + 1)
        try:
            layer = layers_module.deserialize({"class_name": layer_config["class_name"],
                                               "config": layer_config.get("config", {})})
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ModelFileError(f"{self.what}: {self.where(path)} ({layer_config['class_name']}): {error}") from None
        if isinstance(layer, Model):
            raise ModelFileError(f"{self.what}: {self.where(path)} is a model under another class name.")
        self.made.append(layer)
        self.leaves[path] = layer
        if self.guarded:
            layer.weight_guard = self.guard(path)
        return layer

    def guard(self, path):
        """The hook `Layer.add_weight` calls before allocating: the file must declare this
        weight with this shape; its values come from the file, so it starts from zeros."""
        declared = self.expected.get(path) or []
        position = [0]
        zeros = initializers.get("zeros")

        def check(layer, name, shape):
            size = int(np.prod(shape, dtype=object))
            if self.budget is not None:
                self.budget -= size
                if self.budget < 0:
                    raise ModelFileError(
                        f"{self.what}: layer {layer.name!r} ({type(layer).__name__}) asks for a weight {name!r} of "
                        f"shape {shape}; the model's weights would exceed {limits.MAX_UNCOMPRESSED_BYTES} bytes "
                        "(neurona.saving.limits.MAX_UNCOMPRESSED_BYTES)."
                    )
                return zeros
            if isinstance(declared, dict):
                found = declared.get(name)
            else:
                found = declared[position[0]] if position[0] < len(declared) else None
                position[0] += 1
            if found is None and not isinstance(declared, dict) and name in _config_defined(layer):
                # Normalization(mean=..., variance=...) in a Keras file: Keras keeps the statistics
                # in the config, and the layer sets its weights from them.
                self.config_elements -= size
                if self.config_elements < 0:
                    raise ModelFileError(
                        f"{self.what}: layer {layer.name!r} defines weights larger than "
                        f"{limits.MAX_CONFIG_WEIGHT_ELEMENTS} values in its config "
                        "(neurona.saving.limits.MAX_CONFIG_WEIGHT_ELEMENTS)."
                    )
                position[0] -= 1
                self.from_config[path] += 1
                return zeros
            if found is None:
                raise ModelFileError(
                    f"{self.what}: layer {layer.name!r} ({type(layer).__name__}) needs a weight {name!r} of "
                    f"shape {shape} that the file does not hold."
                )
            if tuple(found) != shape:
                raise ModelFileError(
                    f"{self.what}: weight {name!r} of layer {layer.name!r} has shape {tuple(found)} in the file; "
                    f"the architecture expects {shape}."
                )
            return zeros

        return check

    def check_counts(self, model):
        if self.budget is not None or not self.guarded:
            return
        extra = set(self.expected) - set(self.leaves)
        if any(self.expected[path] for path in extra):
            path = min(path for path in extra if self.expected[path])
            raise ModelFileError(f"{self.what} holds weights for layer {path_text(path)}, which the architecture "
                                 "does not have.")
        for path, layer in self.leaves.items():
            declared = self.expected.get(path) or []
            if len(declared) != len(layer.params) - self.from_config[path]:
                raise ModelFileError(
                    f"{self.what} holds {len(declared)} weights for layer {layer.name!r} "
                    f"({type(layer).__name__}); the architecture has {len(layer.params)}."
                )

    def checked(self, make, problem):
        try:
            return make()
        except ModelFileError:
            raise
        except (ValueError, TypeError) as error:
            raise ModelFileError(f"{self.what}: {problem}: {error}") from None

    def where(self, path):
        return f"layer {path_text(path)}" if path else "the model"


def _config_defined(layer):
    """Names of the weights `layer` sets from its own config (Normalization's given statistics)."""
    if isinstance(layer, Normalization) and layer.given_mean is not None:
        return {"mean", "variance", "count"}
    return set()


def _index(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limits.MAX_CALLS


def _positive_dims(shape):
    return (isinstance(shape, list) and shape
            and all(isinstance(dim, int) and not isinstance(dim, bool) and 0 < dim < 2**40 for dim in shape))
