"""Translate model and compile configurations between neurona and Keras (2 and 3).

Two Keras styles are written: "keras3" (`.keras` files: objects carry `module` and
`registered_name`) and "legacy" (`.h5` files: plain `class_name`/`config`, InputLayer with
`batch_input_shape`, dtypes as strings), which Keras 2 and Keras 3 both read. Reading accepts
both, from files Keras wrote or we did.

Layers translate themselves: each layer class carries `to_keras` and `from_keras` (see
`keras_adapters`), and a Keras class resolves through `keras_layer_classes()`, built from
neurona's layer registry: every layer under its own class name, plus the Keras names a layer
also imports (`keras_aliases`: ReLU, LeakyReLU, ELU and Softmax become an Activation layer).
Anything else is refused with a message naming the layer. Nothing is ever looked up by
import path. InputLayer is the model's input shape, handled here.
"""

import warnings

import numpy as np

from neurona import layers as layers_module
from neurona import losses, optimizers
from neurona import metrics as metrics_module
from neurona.saving.errors import ModelFileError
from neurona.saving.keras_adapters import wrap as _wrap

FLOAT_TYPES = ("float16", "float32", "float64")

_LOSS_CLASSES = {
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
    "mean_squared_error": "MeanSquaredError",
}
_LOSS_NAMES = {cls.lower(): name for name, cls in _LOSS_CLASSES.items()}
_METRIC_CLASSES = {
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy", "categoricalaccuracy": "categorical_accuracy",
    "binaryaccuracy": "binary_accuracy", "meansquarederror": "mse", "meanabsoluteerror": "mae",
}
# Keras optimizer options without effect on the update, and options neurona implements only off.
_OPTIMIZER_IGNORED = ("name", "jit_compile", "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency")
_OPTIMIZER_OFF_ONLY = ("decay", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
                       "loss_scale_factor", "gradient_accumulation_steps")


# Export ------------------------------------------------------------------------------------

def model_to_keras(model, style, what=None):
    """Keras' {'class_name': 'Sequential', 'config': ...} for `model` (built); `what` names
    the file being written in errors."""
    dtype = str(model.dtype)
    input_shape = list(model.input_shape) if model.input_shape else None
    entries = []
    if input_shape:
        if style == "keras3":
            input_config = {"batch_shape": [None] + input_shape, "dtype": dtype, "sparse": False,
                            "name": "input_layer"}
        else:
            input_config = {"batch_input_shape": [None] + input_shape, "dtype": dtype, "sparse": False,
                            "ragged": False, "name": "input_1"}
        entries.append(_wrap("keras.layers", "InputLayer", input_config, style))
    shape = model.input_shape
    for layer in model.layers:
        class_name, config = _layer_to_keras(layer, dtype, style, what)
        entry = _wrap("keras.layers", class_name, config, style)
        if style == "keras3" and shape is not None:
            entry["build_config"] = {"input_shape": [None] + list(shape)}
        entries.append(entry)
        shape = layer.compute_output_shape(shape) if shape is not None else None
    config = {"name": model.name, "trainable": True, "dtype": dtype, "layers": entries}
    if input_shape and style == "keras3":
        config["build_input_shape"] = [None] + input_shape
    result = _wrap("keras", "Sequential", config, style)
    if input_shape and style == "keras3":
        result["build_config"] = {"input_shape": [None] + input_shape}
    return result


def _layer_to_keras(layer, dtype, style, what):
    kind = type(layer).__name__
    context = f"{what}: layer {layer.name!r}" if what else f"Layer {layer.name!r}"
    if not hasattr(layer, "to_keras") or isinstance(layer, layers_module.InputLayer):
        raise ValueError(f"{context} of type {kind} cannot be written in Keras' formats.")
    return layer.to_keras(dtype, style, context)


def compile_to_keras(model, style):
    """Keras 3's compile_config ('keras3') or Keras 2's training_config ('legacy'), or None."""
    if not model.compiled:
        return None
    optimizer = model.optimizer
    optimizer_config = _wrap("keras.optimizers", type(optimizer).__name__, dict(optimizer.get_config()), style)
    loss = model.loss
    if loss.get_config().get("from_logits"):
        loss_config = _wrap("keras.losses", _LOSS_CLASSES[loss.name], {"from_logits": True}, style)
    else:
        loss_config = loss.name
    metrics = [metric for metric in getattr(model, "_metric_identifiers", []) if isinstance(metric, str)]
    if style == "keras3":
        return {"optimizer": optimizer_config, "loss": loss_config, "loss_weights": None,
                "metrics": metrics, "weighted_metrics": None, "run_eagerly": False,
                "steps_per_execution": 1, "jit_compile": False}
    return {"loss": loss_config, "metrics": metrics, "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": optimizer_config}


