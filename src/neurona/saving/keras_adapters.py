"""What the layers' Keras adapters share: layer configs' common keys, initializers,
regularizers and activations in Keras' terms, both ways, and the checks that refuse options
neurona does not implement.

Each layer's file carries its own adapters (`neurona.saving.keras_config` dispatches to them):

    layer.to_keras(dtype, style, context) -> (keras_class_name, keras_config)
    LayerClass.from_keras(keras_class_name, config, context) -> {"class_name", "config"}

`style` is "keras3" (`.keras` files) or "legacy" (`.h5`); `context` names the file and the
layer in error messages. `from_keras` raises `ModelFileError` for an option neurona lacks
and leaves plain argument checks (a negative size) to the layer's constructor. The layers
import this module inside those methods only, so `neurona.layers` never imports `saving`.
"""

import warnings

from neurona import activations, initializers, regularizers
from neurona.saving.errors import ModelFileError

_INITIALIZER_CLASSES = {
    "zeros": "Zeros", "ones": "Ones", "random_normal": "RandomNormal",
    "variance_scaling": "VarianceScaling", "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal", "he_normal": "HeNormal", "he_uniform": "HeUniform",
    "lecun_normal": "LecunNormal",
}
_INITIALIZER_NAMES = {cls.lower(): name for name, cls in _INITIALIZER_CLASSES.items()}
_SEEDED_INITIALIZERS = ("random_normal", "variance_scaling", "glorot_uniform", "glorot_normal",
                        "he_normal", "he_uniform", "lecun_normal")
_REGULARIZER_CLASSES = {"l1": "L1", "l2": "L2", "l1_l2": "L1L2"}


def wrap(module, class_name, config, style):
    """A Keras object entry: with `module` and `registered_name` in Keras 3's style."""
    if style == "keras3":
        return {"module": module, "class_name": class_name, "config": config, "registered_name": None}
    return {"class_name": class_name, "config": config}


# Export ------------------------------------------------------------------------------------

def base_to_keras(layer, dtype):
    """The keys every Keras layer config starts with."""
    return {"name": layer.name, "trainable": layer.trainable, "dtype": dtype}


def activation_to_keras(layer, context):
    """The name of `layer.activation` for a Keras layer's `activation` argument, which holds
    only a name: an activation with other settings than its defaults cannot be written so."""
    activation = layer.activation
    default = type(activation)()
    if activation.get_config() != default.get_config():
        kind = type(layer).__name__
        raise ValueError(
            f"{context} uses {activation.name} with {activation.get_config()}; Keras' formats can only "
            f"name {activation.name} with its defaults {default.get_config()} inside a {kind} layer. "
            f"Use {kind}(..., activation=None) followed by Activation({activation.name}(...)) to save it."
        )
    return activation.name


def initializer_to_keras(initializer, style):
    config = dict(initializer.get_config())
    if initializer.name in _SEEDED_INITIALIZERS:
        config["seed"] = None
    return wrap("keras.initializers", _INITIALIZER_CLASSES[initializer.name], config, style)


def regularizer_to_keras(regularizer, style):
    if regularizer is None:
        return None
    return wrap("keras.regularizers", _REGULARIZER_CLASSES[regularizer.name], regularizer.get_config(), style)


# Import ------------------------------------------------------------------------------------

def layer_entry(class_name, keras_config, arguments):
    """neurona's {'class_name', 'config'} for a layer: the name and trainable flag of
    `keras_config` (Keras' layer config), then `arguments`."""
    base = {"trainable": bool(keras_config.get("trainable", True))}
    if isinstance(keras_config.get("name"), str):
        base = {"name": keras_config["name"], **base}
    return {"class_name": class_name, "config": {**base, **arguments}}


def require_off(config, keys, context):
    """Refuse each of `keys` that is set to anything but None or False."""
    for key in keys:
        if config.get(key) not in (None, False):
            raise ModelFileError(f"{context}: {key}={config[key]!r} is not supported by neurona.")


