"""Adam against the update rule of Keras 3 (keras/src/optimizers/adam.py)."""

import numpy as np
import pytest

from neurona.optimizers import Adam

from .problems import assert_same_changes, assert_slots_follow_rule, reference_model, reference_quadratic, train_model, train_quadratic


def adam_rule(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    def update(w, g, state, t):
        m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * g
        v = beta_2 * state.get("v", 0.0) + (1 - beta_2) * g**2
        v_max = np.maximum(state.get("v_max", 0.0), v)
        state.update(m=m, v=v, v_max=v_max)
        alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (np.sqrt(v_max if amsgrad else v) + epsilon)
    return update


CONFIGS = {
    "defaults": {},
    "amsgrad": {"amsgrad": True},
    "amsgrad_fast": {"amsgrad": True, "learning_rate": 0.1, "beta_2": 0.9},
    "custom": {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(Adam(**config), steps), reference_quadratic(adam_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(Adam(**config), steps), reference_model(adam_rule(**config), steps))


def test_defaults_match_keras():
    assert Adam().get_config() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                                   "epsilon": 1e-7, "amsgrad": False}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_slots_rescaled_are_the_rules_moments(kernel_path, config):
    names = {"momentum": "m", "velocity": "v"}
    if config.get("amsgrad"):
        names["velocity_hat"] = "v_max"
    assert_slots_follow_rule(Adam(**config), adam_rule(**config), 7, names)
