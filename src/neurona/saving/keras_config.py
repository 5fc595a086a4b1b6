"""Translate model and compile configurations between neurona and Keras (2 and 3).

Two Keras styles are written: "keras3" (`.keras` files: objects carry `module` and
`registered_name`, a functional call's inputs are `__keras_tensor__` objects) and "legacy"
(`.h5` files: plain `class_name`/`config`, InputLayer with `batch_input_shape`, dtypes as
strings, a functional call as Keras 2's `[[layer, node, tensor, kwargs], ...]`), which Keras 2
and Keras 3 both read. Reading accepts both, from files Keras wrote or we did.

Models are Sequential or functional, either holding the other as a layer. A functional
model's layers are written in Keras' order (`keras_order`, as Keras sorts its graph), which is
also the order of their weights in Keras' files; a call's node index counts the calls of its
layer within the model (in `input_layers` and `output_layers`, Keras counts a nested
functional model's own node first).

Layers translate themselves: each layer class carries `to_keras` and `from_keras` (see
`keras_adapters`), and a Keras class resolves through `keras_layer_classes()`, built from
neurona's layer registry: every layer under its own class name, plus the Keras names a layer
also imports (`keras_aliases`). Anything else is refused with a message naming the layer.
Nothing is ever looked up by import path. InputLayer is the model's input shape, handled here.
"""

import re
import warnings
from typing import NamedTuple

import numpy as np

from neurona import layers as layers_module
from neurona import losses, optimizers
from neurona import metrics as metrics_module
from neurona.layers.input_layer import InputLayer
from neurona.layers.preprocessing import Normalization
from neurona.models import Functional, Model
from neurona.optimizers import schedules
from neurona.saving import limits
from neurona.saving.errors import ModelFileError
from neurona.saving.keras_adapters import wrap as _wrap

FLOAT_TYPES = ("float16", "float32", "float64")

_LOSS_CLASSES = {
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
    "mean_squared_error": "MeanSquaredError",
    "mean_absolute_error": "MeanAbsoluteError",
    "huber": "Huber",
    "log_cosh": "LogCosh",
    "poisson": "Poisson",
    "kl_divergence": "KLDivergence",
    "hinge": "Hinge",
    "squared_hinge": "SquaredHinge",
    "categorical_hinge": "CategoricalHinge",
    "cosine_similarity": "CosineSimilarity",
}
_LOSS_NAMES = {cls.lower(): name for name, cls in _LOSS_CLASSES.items()}
_METRIC_CLASSES = {
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy", "categoricalaccuracy": "categorical_accuracy",
    "binaryaccuracy": "binary_accuracy", "meansquarederror": "mse", "meanabsoluteerror": "mae",
    "topkcategoricalaccuracy": "top_k_categorical_accuracy",
    "sparsetopkcategoricalaccuracy": "sparse_top_k_categorical_accuracy", "precision": "precision",
    "recall": "recall", "auc": "auc",
}
# Keras optimizer options without effect on the update, and options neurona implements only off.
_OPTIMIZER_IGNORED = ("name", "jit_compile", "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency")
_OPTIMIZER_OFF_ONLY = ("decay", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
                       "loss_scale_factor", "gradient_accumulation_steps")


# Export ------------------------------------------------------------------------------------

def model_to_keras(model, style, what=None):
    """Keras' {'class_name': 'Sequential' | 'Functional', 'config': ...} for `model` (built);
    `what` names the file being written in errors."""
    return _model_to_keras(model, str(model.dtype), style, what)


def _model_to_keras(model, dtype, style, what):
    if isinstance(model, Functional):
        return _functional_to_keras(model, dtype, style, what)
    input_shape = list(model.input_shape) if model.input_shape else None
    entries = [_input_entry("input_layer" if style == "keras3" else "input_1", input_shape, dtype, style)] \
        if input_shape else []
    shape = model.input_shape
    for layer in model.layers:
        entry = _layer_entry(layer, dtype, style, what)
        if style == "keras3" and shape is not None:
            entry["build_config"] = {"input_shape": [None] + list(shape)}
        entries.append(entry)
        shape = layer.compute_output_shape(shape) if shape is not None else None
    config = {"name": model.name, "trainable": model.trainable, "dtype": dtype, "layers": entries}
    if input_shape and style == "keras3":
        config["build_input_shape"] = [None] + input_shape
    result = _wrap("keras", "Sequential", config, style)
    if input_shape and style == "keras3":
        result["build_config"] = {"input_shape": [None] + input_shape}
    return result


