"""Learning-rate schedules against keras.optimizers.schedules, and in the optimizers."""

import json
import math
import os

import numpy as np
import pytest

from neurona import optimizers
from neurona.optimizers import SGD, Adam, schedules

STEPS = list(range(0, 260)) + [499, 500, 501, 999, 1000, 1001, 1500, 5000]

# (class name, config) — each run at every step of STEPS; the Keras and neurona classes take
# the same arguments.
KERAS_CASES = {
    "exponential": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 40, "decay_rate": 0.9}),
    "exponential_staircase": ("ExponentialDecay", {"initial_learning_rate": 0.05, "decay_steps": 37,
                                                   "decay_rate": 0.5, "staircase": True}),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [10, 100, 250], "values": [0.1, 0.05, 0.01, 0.001]}),
    "polynomial": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 200, "end_learning_rate": 0.01,
                                       "power": 2.0}),
    "polynomial_cycle": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 60,
                                             "end_learning_rate": 0.001, "power": 0.5, "cycle": True}),
    "inverse_time": ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 25, "decay_rate": 0.5}),
    "inverse_time_staircase": ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 25,
                                                    "decay_rate": 0.5, "staircase": True}),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 200, "alpha": 0.1}),
    "cosine_no_alpha": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 230}),
    "cosine_warmup": ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 150, "alpha": 0.05,
                                      "warmup_target": 0.2, "warmup_steps": 50}),
    "cosine_warmup_from_nonzero": ("CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 100,
                                                   "warmup_target": 0.1, "warmup_steps": 30}),
    "cosine_restarts": ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 20,
                                                "t_mul": 2.0, "m_mul": 0.8, "alpha": 0.1}),
    "cosine_restarts_constant_period": ("CosineDecayRestarts", {"initial_learning_rate": 0.1,
                                                                "first_decay_steps": 30, "t_mul": 1.0}),
}


@pytest.fixture(scope="module")
def keras_schedules():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    return keras.optimizers.schedules


def in_float64(config):
    """The config with its floats as np.float64: Keras then computes the schedule in float64
    (it takes the dtype of initial_learning_rate, or of `values`), as neurona does, and does
    not round decay_rate, alpha, ... to float32 on the way."""
    def widen(value):
        if isinstance(value, list):
            return [widen(item) for item in value]
        return np.float64(value) if isinstance(value, float) else value
    return {key: widen(value) for key, value in config.items()}


def test_schedules_match_keras_at_every_step(keras_schedules):
    for case, (class_name, config) in KERAS_CASES.items():
        theirs = getattr(keras_schedules, class_name)(**in_float64(config))
        ours = getattr(schedules, class_name)(**config)
        expected = np.array([float(theirs(step)) for step in STEPS])
        got = np.array([ours(step) for step in STEPS])
        assert got.shape == expected.shape and got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-15, err_msg=case)
        assert ours.get_config() == getattr(keras_schedules, class_name)(**config).get_config(), case


def test_schedules_match_keras_float32_values_to_float32_precision(keras_schedules):
    """Keras' own float32 evaluation (its default) agrees to float32 resolution of the peak."""
    for case, (class_name, config) in KERAS_CASES.items():
        theirs = getattr(keras_schedules, class_name)(**config)
        ours = getattr(schedules, class_name)(**config)
        expected = np.array([float(theirs(step)) for step in STEPS])
        got = np.array([ours(step) for step in STEPS])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * max(abs(expected)), err_msg=case)


def test_keras_configs_and_serialized_forms_load(keras_schedules):
    for class_name, config in KERAS_CASES.values():
        theirs = getattr(keras_schedules, class_name)(**config)
        serialized = json.loads(json.dumps(keras_schedules.serialize(theirs)))
        assert serialized["module"] == "keras.optimizers.schedules"
        ours = schedules.deserialize(serialized)
        assert type(ours).__name__ == class_name
        assert [ours(step) for step in (0, 7, 77)] == pytest.approx([float(theirs(step)) for step in (0, 7, 77)],
                                                                 rel=1e-6)


def test_cosine_warmup_is_linear_then_cosine():
    schedule = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    assert [schedule(step) for step in (0, 5, 10)] == pytest.approx([0.0, 0.5, 1.0])
    assert schedule(60) == pytest.approx(0.5)
    assert schedule(110) == schedule(10_000) == pytest.approx(0.0, abs=1e-15)


