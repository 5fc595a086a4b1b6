"""Adadelta against the update rule of Keras 3 (keras/src/optimizers/adadelta.py)."""

import numpy as np
import pytest

from neurona.optimizers import Adadelta

from .problems import assert_same_changes, reference_model, reference_quadratic, train_model, train_quadratic


def adadelta_rule(learning_rate=0.001, rho=0.95, epsilon=1e-7):
    def update(w, g, state, t):
        mean_g2 = rho * state.get("mean_g2", 0.0) + (1 - rho) * g**2
        mean_dx2 = state.get("mean_dx2", 0.0)
        dx = -np.sqrt(mean_dx2 + epsilon) / np.sqrt(mean_g2 + epsilon) * g
        state.update(mean_g2=mean_g2, mean_dx2=rho * mean_dx2 + (1 - rho) * dx**2)
        w += learning_rate * dx
    return update


CONFIGS = {
    "defaults": {},
    "custom": {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(Adadelta(**config), steps),
                        reference_quadratic(adadelta_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(Adadelta(**config), steps), reference_model(adadelta_rule(**config), steps))


def test_defaults_match_keras():
    assert Adadelta().get_config() == {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}