def require_value(config, key, allowed, context):
    """Refuse `key` unless it is absent or one of `allowed`."""
    if key in config and config[key] not in allowed:
        expected = " or ".join(repr(value) for value in allowed)
        raise ModelFileError(f"{context}: {key}={config[key]!r} is not supported by neurona (only {expected}).")


def data_format_from_keras(config, context):
    """'channels_last', the only layout neurona computes; channels_first is refused."""
    value = config.get("data_format")
    if value not in (None, "channels_last"):
        raise ModelFileError(
            f"{context}: data_format={value!r} is not supported by neurona (only 'channels_last', "
            "images as (batch, height, width, channels))."
        )
    return "channels_last"


def checked(make, context):
    """make(), with a ValueError or TypeError it raises as a ModelFileError naming `context`."""
    try:
        return make()
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"{context}: {error}") from None


def activation_from_keras(value, context):
    """The activation a Keras config names (a name or Keras 3's serialized function)."""
    if isinstance(value, dict):
        inner = value.get("config")
        value = inner if isinstance(inner, str) else (inner or {}).get("name") if isinstance(inner, dict) else None
    if value is None:
        value = "linear"
    if not isinstance(value, str):
        raise ModelFileError(f"{context}: unreadable activation {value!r}.")
    try:
        return activations.get(value)
    except ValueError as error:
        raise ModelFileError(f"{context}: {error}") from None


def serialized_activation(value, context):
    """activation_from_keras(value), serialized for a neurona layer config."""
    return activations.serialize(activation_from_keras(value, context))


def initializer_from_keras(value, default, context):
    """neurona's serialized initializer for a Keras one; an initializer neurona lacks is
    recorded as `default`, with a warning (the weights themselves come from the file)."""
    if value is None:
        return initializers.serialize(initializers.get(default))
    if isinstance(value, str):
        name, config = _INITIALIZER_NAMES.get(value.replace("_", "").lower(), value), {}
    elif isinstance(value, dict) and isinstance(value.get("class_name"), str):
        name = _INITIALIZER_NAMES.get(value["class_name"].split(">")[-1].lower())
        config = value.get("config") if isinstance(value.get("config"), dict) else {}
    else:
        name, config = None, {}
    keep = {"random_normal": ("mean", "stddev"), "variance_scaling": ("scale", "mode", "distribution")}
    if name == "variance_scaling" and config.get("distribution") == "normal":
        config = {**config, "distribution": "truncated_normal"}  # Keras 2's name for it
    try:
        kept = {key: config[key] for key in keep.get(name, ()) if key in config}
        return initializers.serialize(initializers.deserialize({"name": name, "config": kept}))
    except (ValueError, TypeError, KeyError):
        warnings.warn(
            f"{context}: initializer {value!r} is not available in neurona; {default!r} is recorded "
            "instead (the weights themselves are loaded from the file).",
            UserWarning,
            stacklevel=5,
        )
        return initializers.serialize(initializers.get(default))


def regularizer_from_keras(value, context):
    """neurona's serialized regularizer (or None) for a Keras one; others are refused."""
    if value is None:
        return None
    if isinstance(value, str):
        name, config = value.lower(), {}
    elif isinstance(value, dict) and isinstance(value.get("class_name"), str):
        name = {"l1": "l1", "l2": "l2", "l1l2": "l1_l2"}.get(value["class_name"].split(">")[-1].lower())
        config = value.get("config") if isinstance(value.get("config"), dict) else {}
    else:
        name, config = None, {}
    try:
        config = {key: float(config[key]) for key in ("l1", "l2") if key in config}
        if name == "l1":
            config.pop("l2", None)
        if name == "l2":
            config.pop("l1", None)
        return regularizers.serialize(regularizers.deserialize({"name": name, "config": config}))
    except (ValueError, TypeError, KeyError):
        raise ModelFileError(f"{context}: regularizer {value!r} is not supported by neurona.") from None
