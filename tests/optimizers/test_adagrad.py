"""Adagrad against the update rule of Keras 3 (keras/src/optimizers/adagrad.py)."""

import numpy as np
import pytest

from neurona.optimizers import Adagrad

from .problems import assert_same_changes, reference_model, reference_quadratic, train_model, train_quadratic


def adagrad_rule(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    def update(w, g, state, t):
        state["sum_g2"] = state.get("sum_g2", initial_accumulator_value) + g**2
        w -= learning_rate * g / np.sqrt(state["sum_g2"] + epsilon)
    return update


CONFIGS = {
    "defaults": {},
    "custom": {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-3},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(Adagrad(**config), steps),
                        reference_quadratic(adagrad_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(Adagrad(**config), steps), reference_model(adagrad_rule(**config), steps))


def test_defaults_match_keras():
    assert Adagrad().get_config() == {"learning_rate": 0.001, "initial_accumulator_value": 0.1,
                                      "epsilon": 1e-7}


def test_accumulator_starts_at_initial_value(kernel_path):
    optimizer = Adagrad(initial_accumulator_value=0.25)
    optimizer.apply_gradients([(np.zeros(3), np.zeros(3))])
    np.testing.assert_array_equal(optimizer.get_state()["slots"][0]["accumulator"], [0.25, 0.25, 0.25])