def _functional_to_keras(model, dtype, style, what):
    """Keras' functional config: the layers in Keras' order (`keras_order`), each with the
    calls that feed it, numbered per layer as in neurona's own config."""
    calls, nodes_of = {}, {}
    for node in model._nodes:
        nodes_of.setdefault(id(node.layer), []).append(node)
        calls[id(node)] = len(nodes_of[id(node.layer)]) - 1

    def history(tensor, reference):
        node = tensor.node
        index = calls[id(node)]
        if isinstance(node.layer, Functional) and reference:
            index += 1  # Keras counts a functional model's own node first
        return [node.layer.name, index, 0]

    def argument(tensor):
        if style == "legacy":
            return history(tensor, False) + [{}]
        return {"class_name": "__keras_tensor__", "config": {"shape": [None] + list(tensor.sample_shape),
                                                             "dtype": dtype, "keras_history": history(tensor, False)}}

    def call(node):
        arguments = [argument(tensor) for tensor in node.inputs]
        if style == "legacy":
            return arguments
        return {"args": [arguments if node.as_list else arguments[0]], "kwargs": {}}

    def references(tensors, single):
        found = [history(tensor, True) for tensor in tensors]
        return found[0] if single and style == "keras3" else found

    entries = []
    for layer in keras_order(model):
        if isinstance(layer, InputLayer):
            entry = _input_entry(layer.name, list(layer.declared_input_shape), dtype, style)
        else:
            entry = _layer_entry(layer, dtype, style, what)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [call(node) for node in nodes_of[id(layer)] if node.inputs]
        entries.append(entry)
    config = {"name": model.name, "trainable": model.trainable, "layers": entries,
              "input_layers": references(model.inputs, True),
              "output_layers": references(model.outputs, model._single_output)}
    return _wrap("keras.src.models.functional", "Functional", config, style)


def _input_entry(name, shape, dtype, style):
    if style == "keras3":
        config = {"batch_shape": [None] + list(shape), "dtype": dtype, "sparse": False, "name": name}
    else:
        config = {"batch_input_shape": [None] + list(shape), "dtype": dtype, "sparse": False, "ragged": False,
                  "name": name}
    return _wrap("keras.layers", "InputLayer", config, style)


def _layer_entry(layer, dtype, style, what):
    if isinstance(layer, Model):
        return _model_to_keras(layer, dtype, style, what)
    class_name, config = _layer_to_keras(layer, dtype, style, what)
    return _wrap("keras.layers", class_name, config, style)


def _layer_to_keras(layer, dtype, style, what):
    kind = type(layer).__name__
    context = f"{what}: layer {layer.name!r}" if what else f"Layer {layer.name!r}"
    if not hasattr(layer, "to_keras") or isinstance(layer, layers_module.InputLayer):
        raise ValueError(f"{context} of type {kind} cannot be written in Keras' formats.")
    return layer.to_keras(dtype, style, context)


def keras_order(model):
    """The layers of functional `model` in the order Keras keeps them (`model.layers`, its
    config, its weights' paths): deepest first, depth counted from the outputs (a layer called
    at several depths takes the largest), ties in the order a depth-first walk from the
    outputs, inputs in call order, first meets them. As keras.src.ops.function.map_graph."""
    finished, first_seen, post_order = set(), {}, []
    for output in model.outputs:
        if id(output.node) in finished:
            continue
        first_seen.setdefault(id(output.node.layer), len(first_seen))
        stack = [(output.node, iter(output.node.inputs))]
        while stack:
            node, pending = stack[-1]
            for tensor in pending:
                child = tensor.node
                if id(child) not in finished:
                    first_seen.setdefault(id(child.layer), len(first_seen))
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                if id(node) not in finished:
                    finished.add(id(node))
                    post_order.append(node)
    node_depth, layer_depth = {}, {}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        for tensor in node.inputs:
            node_depth[id(tensor.node)] = max(depth + 1, node_depth.get(id(tensor.node), 0))
    layers = {id(node.layer): node.layer for node in post_order}
    return sorted(layers.values(), key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)]))


