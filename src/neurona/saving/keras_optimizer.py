"""Optimizer state in Keras' files: the order and names of Keras' optimizer variables.

Keras 3 keeps `[iteration, learning_rate, slots...]` (`[iteration, slots...]` when the
learning rate is a schedule, which it evaluates at the iteration) and loads them by position (`.keras`:
`optimizer/vars/0..n`; `.h5`: the `optimizer_weights` group in `weight_names` order). Slots
come in blocks; inside a block, for each trainable variable (in Keras' order of the layers,
which for a functional model is not neurona's: see `keras_config.keras_order`), each slot of
the block:

    SGD (momentum > 0)  [momentum]                    Adam, AdamW  [momentum, velocity] (+ [velocity_hat])
    RMSprop             [velocity] (+ [momentum]) (+ [average_gradient])
    Adagrad             [accumulator]                 Adadelta  [accumulated_grad, accumulated_delta_var]
    Adamax              [momentum, norm]              Nadam     [momentum, velocity], then u_product

Keras 2 (tf.keras 2.11+) names its slots `{Optimizer}/{slot}/{layer}/{param}:0` and has no
learning-rate variable; those are matched by name. Scalar state derived from the iteration
count alone (Nadam's momentum product) is recomputed in float64 by replaying the optimizer's
`begin_step`, so it matches what neurona itself would hold to the last bit.
"""

import re
import warnings

import numpy as np

from neurona.saving import keras_config, model_state

# neurona slot name -> Keras 3 slot name, block by block.
_KERAS3_BLOCKS = {
    "SGD": lambda opt: [[("velocity", "momentum")]] if opt.momentum else [],
    "Adam": lambda opt: [[("momentum", "momentum"), ("velocity", "velocity")]]
    + ([[("velocity_hat", "velocity_hat")]] if opt.amsgrad else []),
    "RMSprop": lambda opt: [[("velocity", "velocity")]]
    + ([[("momentum", "momentum")]] if opt.momentum > 0 else [])
    + ([[("average_gradient", "average_gradient")]] if opt.centered else []),
    "Adagrad": lambda opt: [[("accumulator", "accumulator")]],
    "Adadelta": lambda opt: [[("accumulated_grad", "accumulated_grad"),
                              ("accumulated_delta", "accumulated_delta_var")]],
    "Adamax": lambda opt: [[("momentum", "momentum"), ("norm", "norm")]],
    "Nadam": lambda opt: [[("momentum", "momentum"), ("velocity", "velocity")]],
}
_KERAS3_BLOCKS["AdamW"] = _KERAS3_BLOCKS["Adam"]
_KERAS2_SLOTS = {
    "SGD": {"velocity": "m"}, "Adam": {"momentum": "m", "velocity": "v", "velocity_hat": "vhat"},
    "RMSprop": {"velocity": "velocity", "momentum": "momentum", "average_gradient": "average_gradient"},
    "Adagrad": {"accumulator": "accumulator"},
    "Adadelta": {"accumulated_grad": "accumulated_grad", "accumulated_delta": "accumulated_delta_var"},
    "Adamax": {"momentum": "m", "norm": "u"}, "Nadam": {"momentum": "m", "velocity": "v"},
}
_KERAS2_SLOTS["AdamW"] = _KERAS2_SLOTS["Adam"]
_TRAILING_SCALARS = {"Nadam": ["u_product"]}


