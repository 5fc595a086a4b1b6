"""Adamax against the update rule of Keras 3 (keras/src/optimizers/adamax.py)."""

import numpy as np
import pytest

from neurona.optimizers import Adamax

from .problems import assert_same_changes, reference_model, reference_quadratic, train_model, train_quadratic


def adamax_rule(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def update(w, g, state, t):
        m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * g
        u = np.maximum(beta_2 * state.get("u", 0.0), np.abs(g))
        state.update(m=m, u=u)
        w -= learning_rate / (1 - beta_1**t) * m / (u + epsilon)
    return update


CONFIGS = {
    "defaults": {},
    "custom": {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-4},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(Adamax(**config), steps),
                        reference_quadratic(adamax_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(Adamax(**config), steps), reference_model(adamax_rule(**config), steps))


def test_defaults_match_keras():
    assert Adamax().get_config() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