def keras_layers(model):
    """[(layer, Keras class name)] of `model`'s own layers, in Keras' order: a Sequential's in
    turn, a functional model's by `keras_order`, its InputLayer included."""
    dtype = str(model.dtype)
    found = []
    for layer in keras_order(model) if isinstance(model, Functional) else model.layers:
        if isinstance(layer, InputLayer):
            found.append((layer, "InputLayer"))
        elif isinstance(layer, Model):
            found.append((layer, "Functional" if isinstance(layer, Functional) else "Sequential"))
        else:
            found.append((layer, _layer_to_keras(layer, dtype, "keras3", None)[0]))
    return found


def keras_leaf_layers(model):
    """Every layer under `model` but the models, nested models opened, in Keras' order."""
    found = []
    for layer in keras_order(model) if isinstance(model, Functional) else model.layers:
        found.extend(keras_leaf_layers(layer) if isinstance(layer, Model) else [layer])
    return found


def keras_leaves(model):
    """[(path, layer)] for every layer under `model`, nested models opened, in Keras' order,
    with the path Keras 3 keeps its variables under ('dense_1', 'sequential/layers/dense').
    Nested models and InputLayers come too (Keras writes an empty group for them)."""
    found = []

    def walk(current, prefix):
        layers = keras_layers(current)
        for path, (layer, _) in zip(weight_paths([class_name for _, class_name in layers]), layers):
            found.append((prefix + path, layer))
            if isinstance(layer, Model):
                walk(layer, f"{prefix}{path}/layers/")

    walk(model, "")
    return found


def weight_paths(class_names):
    """Keras' names for one model's layers inside the weights file: snake-cased class,
    numbered (dense, dense_1, flatten, ...)."""
    used, paths = {}, []
    for class_name in class_names:
        name = _snake_case(class_name)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(name)
    return paths


def _snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras_weights(layer):
    """[(name, array)]: `layer`'s weights as Keras keeps them. Normalization given its mean
    and variance has none (Keras keeps them in the config), and its count is an int64."""
    if isinstance(layer, Normalization):
        if layer.given_mean is not None:
            return []
        return [(name, np.asarray(np.rint(value), dtype=np.int64) if name == "count" else value)
                for name, value in layer.params.items()]
    return list(layer.params.items())


def weights_from_keras(layer, values):
    """`values` (arrays in `layer`'s weight order) as neurona keeps them: Normalization's
    int64 count in the layer's float type."""
    if isinstance(layer, Normalization):
        return [value.astype(layer.params[name].dtype) if name == "count" and value.dtype.kind in "iu" else value
                for name, value in zip(layer.params, values)]
    return values


def compile_to_keras(model, style):
    """Keras 3's compile_config ('keras3') or Keras 2's training_config ('legacy'), or None."""
    if not model.compiled:
        return None
    optimizer = model.optimizer
    optimizer_config = _wrap("keras.optimizers", type(optimizer).__name__, _optimizer_to_keras(optimizer), style)
    loss = model.loss
    if loss.get_config().get("from_logits") or loss.get_config().get("label_smoothing"):
        loss_config = _wrap("keras.losses", _LOSS_CLASSES[loss.name],
                            {key: value for key, value in loss.get_config().items() if value}, style)
    else:
        loss_config = loss.name
    metrics = []
    for metric in model.metric_identifiers:
        entry = metrics_module.serialize(metric)
        if isinstance(entry, dict):  # a metric object: Keras' class and config
            entry = _wrap("keras.metrics", entry["class_name"], entry["config"], style)
        if entry is not None:
            metrics.append(entry)
    if style == "keras3":
        return {"optimizer": optimizer_config, "loss": loss_config, "loss_weights": None,
                "metrics": metrics, "weighted_metrics": None, "run_eagerly": False,
                "steps_per_execution": 1, "jit_compile": False}
    return {"loss": loss_config, "metrics": metrics, "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": optimizer_config}


