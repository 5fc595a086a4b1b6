"""Problems on which a library optimizer is compared with an update rule written in a test.

An update rule is `update(w, g, state, t)`: it changes the array `w` in place from its gradient
`g`, keeps its own slots in the dict `state` (one per parameter, empty at first) and receives the
1-based step number `t`.
"""

import numpy as np

from neurona.layers import Dense
from neurona.models import Sequential

# Curvatures from 1e-4 to 10 give gradients from about 1e-5 to 10, so that where epsilon sits
# (inside or outside a square root) changes the result well beyond the tolerance.
CURVATURES = [
    np.array([4.0, 1.0, 0.25, 1e-3, 10.0]),
    np.array([[2.0, 1e-4, 0.5], [1.5, 3.0, 0.05]]),
]
MINIMA = [
    np.array([1.0, -2.0, 0.5, 3.0, -0.5]),
    np.array([[0.3, -1.2, 2.0], [-0.7, 0.9, 1.1]]),
]
STARTS = [
    np.array([0.0, 0.5, -1.0, 2.9, 1.5]),
    np.array([[-1.0, -1.0, 1.0], [0.5, 0.2, -2.0]]),
]

INPUTS = np.array([[0.2, -1.0, 0.5], [1.5, 0.3, -0.7], [-0.4, 0.8, 1.2], [0.9, -0.6, -1.1],
                   [0.0, 1.4, 0.3], [-1.3, -0.2, 0.6]])
TARGETS = np.eye(2)[[0, 1, 1, 0, 1, 0]]


def quadratic_gradients(params):
    """Gradients of f(w) = 0.5 * sum(a * (w - c)^2), for each parameter array."""
    return [a * (w - c) for a, c, w in zip(CURVATURES, MINIMA, params)]


def train_quadratic(optimizer, steps):
    """How much each parameter moved in `steps` calls of `apply_gradients`."""
    params = [w.copy() for w in STARTS]
    for _ in range(steps):
        optimizer.apply_gradients(zip(params, quadratic_gradients(params)))
    return [w - start for w, start in zip(params, STARTS)]


def reference_quadratic(update, steps):
    params, _ = _follow_rule_on_quadratic(update, steps)
    return [w - start for w, start in zip(params, STARTS)]


def _follow_rule_on_quadratic(update, steps):
    """The parameters and the rule's per-parameter state after `steps` on the quadratic."""
    params = [w.copy() for w in STARTS]
    states = [{} for _ in params]
    for t in range(1, steps + 1):
        for w, g, state in zip(params, quadratic_gradients(params), states):
            update(w, g, state, t)
    return params, states


def assert_slots_follow_rule(optimizer, update, steps, slot_to_rule):
    """After `steps` on the quadratic, the optimizer's slots, rescaled by its
    `stored_slot_scales`, equal the rule's state ({slot name: rule state key})."""
    train_quadratic(optimizer, steps)
    _, states = _follow_rule_on_quadratic(update, steps)
    scales = optimizer.stored_slot_scales()
    slots = optimizer.get_state()["slots"]
    assert len(slots) == len(states)
    for group, state in zip(slots, states):
        assert set(group) == set(slot_to_rule)
        for name, value in group.items():
            np.testing.assert_allclose(value * scales.get(name, 1.0), state[slot_to_rule[name]],
                                       rtol=1e-10, atol=1e-15)


def small_model(optimizer):
    model = Sequential([Dense(4, activation="tanh", input_dim=3, seed=0),
                        Dense(2, activation="softmax", seed=1)])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    return model


def train_model(optimizer, steps):
    """How much each weight moved in `steps` calls of `train_on_batch` (floatx must be float64)."""
    model = small_model(optimizer)
    start = model.get_weights()
    for _ in range(steps):
        model.train_on_batch(INPUTS, TARGETS)
    return [w - w0 for w, w0 in zip(model.get_weights(), start)]


def reference_model(update, steps):
    """How much each weight moved in `steps` updates by `update`, from an identical model's gradients."""
    model = small_model("sgd")
    start = model.get_weights()
    params = [layer.params[name] for layer in model.layers for name in layer.params]
    states = [{} for _ in params]
    for t in range(1, steps + 1):
        probabilities = model._forward(INPUTS, training=True)
        model._backward(model.loss.fused_gradient(TARGETS, probabilities), fused=True,
                        needs_grad=model._layers_needing_input_grad())
        grads = [layer.grads[name] for layer in model.layers for name in layer.params]
        for w, g, state in zip(params, grads, states):
            update(w, g, state, t)
    return [w - w0 for w, w0 in zip(model.get_weights(), start)]


def assert_same_changes(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert a.dtype == np.float64
        assert np.any(a != 0)
        np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-12)
