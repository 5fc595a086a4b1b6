"""RMSprop against the update rule of Keras 3 (keras/src/optimizers/rmsprop.py)."""

import numpy as np
import pytest

from neurona.optimizers import RMSprop

from .problems import assert_same_changes, assert_slots_follow_rule, reference_model, reference_quadratic, train_model, train_quadratic


def rmsprop_rule(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    def update(w, g, state, t):
        v = rho * state.get("v", 0.0) + (1 - rho) * g**2
        mean_g = rho * state.get("mean_g", 0.0) + (1 - rho) * g
        state.update(v=v, mean_g=mean_g)
        variance = v - mean_g**2 if centered else v
        increment = learning_rate * g / np.sqrt(variance + epsilon)
        if momentum > 0:
            state["b"] = momentum * state.get("b", 0.0) + increment
            w -= state["b"]
        else:
            w -= increment
    return update


CONFIGS = {
    "defaults": {},
    "momentum": {"momentum": 0.9},
    "centered": {"centered": True},
    "centered_momentum": {"centered": True, "momentum": 0.5},
    "custom": {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-3},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(RMSprop(**config), steps),
                        reference_quadratic(rmsprop_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(RMSprop(**config), steps), reference_model(rmsprop_rule(**config), steps))


def test_defaults_match_keras():
    assert RMSprop().get_config() == {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0,
                                      "epsilon": 1e-7, "centered": False}


def test_keras_docstring_example(kernel_path):
    """Keras' example: lr 0.1, loss w^2 / 2 from w = 10, one step gives 9.683772."""
    w = np.array(10.0)
    RMSprop(learning_rate=0.1).apply_gradients([(w, w.copy())])
    np.testing.assert_allclose(w, 9.683772, rtol=1e-6)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_slots_rescaled_are_the_rules_averages(kernel_path, config):
    names = {"velocity": "v"}
    if config.get("momentum"):
        names["momentum"] = "b"
    if config.get("centered"):
        names["average_gradient"] = "mean_g"
    assert_slots_follow_rule(RMSprop(**config), rmsprop_rule(**config), 7, names)
