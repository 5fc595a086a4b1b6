"""What a model file holds besides architecture and weights, in plain values and arrays.

Layers are named by their path: their position in `model.layers`, then inside each nested
model (`(3,)`, `(1, 0)`), in the order `model.weights` walks them. The optimizer's slots are
kept per trainable weight (that order, then `kernel`, `bias`),
whatever layout the optimizer uses in memory (one flat vector for all parameters, or one
array each), so files do not depend on that choice. Random state: the seed `fit` derives each
epoch's shuffle and Dropout masks from, and the count of epochs trained (both
`model.get_training_state()`), and the generator of every layer that owns one (Dropout's, for
`train_on_batch`), so training resumed from a file continues the same random streams as
training straight through.
"""

import numpy as np

from neurona import losses, optimizers
from neurona import metrics as metrics_module
from neurona.models import Model
from neurona.saving.errors import ModelFileError


def leaf_paths(model):
    """[(path, layer)] for every layer of `model`, nested models opened, in the order of
    `model.weights` (and of the optimizer)."""
    result = []

    def walk(current, prefix):
        for index, layer in enumerate(current.layers):
            if isinstance(layer, Model):
                walk(layer, prefix + (index,))
            else:
                result.append((prefix + (index,), layer))

    walk(model, ())
    return result


def path_text(path):
    """'3' for a layer of the model, '1.layers.0' for the first layer of its second layer."""
    return ".layers.".join(str(index) for index in path)


def weight_entries(model):
    """[(path, name, array)] for every weight, trainable or not, layer by layer in creation
    order (BatchNormalization's moving statistics after gamma and beta)."""
    return [(path, name, value) for path, layer in leaf_paths(model) for name, value in layer.params.items()]


def trainable_entries(model):
    """[(path, name, array)] for the weights the optimizer updates, in its order: neither
    non-trainable weights (moving statistics) nor a frozen layer's."""
    return [(path, name, layer.params[name]) for path, layer in leaf_paths(model) for name in layer.trainable_names]


# Compile settings --------------------------------------------------------------------------

def compile_config(model):
    """{'optimizer', 'loss', 'metrics'} of a compiled model, or None (`Model.get_compile_config`)."""
    return model.get_compile_config()


def compile_from_config(model, config, what):
    """Compile `model` from `compile_config`'s output, resolving names through registries."""
    if not isinstance(config, dict):
        raise ModelFileError(f"{what}: the training configuration must be a JSON object.")
    metrics = config.get("metrics") or []
    if not (isinstance(metrics, list) and all(isinstance(metric, (str, dict, metrics_module.Metric)) for metric in metrics)):
        raise ModelFileError(f"{what}: metrics must be a list of names or metric objects. Received: {metrics!r}")
    try:
        metrics = [metrics_module.deserialize(metric) for metric in metrics]
        optimizer = optimizers.deserialize(_object(config.get("optimizer"), "optimizer", what))
        loss = losses.deserialize(_object(config.get("loss"), "loss", what))
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError) as error:
        raise ModelFileError(f"{what}: invalid training configuration: {error}") from None


def _object(value, key, what):
    if not isinstance(value, dict) or not isinstance(value.get("config", {}), dict):
        raise ModelFileError(f"{what}: {key} must be a JSON object with a config. Received: {value!r}")
    return value


# Optimizer state ---------------------------------------------------------------------------

def optimizer_state(model, published=False):
    """(scalars, slots): iterations and other numbers, and per-parameter {slot: array}.

    Slots are as the optimizer keeps them, or with `published=True` as its published update
    rule (and Keras) defines them (see `Optimizer.stored_slot_scales`). Returns (None, None)
    when the model has no optimizer.
    """
    if model.optimizer is None:
        return None, None
    state = dict(model.optimizer.get_state())
    slots = state.pop("slots", [])
    if published:
        slots = _rescale(slots, model.optimizer.stored_slot_scales(), np.multiply)
    for key, value in state.items():
        if isinstance(value, (np.integer, np.floating)):
            state[key] = value.item()
        if isinstance(value, bool) or not isinstance(state[key], (int, float)):
            raise ValueError(f"Optimizer state {key!r} must be a number to be saved. Received: {value!r}")
    return state, _per_parameter(slots, [value for _, _, value in trainable_entries(model)])


