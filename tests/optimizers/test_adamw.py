"""AdamW against keras.optimizers.AdamW (Keras 3) and its written rule; weight decay in every
optimizer (Keras' base-optimizer `weight_decay`)."""

import os

import numpy as np
import pytest

from neurona import optimizers
from neurona.optimizers import SGD, Adam, AdamW, schedules

from .problems import assert_same_changes, reference_quadratic, train_quadratic
from .test_adam import adam_rule

# Keras computes its bias corrections in float32 (1 - 0.999**t loses ~1e-5 of itself at small
# t), so steps drift apart by ~1e-5 of a step per step: 8 steps at rates up to 0.02 stay
# within 1e-6; the rule test below checks 100 steps in float64.
STEPS = 8
RNG = np.random.default_rng(3)
START = [RNG.normal(size=(7, 5)).astype(np.float32), RNG.normal(size=(5,)).astype(np.float32),
         RNG.normal(size=(3, 4, 2)).astype(np.float32)]
CURVATURE = [RNG.uniform(0.01, 3.0, size=w.shape).astype(np.float32) for w in START]


def gradients(weights):
    """Gradients of 0.5 * sum(a * w^2) + sum(w) / 10: they change with the weights each step."""
    return [(a * w + np.float32(0.1)).astype(np.float32) for a, w in zip(CURVATURE, weights)]


CASES = {
    "defaults": ({}, None),
    "strong_decay": ({"learning_rate": 0.01, "weight_decay": 0.5}, None),
    "amsgrad": ({"learning_rate": 0.02, "weight_decay": 0.1, "amsgrad": True, "beta_2": 0.9}, None),
    "custom": ({"learning_rate": 0.005, "weight_decay": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4},
               None),
    "cosine_warmup": ({"weight_decay": 0.2, "learning_rate": ("CosineDecay", {
        "initial_learning_rate": 0.0, "decay_steps": 15, "warmup_target": 0.01, "warmup_steps": 3})}, None),
    "exclude_second": ({"learning_rate": 0.01, "weight_decay": 0.3}, 1),
}


def build(module, config):
    config = dict(config)
    if isinstance(config.get("learning_rate"), tuple):
        class_name, schedule_config = config["learning_rate"]
        config["learning_rate"] = getattr(module.optimizers.schedules if hasattr(module, "optimizers")
                                          else module.schedules, class_name)(**schedule_config)
    return config