# Import ------------------------------------------------------------------------------------

class KerasLeaf(NamedTuple):
    """Where a layer's weights are in Keras' files, for the layer at `path` of neurona's config."""

    path: tuple  # positions in the configs' `layers` lists, outermost first
    weights_path: str  # under `layers/` in a .keras file's weights: 'dense_1', 'sequential/layers/dense'
    group: str  # the group of an .h5 file holding them: the name of the model's own layer
    inner: str  # the layer's name inside that group when it sits in a nested model, else None


def model_from_keras(config, what):
    """(neurona model entry {'class_name', 'config'}, dtype, [KerasLeaf] in Keras' order) from
    Keras' model config (any version): a Sequential or a functional model, nesting either."""
    if not isinstance(config, dict):
        raise ModelFileError(f"{what}: the Keras model config must be a JSON object.")
    class_name = config.get("class_name")
    if class_name not in _KERAS_MODELS:
        raise ModelFileError(
            f"{what} holds a Keras {class_name!r} model; neurona imports Sequential and functional models."
        )
    reader = _KerasReader(what)
    entry = reader.model(config, (), "", None, 0)
    if len(reader.dtypes) > 1:
        raise ModelFileError(f"{what}: layers use several dtypes {sorted(reader.dtypes)}; neurona models use one.")
    dtype = reader.dtypes.pop() if reader.dtypes else "float32"
    return entry, dtype, reader.leaves


_KERAS_MODELS = {"Sequential": "Sequential", "Functional": "Functional", "Model": "Functional"}