def pytorch_one_cycle(step, max_lr, total_steps, pct_start, div_factor, final_div_factor, linear=False):
    """PyTorch's OneCycleLR (three_phase=False) written out from its documented phases."""
    initial, final = max_lr / div_factor, max_lr / div_factor / final_div_factor
    phases = [(float(pct_start * total_steps) - 1, initial, max_lr), (total_steps - 1, max_lr, final)]
    start_step = 0.0
    for end_step, start, end in phases:
        if step <= end_step:
            pct = (step - start_step) / (end_step - start_step)
            if linear:
                return (end - start) * pct + start
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        start_step = end_step
    return final


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
def test_one_cycle_follows_pytorch_phases(anneal_strategy):
    config = {"max_lr": 0.4, "total_steps": 100, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0}
    schedule = schedules.OneCycle(**config, anneal_strategy=anneal_strategy)
    got = [schedule(step) for step in range(100)]
    expected = [pytorch_one_cycle(step, **config, linear=anneal_strategy == "linear") for step in range(100)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[0] == pytest.approx(0.04) and max(got) == pytest.approx(0.4) and got[24] == pytest.approx(0.4)
    assert got[-1] == pytest.approx(0.4 / 10 / 100)
    assert schedule(100) == schedule(10_000) == got[-1]  # stays at the final rate after the cycle
    assert all(b >= a for a, b in zip(got[:25], got[1:25])) and all(b <= a for a, b in zip(got[24:], got[25:]))


def test_one_cycle_arguments_are_checked():
    with pytest.raises(ValueError, match="total_steps"):
        schedules.OneCycle(0.1, total_steps=0)
    with pytest.raises(ValueError, match="pct_start"):
        schedules.OneCycle(0.1, total_steps=10, pct_start=1.0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        schedules.OneCycle(0.1, total_steps=10, anneal_strategy="exp")


@pytest.mark.parametrize("class_name, config",
                         [*KERAS_CASES.values(), ("OneCycle", {"max_lr": 0.1, "total_steps": 50})])
def test_config_round_trip(class_name, config):
    schedule = getattr(schedules, class_name)(**config)
    again = schedules.deserialize(json.loads(json.dumps(schedules.serialize(schedule))))
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(step) for step in range(0, 300, 7)] == [schedule(step) for step in range(0, 300, 7)]
    assert schedules.get(schedule) is schedule


def test_unknown_schedules_and_bad_arguments_are_named():
    with pytest.raises(ValueError, match="Unknown learning-rate schedule: 'StepLR'"):
        schedules.deserialize({"class_name": "StepLR", "config": {}})
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.CosineDecay(0.1, decay_steps=0)
    with pytest.raises(ValueError, match="length of boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])


# In the optimizers ----------------------------------------------------------------------------

EVERY_OPTIMIZER = [cls for cls in (optimizers.SGD, optimizers.Adam, optimizers.AdamW, optimizers.RMSprop,
                                   optimizers.Adagrad, optimizers.Adadelta, optimizers.Adamax, optimizers.Nadam)]


@pytest.mark.parametrize("cls", EVERY_OPTIMIZER, ids=lambda cls: cls.__name__)
def test_every_optimizer_steps_with_the_schedule_value_at_its_iterations(kernel_path, cls):
    """A schedule gives, step after step, the same updates as the optimizer whose float
    learning rate is set to the schedule's value before each step."""
    schedule = schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)
    scheduled, manual = cls(learning_rate=schedule), cls(learning_rate=0.05)
    w_scheduled = np.array([1.0, -2.0, 0.5, 3.0])
    w_manual = w_scheduled.copy()
    for step in range(6):
        assert scheduled.iterations == step
        assert scheduled.learning_rate == pytest.approx(schedule(step), rel=1e-15)
        manual.learning_rate = schedule(step)
        scheduled.apply_gradients([(w_scheduled, 0.3 * w_scheduled + 0.1)])
        manual.apply_gradients([(w_manual, 0.3 * w_manual + 0.1)])
    np.testing.assert_array_equal(w_scheduled, w_manual)
    assert not np.allclose(w_scheduled, [1.0, -2.0, 0.5, 3.0])


def test_a_schedules_learning_rate_is_not_settable():
    optimizer = Adam(learning_rate=schedules.CosineDecay(0.1, 10))
    with pytest.raises(TypeError, match="not settable"):
        optimizer.learning_rate = 0.01
    assert optimizer.learning_rate_schedule.get_config()["decay_steps"] == 10


def test_optimizer_config_holds_the_schedule_and_loads_from_a_json_dict():
    config = {"class_name": "Adam", "config": {"learning_rate": {
        "class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 100,
                                                "warmup_target": 0.3, "warmup_steps": 10}}}}
    optimizer = optimizers.get(json.loads(json.dumps(config)))
    assert type(optimizer) is Adam and isinstance(optimizer.learning_rate_schedule, schedules.CosineDecay)
    assert optimizer.learning_rate == pytest.approx(0.1)
    optimizer.iterations = 10
    assert optimizer.learning_rate == pytest.approx(0.3)

    serialized = optimizers.serialize(optimizer)
    assert serialized["config"]["learning_rate"]["class_name"] == "CosineDecay"
    again = optimizers.deserialize(json.loads(json.dumps(serialized)))
    assert again.get_config() == optimizer.get_config()
    assert SGD(learning_rate=config["config"]["learning_rate"]).learning_rate == pytest.approx(0.1)


def test_a_plain_callable_runs_but_cannot_be_serialized():
    optimizer = SGD(learning_rate=lambda step: 0.1)
    with pytest.raises(ValueError, match="cannot be serialized"):
        optimizer.get_config()
