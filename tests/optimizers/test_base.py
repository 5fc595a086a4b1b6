"""Behaviour every optimizer shares: names, legacy keywords, validation, config and state."""

import numpy as np
import pytest

from neurona import optimizers
from neurona.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop
from neurona.optimizers.base import FLUSH_EVERY

from .problems import STARTS, quadratic_gradients

KERAS_NAMES = ["adadelta", "adagrad", "adam", "adamax", "adamw", "nadam", "rmsprop", "sgd"]

CASES = {
    "sgd": (SGD, {}),
    "sgd_nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adam_amsgrad": (Adam, {"amsgrad": True, "learning_rate": 0.01}),
    "rmsprop_centered_momentum": (RMSprop, {"centered": True, "momentum": 0.5}),
    "adagrad": (Adagrad, {"initial_accumulator_value": 0.2}),
    "adadelta": (Adadelta, {"learning_rate": 1.0}),
    "adamax": (Adamax, {}),
    "nadam": (Nadam, {"learning_rate": 0.01}),
}
parametrize_cases = pytest.mark.parametrize("cls, config", CASES.values(), ids=CASES.keys())


def run(optimizer, params, steps):
    for _ in range(steps):
        optimizer.apply_gradients(zip(params, quadratic_gradients(params)))
    return params


def fresh_params():
    return [w.copy() for w in STARTS]


@pytest.mark.parametrize("name, cls", [("SGD", SGD), ("Adam", Adam), ("rmsprop", RMSprop),
                                       ("ADAGRAD", Adagrad), ("AdaDelta", Adadelta),
                                       ("adamax", Adamax), ("Nadam", Nadam)])
def test_get_resolves_names_case_insensitively(name, cls):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert optimizer.get_config() == cls().get_config()


def test_get_returns_an_optimizer_instance_unchanged():
    optimizer = Adam(learning_rate=0.02)
    assert optimizers.get(optimizer) is optimizer


def test_get_unknown_name_lists_the_known_names():
    with pytest.raises(ValueError, match="lion") as excinfo:
        optimizers.get("lion")
    for name in KERAS_NAMES:
        assert repr(name) in str(excinfo.value)


@parametrize_cases
def test_lr_keyword_is_a_deprecated_alias(cls, config):
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        optimizer = cls(lr=0.03)
    assert optimizer.learning_rate == 0.03
    assert optimizer.lr == 0.03


@pytest.mark.parametrize("learning_rate", [0, -0.1, float("nan"), "fast", None])
@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax, Nadam])
def test_invalid_learning_rate_is_rejected(cls, learning_rate):
    with pytest.raises(ValueError, match="learning_rate"):
        cls(learning_rate=learning_rate)


def test_iterations_count_applied_steps(kernel_path):
    optimizer = Adam()
    assert optimizer.iterations == 0
    run(optimizer, fresh_params(), 3)
    assert optimizer.iterations == 3


def test_learning_rate_schedule_is_called_with_iterations(kernel_path):
    seen = []
    optimizer = SGD(learning_rate=lambda step: seen.append(step) or 0.1 / (1 + step))
    w = np.array([1.0])
    for _ in range(3):
        optimizer.apply_gradients([(w, np.array([1.0]))])
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(w, [1 - 0.1 - 0.05 - 0.1 / 3], rtol=1e-12)


def test_changing_the_number_of_parameters_is_rejected():
    optimizer = Adam()
    run(optimizer, fresh_params(), 1)
    with pytest.raises(ValueError, match="one optimizer per model"):
        optimizer.apply_gradients([(np.zeros(2), np.zeros(2))])


@parametrize_cases
def test_config_round_trip_gives_identical_updates(kernel_path, cls, config):
    original = cls(**config)
    clone = cls.from_config(original.get_config())
    assert clone.get_config() == original.get_config()
    for a, b in zip(run(original, fresh_params(), 20), run(clone, fresh_params(), 20)):
        np.testing.assert_array_equal(a, b)


@parametrize_cases
def test_serialize_round_trip_gives_the_same_optimizer(cls, config):
    original = cls(**config)
    clone = optimizers.deserialize(optimizers.serialize(original))
    assert type(clone) is cls
    assert clone.get_config() == original.get_config()


@parametrize_cases
def test_state_round_trip_resumes_identically(kernel_path, cls, config):
    original = cls(**config)
    params = run(original, fresh_params(), 3)
    state = original.get_state()
    saved_params = [w.copy() for w in params]

    continued = run(original, params, 3)
    resumed_optimizer = cls(**config)
    resumed_optimizer.set_state(state)
    resumed = run(resumed_optimizer, saved_params, 3)

    assert resumed_optimizer.iterations == original.iterations == 6
    for a, b in zip(continued, resumed):
        np.testing.assert_array_equal(a, b)


def test_subnormal_slots_are_flushed_every_step_compiled_and_every_flush_every_steps_in_numpy(kernel_path):
    """A velocity that decays by 0.9 a step from float32's smallest normal: the compiled kernel
    stores 0 at once, the NumPy reference keeps the subnormal values until step FLUSH_EVERY."""
    tiny = np.finfo(np.float32).tiny
    optimizer = SGD(momentum=0.9)
    w, zero = np.ones(3, np.float32), np.zeros(3, np.float32)
    optimizer.set_state({"iterations": 0, "slots": [{"velocity": np.full(3, tiny, np.float32)}]})
    velocities = []
    for _ in range(FLUSH_EVERY):
        optimizer.apply_gradients([(w, zero)])
        velocities.append(optimizer.get_state()["slots"][0]["velocity"][0])
    if kernel_path == "numba":
        assert velocities == [0.0] * FLUSH_EVERY
    else:
        assert all(0 < v < tiny for v in velocities[:-1]) and velocities[-1] == 0.0
    np.testing.assert_array_equal(w, 1.0)