def keras_name(optimizer):
    """Keras 3's default name for the optimizer ('adam', 'rm_sprop', ...)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(optimizer).__name__).lower()


def keras_positions(model, leaves=None):
    """The model's trainable weights (positions in `model_state.trainable_entries`) in the
    order Keras keeps them: layer by layer in Keras' order, `leaves` (the layers of the file's
    model in its order) or `keras_config.keras_leaf_layers(model)`."""
    if leaves is None:
        leaves = keras_config.keras_leaf_layers(model)
    rank = {id(layer): position for position, layer in enumerate(leaves)}
    layer_of = dict(model_state.leaf_paths(model))
    entries = model_state.trainable_entries(model)
    return sorted(range(len(entries)), key=lambda position: (rank.get(id(layer_of[entries[position][0]]), -1),
                                                             position))


def keras3_variables(model, leaves=None):
    """[(name, array)] of the model's optimizer in Keras 3's order, or [] without one
    (`leaves`: see `keras_positions`)."""
    optimizer = model.optimizer
    if optimizer is None or type(optimizer).__name__ not in _KERAS3_BLOCKS:
        return []
    scalars, slots = model_state.optimizer_state(model, published=True)
    entries = model_state.trainable_entries(model)
    if not slots:
        slots = [{name: optimizer.initial_slot(name, value) for name in optimizer.slot_names}
                 for _, _, value in entries]
    layer_of = dict(model_state.leaf_paths(model))
    prefix = f"{keras_name(optimizer)}/{model.name}"
    variables = [(f"{keras_name(optimizer)}/iteration", np.array(scalars["iterations"], dtype=np.int64))]
    if optimizer.learning_rate_schedule is None:  # Keras keeps a schedule's rate in no variable
        variables.append((f"{keras_name(optimizer)}/learning_rate", np.array(optimizer.learning_rate, dtype=np.float32)))
    positions = keras_positions(model, leaves)
    for block in _KERAS3_BLOCKS[type(optimizer).__name__](optimizer):
        for position in positions:
            path, name, _ = entries[position]
            layer_name = layer_of[path].name
            for ours, theirs in block:
                variables.append((f"{prefix}_{layer_name}_{name}_{theirs}", slots[position][ours]))
    for key in _TRAILING_SCALARS.get(type(optimizer).__name__, []):
        value = scalars.get("momentum_product", 1.0) if key == "u_product" else 0.0
        variables.append((f"{keras_name(optimizer)}/{key}", np.array(value, dtype=np.float32)))
    return variables


def restore_keras3(model, values, what, leaves=None):
    """Set the optimizer state from Keras 3's variable values (a list, in order; `leaves`:
    the file's layers in its order, see `keras_positions`).

    Returns True when restored; warns and returns False when the values do not fit.
    """
    expected = keras3_variables(model, leaves)
    if not expected:
        return False
    shapes = [np.shape(value) for value in values]
    head = _scalar_count(model.optimizer)
    if len(values) == head and len(expected) > head and int(np.asarray(values[0])) == 0:
        return False  # compiled but never trained: Keras built no slots yet, nothing to restore
    if len(values) != len(expected) or any(shape != np.shape(value) for shape, (_, value) in zip(shapes, expected)):
        _warn(what, f"its {len(values)} optimizer variables (shapes {shapes[:4]}...) do not match "
                    f"{type(model.optimizer).__name__}'s {len(expected)}")
        return False
    iterations = int(np.asarray(values[0]))
    if iterations < 0:
        _warn(what, f"the iteration count {iterations} is negative")
        return False
    optimizer = model.optimizer
    entries = model_state.trainable_entries(model)
    slots = [{} for _ in entries]
    cursor = head
    positions = keras_positions(model, leaves)
    for block in _KERAS3_BLOCKS[type(optimizer).__name__](optimizer):
        for position in positions:
            for ours, _ in block:
                slots[position][ours] = np.asarray(values[cursor], dtype=entries[position][2].dtype)
                cursor += 1
    return _set(model, iterations, slots, what)


def _scalar_count(optimizer):
    """How many variables come before the slots: the iteration, and the learning rate unless
    it is a schedule."""
    return 1 if optimizer.learning_rate_schedule is not None else 2


def restore_keras2(model, named_values, what):
    """Set the optimizer state from Keras 2 (tf.keras 2.11+) variables {name: value}.

    Returns True when restored; warns and returns False when a slot cannot be found.
    """
    optimizer = model.optimizer
    table = _KERAS2_SLOTS.get(type(optimizer).__name__)
    by_key, iterations = {}, None
    for name, value in named_values.items():
        parts = re.sub(r":\d+$", "", name).split("/")
        if parts[-1] in ("iteration", "iter", "iterations"):
            iterations = int(np.asarray(value))
        elif len(parts) >= 3:
            by_key[tuple(parts[-3:])] = value
    if table is None or iterations is None:
        _warn(what, "the Keras 2 optimizer variables could not be read")
        return False
    slots = []
    layer_of = dict(model_state.leaf_paths(model))
    for path, name, param in model_state.trainable_entries(model):
        group = {}
        layer_name = layer_of[path].name
        for ours in optimizer.slot_names:
            value = by_key.get((table[ours], layer_name, name))
            if value is None or np.shape(value) != param.shape:
                _warn(what, f"no Keras 2 slot {table[ours]!r} for {layer_name}/{name}")
                return False
            group[ours] = np.asarray(value, dtype=param.dtype)
        slots.append(group)
    return _set(model, iterations, slots, what)


def _set(model, iterations, slots, what):
    optimizer = model.optimizer
    replay = type(optimizer).from_config(optimizer.get_config())
    if set(replay.get_state()) - {"iterations", "slots"}:
        # Scalar state beyond the count (Nadam's momentum product) follows from the count.
        for step in range(iterations):
            replay.iterations = step
            replay.begin_step()
    scalars = {key: value for key, value in replay.get_state().items() if key != "slots"}
    scalars["iterations"] = iterations
    model_state.set_optimizer_state(model, scalars, slots, published=True)
    return True


def _warn(what, reason):
    warnings.warn(
        f"{what}: {reason}; the optimizer starts from a fresh state (as Keras does when it cannot "
        "restore one).",
        UserWarning,
        stacklevel=3,
    )