def _per_parameter(slots, params):
    if not slots:
        return []
    if len(slots) == len(params) and all(
        slot.shape == param.shape for group, param in zip(slots, params) for slot in group.values()
    ):
        return [{name: np.array(slot) for name, slot in group.items()} for group in slots]
    total = sum(param.size for param in params)
    if len(slots) == 1 and all(slot.shape == (total,) for slot in slots[0].values()):
        # One flat vector for all parameters: cut it back into per-parameter arrays.
        result, offset = [{} for _ in params], 0
        for group, param in zip(result, params):
            for name, flat in slots[0].items():
                group[name] = flat[offset:offset + param.size].reshape(param.shape).copy()
            offset += param.size
        return result
    raise ValueError(
        f"The optimizer holds state for {len(slots)} arrays that do not match the model's "
        f"{len(params)} trainable parameters; it was used with another model."
    )


def set_optimizer_state(model, scalars, slots, published=False):
    """Give the model's optimizer `scalars` and per-parameter `slots` in the layout it uses;
    `published=True` converts slots given as the published rule defines them."""
    if published:
        slots = _rescale(slots, model.optimizer.stored_slot_scales(), np.divide)
    if slots:
        pairs = model._trainable_pairs()
        params = [value for _, _, value in trainable_entries(model)]
        if len(pairs) == len(params):
            slots = [{name: np.array(value, dtype=param.dtype) for name, value in group.items()}
                     for group, param in zip(slots, params)]
        elif len(pairs) == 1:
            names = list(slots[0])
            slots = [{name: np.concatenate([group[name].reshape(-1) for group in slots]).astype(pairs[0][0].dtype)
                      for name in names}]
        else:
            raise ModelFileError(
                f"The optimizer receives {len(pairs)} parameter arrays; the file holds state for {len(params)}."
            )
    model.optimizer.set_state({**scalars, "slots": slots})


def _rescale(slots, scales, operation):
    return [{name: operation(value, scales[name]) if name in scales else value for name, value in group.items()}
            for group in slots]


# Random state ------------------------------------------------------------------------------

def random_state(model):
    """{'shuffle_seed': int or None, 'epochs_seen': int, 'layers': {path: bit-generator state}},
    a path written as '2' or '1.layers.0'."""
    layers = {}
    for path, layer in leaf_paths(model):
        rng = getattr(layer, "_rng", None)
        if isinstance(rng, np.random.Generator):
            layers[path_text(path)] = _jsonable(rng.bit_generator.state)
    return {**model.get_training_state(), "layers": layers}


def set_random_state(model, state, what):
    if not isinstance(state, dict):
        raise ModelFileError(f"{what}: random_state must be a JSON object.")
    seed = state.get("shuffle_seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**128:
            raise ModelFileError(f"{what}: shuffle_seed must be a non-negative integer. Received: {seed!r}")
    epochs_seen = state.get("epochs_seen", 0)
    if isinstance(epochs_seen, bool) or not isinstance(epochs_seen, int) or epochs_seen < 0:
        raise ModelFileError(f"{what}: epochs_seen must be a non-negative integer. Received: {epochs_seen!r}")
    model.set_training_state(shuffle_seed=seed, epochs_seen=epochs_seen)
    layer_states = state.get("layers") or {}
    if not isinstance(layer_states, dict):
        raise ModelFileError(f"{what}: random_state.layers must be a JSON object.")
    by_path = {path_text(path): layer for path, layer in leaf_paths(model)}
    for key, generator_state in layer_states.items():
        rng = getattr(by_path[key], "_rng", None) if isinstance(key, str) and key in by_path else None
        if not isinstance(rng, np.random.Generator):
            raise ModelFileError(f"{what}: random state for layer {key!r}, which has no random generator.")
        expected = type(rng.bit_generator).__name__
        if not isinstance(generator_state, dict) or generator_state.get("bit_generator") != expected:
            raise ModelFileError(f"{what}: the random state of layer {key} is not a {expected} state.")
        try:
            rng.bit_generator.state = generator_state
        except (ValueError, TypeError, KeyError, OverflowError) as error:
            raise ModelFileError(f"{what}: invalid random state for layer {key}: {error}") from None


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