class _KerasReader:
    def __init__(self, what):
        self.what = what
        self.dtypes = set()
        self.leaves = []
        self.count = 0

    def model(self, entry, path, weights_prefix, group, depth):
        kind = _KERAS_MODELS[entry["class_name"].split(">")[-1]]
        if depth > limits.MAX_NESTING:
            raise ModelFileError(f"{self.what}: models are nested more than {limits.MAX_NESTING} levels deep.")
        inner = entry.get("config")
        if kind == "Sequential" and isinstance(inner, list):  # Keras 2.0-2.2 wrote the layer list directly.
            inner = {"layers": inner}
        if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
            raise ModelFileError(f"{self.what}: the Keras {kind} config has no list of layers.")
        self.count += len(inner["layers"])
        if self.count > limits.MAX_LAYERS:
            raise ModelFileError(f"{self.what}: the model has more than {limits.MAX_LAYERS} layers "
                                 "(neurona.saving.limits.MAX_LAYERS).")
        for index, layer_entry in enumerate(inner["layers"]):
            if not (isinstance(layer_entry, dict) and isinstance(layer_entry.get("class_name"), str)
                    and isinstance(layer_entry.get("config"), (dict, list))):
                raise ModelFileError(f"{self.what}: Keras layer {index} must be an object with a class_name and a "
                                     "config.")
        name = inner.get("name") if isinstance(inner.get("name"), str) else None
        if kind == "Sequential":
            return self.sequential(entry, inner, name, path, weights_prefix, group, depth)
        return self.functional(inner, name, path, weights_prefix, group, depth)

    def sequential(self, entry, inner, name, path, weights_prefix, group, depth):
        input_shape = _batch_shape(inner.get("build_input_shape"))
        if input_shape is None:
            input_shape = _batch_shape((entry.get("build_config") or {}).get("input_shape")
                                       if isinstance(entry.get("build_config"), dict) else None)
        kept = []  # (index, entry, class) of every layer but the InputLayer
        for index, layer_entry in enumerate(inner["layers"]):
            layer_class = layer_entry["class_name"].split(">")[-1]
            layer_config = layer_entry["config"]
            if layer_class not in _KERAS_MODELS and isinstance(layer_config, dict):
                declared = _batch_shape(layer_config.get("batch_shape") or layer_config.get("batch_input_shape"))
                if declared is not None and not kept:
                    input_shape = declared
                if layer_class == "InputLayer":
                    if kept:
                        raise ModelFileError(f"{self.what}: an InputLayer can only come first in a Sequential model.")
                    if declared is None and isinstance(layer_config.get("shape"), list):
                        input_shape = _batch_shape([None] + layer_config["shape"])
                    _dtype(layer_config.get("dtype"), self.what)
                    continue
            kept.append((index, layer_entry, layer_class))
        paths = weight_paths([layer_class for _, _, layer_class in kept])
        layers = [self.layer(layer_entry, index, path + (position,), weights_prefix + path_name, group, depth)
                  for position, ((index, layer_entry, _), path_name) in enumerate(zip(kept, paths))]
        return {"class_name": "Sequential", "config": {"name": name, "input_shape": input_shape, "layers": layers}}

    def functional(self, inner, name, path, weights_prefix, group, depth):
        entries = inner["layers"]
        names, classes = [], []
        for index, layer_entry in enumerate(entries):
            layer_name = layer_entry.get("name", layer_entry["config"].get("name")
                                         if isinstance(layer_entry["config"], dict) else None)
            if not isinstance(layer_name, str):
                raise ModelFileError(f"{self.what}: Keras layer {index} has no name.")
            names.append(layer_name)
            classes.append(layer_entry["class_name"].split(">")[-1])
        kinds = dict(zip(names, classes))
        layers = []
        for index, (layer_entry, layer_name, layer_class, path_name) in enumerate(
                zip(entries, names, classes, weight_paths(classes))):
            context = f"{self.what}: Keras layer {index} ({layer_class} {layer_name!r})"
            if layer_class == "InputLayer":
                layer_config = layer_entry["config"]
                if not isinstance(layer_config, dict):
                    raise ModelFileError(f"{context}: its config must be an object.")
                shape = _batch_shape(layer_config.get("batch_shape") or layer_config.get("batch_input_shape"))
                if shape is None and isinstance(layer_config.get("shape"), list):
                    shape = _batch_shape([None] + layer_config["shape"])
                if shape is None:
                    raise ModelFileError(f"{context}: neurona needs an input of fixed shape (positive sizes). "
                                         f"Received: {layer_config.get('batch_shape', layer_config.get('shape'))!r}")
                _dtype(layer_config.get("dtype"), self.what)
                ours = {"class_name": "InputLayer", "config": {"name": layer_name, "input_shape": shape}}
            else:
                ours = self.layer(layer_entry, index, path + (index,), weights_prefix + path_name, group, depth,
                                  layer_name)
            nodes = layer_entry.get("inbound_nodes", [])
            if not isinstance(nodes, list) or len(nodes) > limits.MAX_CALLS:
                raise ModelFileError(f"{context}: inbound_nodes must be a list of at most {limits.MAX_CALLS} calls.")
            layers.append({**ours, "name": layer_name,
                           "inbound_nodes": [self.call(node, kinds, context) for node in nodes]})
        inputs = self.references(inner.get("input_layers"), kinds, "input_layers")
        outputs = self.references(inner.get("output_layers"), kinds, "output_layers")
        trainable = inner.get("trainable", True)
        return {"class_name": "Functional", "config": {
            "name": name, "trainable": trainable if isinstance(trainable, bool) else True, "layers": layers,
            "input_layers": inputs, "output_layers": outputs, "single_output": len(outputs) == 1}}

    def layer(self, layer_entry, index, path, weights_path, group, depth, name=None):
        layer_class = layer_entry["class_name"].split(">")[-1]
        layer_config = layer_entry["config"]
        layer_name = name or (layer_config.get("name") if isinstance(layer_config, dict) else None)
        if layer_class in _KERAS_MODELS:
            return self.model(layer_entry, path, weights_path + "/layers/", group or layer_name, depth + 1)
        if not isinstance(layer_config, dict):
            raise ModelFileError(f"{self.what}: Keras layer {index} must have a config object.")
        dtype = _dtype(layer_config.get("dtype"), self.what)
        if dtype is not None:
            self.dtypes.add(dtype)
        self.leaves.append(KerasLeaf(path, weights_path, group or layer_name, layer_name if group else None))
        return _layer_from_keras(layer_class, layer_config, index, self.what)

    def call(self, node, kinds, context):
        """neurona's {'args': [[layer name, call index], ...], 'as_list'} for one Keras call:
        Keras 3's {'args': [tensor or [tensors]], 'kwargs'} or Keras 2's [[name, node, tensor,
        kwargs], ...]."""
        if isinstance(node, dict):
            arguments, kwargs = node.get("args"), node.get("kwargs", {})
            if not (isinstance(arguments, list) and len(arguments) == 1):
                raise ModelFileError(f"{context}: a call must pass one tensor or one list of tensors. "
                                     f"Received: {str(arguments)[:200]}")
            as_list = isinstance(arguments[0], list)
            tensors = [self.tensor(item, kinds, context, False) for item in (arguments[0] if as_list else arguments)]
        elif isinstance(node, list) and node:
            kwargs = {}
            tensors = []
            for item in node:
                if not (isinstance(item, list) and len(item) in (3, 4)):
                    raise ModelFileError(f"{context}: a Keras 2 call input must be [layer, node, tensor, kwargs]. "
                                         f"Received: {str(item)[:200]}")
                if len(item) == 4:
                    if not isinstance(item[3], dict):
                        raise ModelFileError(f"{context}: call arguments must be an object. Received: {item[3]!r}")
                    kwargs = {**kwargs, **item[3]}
                tensors.append(self.history(item[:3], kinds, context, True))
            as_list = len(tensors) > 1
        else:
            raise ModelFileError(f"{context}: unreadable call {str(node)[:200]}.")
        # Keras records `training` as the layer was called while building; fit and predict
        # override it, as neurona's do.
        if not isinstance(kwargs, dict) or any(value is not None and not (key == "training" and isinstance(value, bool))
                                               for key, value in kwargs.items()):
            raise ModelFileError(f"{context}: call arguments {kwargs!r} are not supported by neurona.")
        if not tensors or len(tensors) > limits.MAX_CALL_INPUTS:
            raise ModelFileError(f"{context}: a call reads 1 to {limits.MAX_CALL_INPUTS} tensors. "
                                 f"Received {len(tensors)}.")
        return {"args": tensors, "as_list": as_list}

    def tensor(self, value, kinds, context, counts_own_node):
        if not (isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"
                and isinstance(value.get("config"), dict)):
            raise ModelFileError(f"{context}: a call argument must be a Keras tensor. Received: {str(value)[:200]}")
        return self.history(value["config"].get("keras_history"), kinds, context, counts_own_node)

    def history(self, value, kinds, context, counts_own_node):
        """[layer name, call index] for Keras' [layer name, node index, tensor index]."""
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
                and all(isinstance(item, int) and not isinstance(item, bool) and item >= 0 for item in value[1:])):
            raise ModelFileError(f"{context}: a tensor must name [layer, node index, tensor index]. "
                                 f"Received: {value!r}")
        layer_name, index, tensor_index = value
        if tensor_index != 0:
            raise ModelFileError(f"{context}: it reads output {tensor_index} of layer {layer_name!r}; neurona's "
                                 "layers have one output.")
        if kinds.get(layer_name) in _KERAS_MODELS and index == 1 and counts_own_node:
            index = 0  # Keras numbers a nested model's own node first; neurona calls a model once
        return [layer_name, index]

    def references(self, value, kinds, key):
        if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
            value = [value]
        if not (isinstance(value, list) and value and len(value) <= limits.MAX_CALL_INPUTS):
            raise ModelFileError(f"{self.what}: the Keras functional config's {key} must list [layer, node, tensor].")
        return [self.history(item, kinds, f"{self.what}: {key}", True) for item in value]


