"""Nadam against the update rule of Keras 3 (keras/src/optimizers/nadam.py).

Keras 3's momentum schedule is mu_t = beta_1 * (1 - 0.5 * 0.96**t), with t the 1-based step
(not Keras 2's 0.96**(0.004 * t)), and the product of the mu_t is kept across steps.
"""

import numpy as np
import pytest

from neurona.optimizers import Nadam

from .problems import assert_same_changes, reference_model, reference_quadratic, train_model, train_quadratic


def nadam_rule(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def mu(t):
        return beta_1 * (1 - 0.5 * 0.96**t)

    def update(w, g, state, t):
        mu_product = state.get("mu_product", 1.0) * mu(t)
        m = beta_1 * state.get("m", 0.0) + (1 - beta_1) * g
        v = beta_2 * state.get("v", 0.0) + (1 - beta_2) * g**2
        state.update(mu_product=mu_product, m=m, v=v)
        m_hat = mu(t + 1) * m / (1 - mu_product * mu(t + 1)) + (1 - mu(t)) * g / (1 - mu_product)
        v_hat = v / (1 - beta_2**t)
        w -= learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
    return update


CONFIGS = {
    "defaults": {},
    "custom": {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(Nadam(**config), steps), reference_quadratic(nadam_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(Nadam(**config), steps), reference_model(nadam_rule(**config), steps))


def test_defaults_match_keras():
    assert Nadam().get_config() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}


def test_momentum_product_after_two_steps(kernel_path):
    optimizer = Nadam()
    for _ in range(2):
        optimizer.apply_gradients([(np.ones(2), np.ones(2))])
    expected = 0.9 * (1 - 0.5 * 0.96) * 0.9 * (1 - 0.5 * 0.96**2)
    assert optimizer.get_state()["momentum_product"] == pytest.approx(expected, rel=1e-12)