# Import ------------------------------------------------------------------------------------

def model_from_keras(config, what):
    """(neurona Sequential config, dtype, Keras class name of each layer) from Keras' model
    config (any version)."""
    if not isinstance(config, dict):
        raise ModelFileError(f"{what}: the Keras model config must be a JSON object.")
    class_name = config.get("class_name")
    if class_name != "Sequential":
        raise ModelFileError(
            f"{what} holds a Keras {class_name!r} model; neurona imports Sequential models only."
        )
    inner = config.get("config")
    if isinstance(inner, list):  # Keras 2.0-2.2 wrote the layer list directly.
        inner = {"layers": inner}
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        raise ModelFileError(f"{what}: the Keras Sequential config has no list of layers.")
    input_shape = _batch_shape(inner.get("build_input_shape"))
    if input_shape is None:
        input_shape = _batch_shape((config.get("build_config") or {}).get("input_shape")
                                   if isinstance(config.get("build_config"), dict) else None)
    our_layers, keras_classes, dtypes = [], [], set()
    for index, entry in enumerate(inner["layers"]):
        if not (isinstance(entry, dict) and isinstance(entry.get("class_name"), str)
                and isinstance(entry.get("config"), dict)):
            raise ModelFileError(f"{what}: Keras layer {index} must be an object with a class_name and a config.")
        layer_class = entry["class_name"].split(">")[-1]
        layer_config = entry["config"]
        dtype = _dtype(layer_config.get("dtype"), what)
        if dtype is not None and layer_class != "InputLayer":
            dtypes.add(dtype)
        declared = _batch_shape(layer_config.get("batch_shape") or layer_config.get("batch_input_shape"))
        if declared is not None and not our_layers:
            input_shape = declared
        if layer_class == "InputLayer":
            if our_layers:
                raise ModelFileError(f"{what}: an InputLayer can only come first in a Sequential model.")
            if declared is None and isinstance(layer_config.get("shape"), list):
                input_shape = _batch_shape([None] + layer_config["shape"])
            continue
        our_layers.append(_layer_from_keras(layer_class, layer_config, index, what))
        keras_classes.append(layer_class)
    if len(dtypes) > 1:
        raise ModelFileError(f"{what}: layers use several dtypes {sorted(dtypes)}; neurona models use one.")
    dtype = dtypes.pop() if dtypes else "float32"
    name = inner.get("name") if isinstance(inner.get("name"), str) else None
    return {"name": name, "input_shape": input_shape, "layers": our_layers}, dtype, keras_classes


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

    A class's own name wins over another's alias, and aliases are not inherited (a subclass
    of Activation does not import ReLU unless it declares so or is named so).
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
            f"(it imports {', '.join(sorted([*classes, 'InputLayer']))})."
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
    accepted = set(cls().get_config())
    kwargs = {}
    for key, setting in config.items():
        if key in accepted:
            kwargs[key] = setting
        elif key in _OPTIMIZER_IGNORED or (key in _OPTIMIZER_OFF_ONLY and setting in (None, False, 0, 0.0)):
            continue
        else:
            raise _Unsupported(f"the {class_name} option {key}={setting!r} is not available in neurona")
    learning_rate = kwargs.get("learning_rate")
    if learning_rate is not None:
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
            for key, off in (("label_smoothing", (0, None)), ("ignore_class", (None,)), ("axis", (-1, None))):
                if inner.get(key) not in off:
                    raise _Unsupported(f"the loss option {key}={inner[key]!r} is not available in neurona")
            if inner.get("reduction", "sum_over_batch_size") not in ("sum_over_batch_size", "auto", None):
                raise _Unsupported(f"the loss reduction {inner['reduction']!r} is not available in neurona")
            loss = losses.get(name)
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
        try:
            metrics_module.resolve(name, loss, 2)
        except (ValueError, TypeError):
            raise _Unsupported(f"the metric {item!r} is not available in neurona") from None
        names.append(name)
    return names