def _batch_shape(value):
    if not (isinstance(value, list) and len(value) >= 2):
        return None
    dims = value[1:]
    if all(isinstance(dim, int) and not isinstance(dim, bool) and dim > 0 for dim in dims):
        return list(dims)
    return None


def _dtype(value, what):
    if isinstance(value, dict):
        value = (value.get("config") or {}).get("name") if isinstance(value.get("config"), dict) else None
    if value is None:
        return None
    if value not in FLOAT_TYPES:
        raise ModelFileError(f"{what}: dtype policy {value!r} is not supported; expected one of {FLOAT_TYPES}.")
    return value


def keras_layer_classes():
    """{Keras class name: neurona layer class} for every Keras layer neurona imports.

    A class's own name wins over another's alias, and aliases are not inherited.
    """
    importing = [cls for cls in layers_module._REGISTRY.values()
                 if cls is not layers_module.InputLayer and hasattr(cls, "from_keras")]
    table = {name: cls for cls in importing for name in vars(cls).get("keras_aliases", ())}
    table.update({cls.__name__: cls for cls in importing})
    return table


def _layer_from_keras(class_name, config, index, what):
    classes = keras_layer_classes()
    if class_name not in classes:
        raise ModelFileError(
            f"{what}: Keras layer {index} is a {class_name}, which neurona does not have "
            f"(it imports {', '.join(sorted([*classes, 'InputLayer', 'Sequential', 'Functional']))})."
        )
    context = f"{what}: Keras layer {index} ({class_name} {config.get('name')!r})"
    return classes[class_name].from_keras(class_name, config, context)


