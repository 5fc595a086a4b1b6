"""SGD against the update rule of Keras 3 (keras/src/optimizers/sgd.py)."""

import numpy as np
import pytest

from neurona.optimizers import SGD

from .problems import assert_same_changes, reference_model, reference_quadratic, train_model, train_quadratic


def sgd_rule(learning_rate=0.01, momentum=0.0, nesterov=False):
    def update(w, g, state, t):
        if momentum == 0:
            w -= learning_rate * g
            return
        velocity = momentum * state.get("velocity", np.zeros_like(w)) - learning_rate * g
        state["velocity"] = velocity
        if nesterov:
            w += momentum * velocity - learning_rate * g
        else:
            w += velocity
    return update


CONFIGS = {
    "defaults": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9, "nesterov": True},
    "custom": {"learning_rate": 0.05, "momentum": 0.5, "nesterov": True},
}


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_quadratic_follows_keras_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(SGD(**config), steps), reference_quadratic(sgd_rule(**config), steps))


@pytest.mark.parametrize("steps", [1, 100])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_dense_model_follows_keras_rule(float64, kernel_path, config, steps):
    assert_same_changes(train_model(SGD(**config), steps), reference_model(sgd_rule(**config), steps))


def test_defaults_match_keras():
    assert SGD().get_config() == {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}


@pytest.mark.parametrize("momentum", [-0.1, 1.5])
def test_momentum_outside_unit_interval_is_rejected(momentum):
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=momentum)