@pytest.fixture(scope="module")
def keras_results():
    """{case: [weights after each step]} from keras.optimizers.AdamW, computed once."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    results = {}
    for case, (config, excluded) in CASES.items():
        optimizer = keras.optimizers.AdamW(**build(keras, config))
        variables = [keras.Variable(w.copy()) for w in START]
        if excluded is not None:
            optimizer.exclude_from_weight_decay(var_list=[variables[excluded]])
        history = []
        for _ in range(STEPS):
            grads = gradients([np.asarray(v.numpy()) for v in variables])
            optimizer.apply_gradients(zip(grads, variables))
            history.append([np.asarray(v.numpy()).copy() for v in variables])
        results[case] = history
    return results


class _Namespace:
    optimizers = optimizers


def neurona_history(config, excluded):
    optimizer = AdamW(**build(_Namespace, config))
    weights = [w.copy() for w in START]
    if excluded is not None:
        optimizer.exclude_from_weight_decay(var_list=[weights[excluded]])
    history = []
    for _ in range(STEPS):
        optimizer.apply_gradients(zip(weights, gradients(weights)))
        history.append([w.copy() for w in weights])
    return history


@pytest.mark.parametrize("case", CASES)
def test_steps_match_keras(keras_results, kernel_path, case):
    ours = neurona_history(*CASES[case])
    for step, (got, expected) in enumerate(zip(ours, keras_results[case])):
        for w_got, w_expected in zip(got, expected):
            assert w_got.shape == w_expected.shape and w_got.dtype == w_expected.dtype == np.float32
            np.testing.assert_allclose(w_got, w_expected, rtol=0, atol=1e-6, err_msg=f"{case}, step {step + 1}")
    moved = ours[-1][0] - START[0]
    assert np.abs(moved).max() > 1e-3


def test_keras_config_matches(keras_results):
    keras = pytest.importorskip("keras")
    theirs = keras.optimizers.AdamW().get_config()
    ours = AdamW().get_config()
    for key, value in ours.items():
        assert theirs[key] == pytest.approx(value, rel=1e-7), key
    assert set(ours) >= {"learning_rate", "weight_decay", "beta_1", "beta_2", "epsilon", "amsgrad"}


def adamw_rule(learning_rate=0.001, weight_decay=0.004, **adam):
    adam_update = adam_rule(learning_rate=learning_rate, **adam)

    def update(w, g, state, t):
        w -= w * weight_decay * learning_rate
        adam_update(w, g, state, t)
    return update


@pytest.mark.parametrize("config", [{}, {"learning_rate": 0.05, "weight_decay": 0.2},
                                    {"weight_decay": 0.1, "amsgrad": True, "learning_rate": 0.01}])
@pytest.mark.parametrize("steps", [1, 100])
def test_quadratic_follows_the_written_rule(kernel_path, config, steps):
    assert_same_changes(train_quadratic(AdamW(**config), steps), reference_quadratic(adamw_rule(**config), steps))


def test_zero_weight_decay_is_adam(kernel_path):
    assert_same_changes(train_quadratic(AdamW(weight_decay=0.0), 30), train_quadratic(Adam(), 30))


def test_weight_decay_in_other_optimizers_comes_before_the_step(kernel_path):
    w = np.array([2.0, -1.0])
    SGD(learning_rate=0.1, weight_decay=0.5).apply_gradients([(w, np.array([1.0, 1.0]))])
    np.testing.assert_allclose(w, [2.0 * (1 - 0.05) - 0.1, -1.0 * (1 - 0.05) - 0.1], rtol=1e-14)


def test_exclusion_of_a_view_into_a_packed_vector(kernel_path):
    packed = np.ones(10)
    bias = packed[6:9]
    optimizer = SGD(learning_rate=0.5, weight_decay=0.2)
    optimizer.exclude_from_weight_decay(var_list=[bias])
    optimizer.apply_gradients([(packed, np.zeros(10))])
    np.testing.assert_allclose(packed, [0.9] * 6 + [1.0] * 3 + [0.9])


def test_a_model_trains_with_adamw_and_decay_shrinks_the_weights():
    from neurona.layers import Dense
    from neurona.models import Sequential

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    norms = {}
    for decay in (0.0, 0.9):
        model = Sequential([Dense(16, activation="relu", input_dim=4), Dense(2, activation="softmax")])
        for layer in model.layers:  # the same start for both
            for name, value in layer.params.items():
                value[...] = np.random.default_rng(len(name) + value.size).normal(scale=0.5, size=value.shape)
        model.compile(AdamW(learning_rate=0.02, weight_decay=decay), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
        assert history.history["accuracy"][-1] > 0.85
        norms[decay] = float(np.linalg.norm(model.layers[0].params["kernel"]))
    assert norms[0.9] < 0.9 * norms[0.0]


def test_names_config_and_validation():
    assert type(optimizers.get("adamw")) is AdamW
    config = AdamW(weight_decay=0.01, learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5)).get_config()
    again = optimizers.deserialize({"class_name": "AdamW", "config": config})
    assert again.get_config() == config and again.weight_decay == 0.01
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW(weight_decay=-1.0)
    with pytest.raises(NotImplementedError, match="var_list"):
        AdamW().exclude_from_weight_decay(var_names=["bias"])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [0, 1, 7, 1027])
def test_weight_decay_kernel_paths_agree(dtype, size):
    """The decay step on both paths, on odd sizes, zeros and values near the dtype's limits."""
    pytest.importorskip("numba")
    from neurona import kernels
    from neurona.kernels import optimizers as optimizer_kernels

    finfo = np.finfo(dtype)
    values = np.random.default_rng(size).normal(size=size).astype(dtype)
    if size >= 7:
        values[:4] = [0.0, finfo.max / 2, -finfo.max / 2, finfo.tiny]
    results = {}
    try:
        for path in ("numpy", "numba"):
            kernels.set_kernels(path)
            param = values.copy()
            optimizer_kernels.apply(optimizer_kernels.weight_decay, param, 0.004 * 0.01)
            results[path] = param
    finally:
        kernels.set_kernels(None)
    expected = values.astype(np.float64) * (1 - 0.004 * 0.01)
    for path, param in results.items():
        assert param.dtype == dtype and np.all(np.isfinite(param))
        np.testing.assert_allclose(param, expected, rtol=2 * finfo.eps, atol=0, err_msg=path)
    # One rounding apart at most: the compiled loop may fuse the multiply-add (fastmath "contract").
    np.testing.assert_allclose(results["numba"], results["numpy"], rtol=finfo.eps, atol=0)