def compile_from_keras(config, what):
    """neurona's compile config from Keras 3's compile_config or Keras 2's training_config.

    Returns None, with a warning, when Keras used something neurona does not implement (the
    model then loads uncompiled, as Keras loads a model without a training config).
    """
    if not isinstance(config, dict):
        return None
    try:
        optimizer = _optimizer(config.get("optimizer", config.get("optimizer_config")))
        loss = _loss(config.get("loss"))
        names = _metrics(config.get("metrics"), loss)
    except _Unsupported as reason:
        warnings.warn(
            f"{what}: {reason}; the model is loaded uncompiled. Call model.compile(...) before training it.",
            UserWarning,
            stacklevel=3,
        )
        return None
    return {"optimizer": optimizers.serialize(optimizer), "loss": losses.serialize(loss), "metrics": names}


class _Unsupported(Exception):
    pass


def _optimizer_to_keras(optimizer):
    """The optimizer's config for Keras, a schedule as Keras serializes one
    (`keras.optimizers.schedules`); neurona's own schedules (OneCycle) have no Keras class."""
    config = dict(optimizer.get_config())
    learning_rate = config.get("learning_rate")
    if isinstance(learning_rate, dict):
        if learning_rate["class_name"] not in schedules.KERAS_CLASSES:
            raise ValueError(
                f"The learning-rate schedule {learning_rate['class_name']} is neurona's own and has no Keras "
                "class, so a .keras or .h5 file cannot hold it. Save the model in neurona's format "
                "(a name that does not end in .keras or .h5), or compile it with a Keras schedule."
            )
        # With `module` in either style: Keras 3 writes it so in .h5 files too, and needs it.
        config["learning_rate"] = _wrap("keras.optimizers.schedules", learning_rate["class_name"],
                                        learning_rate["config"], "keras3")
    return config


