"""A config's `layers` list: Keras' {"class_name": ..., "config": {...}} entries, checked and made into layers.

    {"class_name": "Conv2D", "config": {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}}

An entry names a class of `neurona.layers` (Keras' aliases such as MaxPool2D too) and the
arguments of its constructor; "config" may be left out for a layer without arguments
(Flatten). Activations, initializers and regularizers are names ("relu") or the
{"name", "config"} objects `get_config()` writes, so a model's `get_config()["layers"]` is a
valid list. `hidden_layers` is shorthand for a list: `mlp_entries` expands it.
"""

import copy
import difflib
import inspect

from neurona import activations, initializers, layers as layers_module, regularizers
from neurona.layers import Layer

ENTRY_KEYS = ("class_name", "config")
# Arguments every layer takes (Layer.__init__), besides its own.
_BASE_ARGUMENTS = tuple(name for name in inspect.signature(Layer.__init__).parameters if name != "self")
# Pooling kinds whose outputs the report shows next to the convolutions' (feature maps).
POOLING_CLASSES = ("MaxPooling2D", "AveragePooling2D")


class EntryError(ValueError):
    """A layer entry is malformed; the message names the entry (layers[i]), its class and the argument."""


def layer_class(class_name):
    """The layer class called `class_name` (a registered name or one of Keras' aliases), or None."""
    registered = layers_module._REGISTRY
    if class_name in registered:
        return registered[class_name]
    alias = getattr(layers_module, class_name, None) if isinstance(class_name, str) else None
    return alias if alias in registered.values() else None


def known_classes():
    return sorted(layers_module._REGISTRY)


def arguments_of(cls):
    """(every argument the constructor of `cls` takes, the ones it requires)."""
    own = [parameter for name, parameter in inspect.signature(cls.__init__).parameters.items()
           if name != "self" and parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL)]
    accepted = [parameter.name for parameter in own] + [name for name in _BASE_ARGUMENTS
                                                        if name not in {p.name for p in own}]
    required = [parameter.name for parameter in own if parameter.default is parameter.empty]
    return accepted, required


def check_entry(index, entry):
    """`entry` normalised to {"class_name": <registered name>, "config": {...}}, or EntryError.

    The layer is made once (not built), so its own checks of its arguments run too.
    """
    where = f"layers[{index}]"
    if not isinstance(entry, dict):
        raise EntryError(f"{where} must be an object {{\"class_name\": \"Dense\", \"config\": {{...}}}}. "
                         f"Received: {entry!r}")
    unknown = [key for key in entry if key not in ENTRY_KEYS]
    if unknown:
        raise EntryError(f"{where} has unknown keys {unknown}: an entry holds class_name and config. "
                         f"Received: {where}={entry!r}")
    class_name = entry.get("class_name")
    if not isinstance(class_name, str):
        raise EntryError(f"{where} needs class_name, a layer class such as \"Dense\". Received: {where}={entry!r}")
    cls = layer_class(class_name)
    if cls is None:
        close = difflib.get_close_matches(class_name, known_classes(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise EntryError(f"{where}: unknown layer class {class_name!r}.{hint} Known: {', '.join(known_classes())}.")
    config = entry.get("config")
    config = {} if config is None else config
    label = f"{where} ({cls.__name__})"
    if not isinstance(config, dict):
        raise EntryError(f"{label}: config must be an object of the layer's arguments. Received: config={config!r}")
    accepted, required = arguments_of(cls)
    for argument in config:
        if argument not in accepted:
            close = difflib.get_close_matches(str(argument), accepted, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise EntryError(f"{label} has no argument {argument!r}.{hint} It takes: {', '.join(accepted)}.")
    missing = [argument for argument in required if argument not in config]
    if missing:
        raise EntryError(f"{label} needs the argument {missing[0]!r}. Received: config={config!r}")
    normalised = {"class_name": cls.__name__, "config": copy.deepcopy(config)}
    make_layer(normalised, name=config.get("name") or cls.__name__.lower(), label=label)
    return normalised


def make_layer(entry, dtype=None, name=None, label=None):
    """The (unbuilt) layer an entry describes; `dtype` applies unless the entry sets one.

    Raises:
        EntryError: an argument is refused (the message names `label`, the argument, the value).
    """
    cls = layer_class(entry["class_name"])
    label = label or entry["class_name"]
    arguments = copy.deepcopy(entry.get("config") or {})
    for argument, value in arguments.items():
        try:
            arguments[argument] = _object_argument(argument, value)
        except (KeyError, TypeError, ValueError) as error:
            message = _message(error)
            received = "" if "Received" in message else f" Received: {argument}={value!r}"
            raise EntryError(f"{label}: argument {argument!r} is not valid: {message}{received}") from None
    if dtype is not None and "dtype" not in arguments:
        arguments["dtype"] = dtype
    if name is not None and "name" not in arguments:
        arguments["name"] = name
    try:
        return cls(**arguments)
    except (TypeError, ValueError) as error:
        raise EntryError(f"{label}: {_message(error)}") from None


def _object_argument(argument, value):
    """An activation, initializer or regularizer argument (a name or a {"name", "config"} object) made;
    any other argument as it is."""
    if argument == "activation":
        module = activations
    elif argument.endswith("_initializer"):
        module = initializers
    elif argument.endswith("_regularizer"):
        module = regularizers
    else:
        return value
    if value is None:
        return None
    return module.deserialize(value) if isinstance(value, dict) else module.get(value)


def _message(error):
    if isinstance(error, KeyError):
        return f"it lacks the key {error.args[0]!r}."
    text = str(error)
    return text if text.endswith(".") else text + "."


def mlp_entries(hidden_layers, activation, dropout, outputs, flatten):
    """The entries `hidden_layers` is shorthand for: [Flatten], a Dense per hidden size (each
    followed by a Dropout when `dropout` > 0), then `outputs` softmax units (one sigmoid unit)."""
    entries = [{"class_name": "Flatten", "config": {}}] if flatten else []
    for units in hidden_layers:
        entries.append({"class_name": "Dense", "config": {"units": units, "activation": activation}})
        if dropout:
            entries.append({"class_name": "Dropout", "config": {"rate": dropout}})
    entries.append({"class_name": "Dense",
                    "config": {"units": outputs, "activation": "sigmoid" if outputs == 1 else "softmax"}})
    return entries


def describe_layer(layer):
    """A short name from the layer's config: 'Dense(128)', 'Conv2D(32, 3x3)', 'MaxPooling2D(2x2)', 'Flatten'."""
    config = layer.get_config()
    kind = type(layer).__name__
    if "units" in config:
        return f"{kind}({config['units']})"
    if "filters" in config:
        return f"{kind}({config['filters']}, {'x'.join(map(str, config['kernel_size']))})"
    if "pool_size" in config:
        return f"{kind}({'x'.join(map(str, config['pool_size']))})"
    return kind