def _optimizer(value):
    if isinstance(value, str):
        value = {"class_name": value, "config": {}}
    if not (isinstance(value, dict) and isinstance(value.get("class_name"), str)):
        raise _Unsupported(f"the optimizer {value!r} is not readable")
    class_name = value["class_name"].split(">")[-1]
    config = dict(value.get("config") or {})
    if "lr" in config and "learning_rate" not in config:
        config["learning_rate"] = config.pop("lr")
    try:
        cls = type(optimizers.get(class_name))
    except (ValueError, TypeError):
        raise _Unsupported(f"the optimizer {class_name} is not available in neurona") from None
    accepted = set(cls().get_config()) | {"weight_decay"}  # every optimizer decays, as in Keras
    kwargs = {}
    for key, setting in config.items():
        if key in accepted:
            kwargs[key] = setting
        elif key in _OPTIMIZER_IGNORED or (key in _OPTIMIZER_OFF_ONLY and setting in (None, False, 0, 0.0)):
            continue
        else:
            raise _Unsupported(f"the {class_name} option {key}={setting!r} is not available in neurona")
    learning_rate = kwargs.get("learning_rate")
    if isinstance(learning_rate, dict):
        name = str(learning_rate.get("class_name", "")).split(">")[-1]
        if name not in schedules.KERAS_CLASSES:
            raise _Unsupported(f"the learning-rate schedule {name or repr(learning_rate)} is not available in neurona")
        try:
            kwargs["learning_rate"] = schedules.deserialize(learning_rate)
        except (ValueError, TypeError) as error:
            raise _Unsupported(f"the learning-rate schedule {name} is not valid in neurona ({error})") from None
    elif learning_rate is not None:
        if not isinstance(learning_rate, (int, float)) or isinstance(learning_rate, bool):
            raise _Unsupported(f"the learning-rate schedule {learning_rate!r} is not available in neurona")
        # Keras keeps the rate in a float32 variable and writes it back widened (0.001 becomes
        # 0.0010000000474974513); the shortest decimal with the same float32 is what was meant.
        kwargs["learning_rate"] = float(str(np.float32(learning_rate)))
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as error:
        raise _Unsupported(f"the {class_name} configuration is not valid in neurona ({error})") from None


def _loss(value):
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        inner = value.get("config")
        if isinstance(inner, str):  # Keras 3 serializes a loss function as class 'function'.
            value = inner
        else:
            inner = inner if isinstance(inner, dict) else {}
            name = _LOSS_NAMES.get(value["class_name"].split(">")[-1].lower())
            if name is None:
                raise _Unsupported(f"the loss {value['class_name']} is not available in neurona")
            smoothing = inner.get("label_smoothing")
            smoothable = name in ("categorical_crossentropy", "binary_crossentropy")
            for key, off in (("label_smoothing", (0, None)), ("ignore_class", (None,)), ("axis", (-1, None))):
                if inner.get(key) not in off and not (key == "label_smoothing" and smoothable):
                    raise _Unsupported(f"the loss option {key}={inner[key]!r} is not available in neurona")
            if inner.get("reduction", "sum_over_batch_size") not in ("sum_over_batch_size", "auto", None):
                raise _Unsupported(f"the loss reduction {inner['reduction']!r} is not available in neurona")
            loss = losses.get(name)
            if smoothable and smoothing:
                try:
                    return type(loss)(from_logits=bool(inner.get("from_logits")), label_smoothing=smoothing)
                except ValueError as error:
                    raise _Unsupported(f"the loss configuration is not valid in neurona ({error})") from None
            if inner.get("from_logits") and name != "mean_squared_error":
                loss = type(loss)(from_logits=True)
            return loss
    if isinstance(value, str):
        try:
            return losses.get(value)
        except ValueError:
            raise _Unsupported(f"the loss {value!r} is not available in neurona") from None
    raise _Unsupported(f"the loss {value!r} is not readable (one loss per model is supported)")


def _metrics(value, loss):
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Unsupported(f"metrics {value!r} are not a list")
    if len(value) == 1 and isinstance(value[0], list):  # Keras 2: one list per output
        value = value[0]
    names = []
    for item in value:
        name = item
        if isinstance(item, dict):
            inner = item.get("config") if isinstance(item.get("config"), dict) else {}
            class_name = str(item.get("class_name", "")).split(">")[-1]
            wrapped = inner.get("name") if class_name == "MeanMetricWrapper" else None
            name = _METRIC_CLASSES.get(class_name.lower(), wrapped)
            if class_name != "MeanMetricWrapper":
                # A metric object keeps its settings (thresholds, k, name) when neurona has it.
                try:
                    name = metrics_module.deserialize({"class_name": class_name, "config": {
                        key: value for key, value in inner.items() if key != "dtype"}})
                except (ValueError, TypeError):
                    pass
        try:
            metrics_module.resolve(name, loss, 2)
        except (ValueError, TypeError):
            raise _Unsupported(f"the metric {item!r} is not available in neurona") from None
        names.append(name)
    return names
