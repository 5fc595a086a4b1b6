import math

import numpy as np
import pytest

from neurona import backend, initializers

FAN_IN, FAN_OUT = 400, 600
SHAPE = (FAN_IN, FAN_OUT)
TRUNCATED_STDDEV = 0.87962566103423978


def sample(name, shape=SHAPE, seed=0):
    return initializers.get(name)(shape, rng=seed)


@pytest.mark.parametrize(
    "name, limit",
    [
        ("glorot_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
        ("he_uniform", math.sqrt(6 / FAN_IN)),
    ],
)
def test_uniform_initializers(name, limit):
    values = sample(name)

    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.999 * limit
    assert values.mean() == pytest.approx(0, abs=0.01 * limit)
    assert values.var() == pytest.approx(limit**2 / 3, rel=0.02)


@pytest.mark.parametrize(
    "name, variance",
    [
        ("glorot_normal", 2 / (FAN_IN + FAN_OUT)),
        ("he_normal", 2 / FAN_IN),
        ("lecun_normal", 1 / FAN_IN),
    ],
)
def test_truncated_normal_initializers(name, variance):
    values = sample(name)
    untruncated_stddev = math.sqrt(variance) / TRUNCATED_STDDEV

    assert np.abs(values).max() <= 2 * untruncated_stddev
    assert np.abs(values).max() > 0.999 * 2 * untruncated_stddev
    assert values.mean() == pytest.approx(0, abs=0.01 * math.sqrt(variance))
    assert values.var() == pytest.approx(variance, rel=0.02)


def test_random_normal_defaults_to_stddev_005():
    values = sample("random_normal")

    assert values.mean() == pytest.approx(0, abs=0.001)
    assert values.std() == pytest.approx(0.05, rel=0.02)
    assert np.abs(values).max() > 4 * 0.05


def test_random_normal_with_mean_and_stddev():
    values = initializers.RandomNormal(mean=1.0, stddev=0.5)(SHAPE, rng=0)

    assert values.mean() == pytest.approx(1.0, abs=0.005)
    assert values.std() == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize("name, value", [("zeros", 0.0), ("ones", 1.0)])
def test_constant_initializers(name, value):
    values = sample(name, shape=(3, 4))

    assert values.shape == (3, 4)
    np.testing.assert_array_equal(values, value)


def test_bias_vector_uses_its_length_as_both_fans():
    values = sample("glorot_uniform", shape=(100_000,))

    limit = math.sqrt(6 / 200_000)
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.999 * limit


def test_convolution_kernel_fans_include_the_receptive_field():
    """Keras: fan_in = in_channels * prod(kernel_size), fan_out = out_channels * prod(kernel_size)."""
    values = sample("he_uniform", shape=(3, 3, 64, 128))

    limit = math.sqrt(6 / (3 * 3 * 64))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.999 * limit


@pytest.mark.parametrize("mode, fan", [("fan_in", FAN_IN), ("fan_out", FAN_OUT), ("fan_avg", (FAN_IN + FAN_OUT) / 2)])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal"])
def test_variance_scaling(mode, fan, distribution):
    values = initializers.VarianceScaling(scale=3.0, mode=mode, distribution=distribution)(SHAPE, rng=1)

    assert values.var() == pytest.approx(3.0 / fan, rel=0.02)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"mode": "fan_sum"}, "mode must be"), ({"distribution": "normal"}, "distribution must be")],
)
def test_variance_scaling_rejects_unknown_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.VarianceScaling(**kwargs)


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
                                  "lecun_normal", "random_normal"])
def test_same_seed_gives_identical_values(name):
    np.testing.assert_array_equal(sample(name, (20, 30), seed=7), sample(name, (20, 30), seed=7))
    assert not np.array_equal(sample(name, (20, 30), seed=7), sample(name, (20, 30), seed=8))


def test_numpy_global_seed_makes_unseeded_draws_repeatable():
    initializer = initializers.get("glorot_uniform")

    np.random.seed(3)
    first = initializer((5, 5))
    np.random.seed(3)
    second = initializer((5, 5))

    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("name", ["zeros", "ones", "random_normal", "glorot_uniform", "he_normal"])
def test_dtype_follows_floatx(name, floatx):
    backend.set_floatx(floatx)

    assert initializers.get(name)((3, 4)).dtype == np.dtype(floatx)


def test_explicit_dtype_wins_over_floatx():
    assert initializers.get("he_normal")((3, 4), dtype="float64").dtype == np.float64


def test_unknown_name_is_rejected():
    with pytest.raises(ValueError, match=r"Unknown initializer: 'orthogonal'.*'glorot_uniform'"):
        initializers.get("orthogonal")


@pytest.mark.parametrize(
    "initializer",
    [initializers.get("he_normal"), initializers.RandomNormal(0.5, 0.1),
     initializers.VarianceScaling(2.0, "fan_out", "uniform"), initializers.Zeros()],
    ids=lambda initializer: initializer.name,
)
def test_serialize_round_trip(initializer):
    restored = initializers.deserialize(initializers.serialize(initializer))

    assert type(restored) is type(initializer)
    assert restored.get_config() == initializer.get_config()


def test_untruncated_normal_variance_scaling_has_the_stated_variance():
    from neurona.initializers import VarianceScaling

    values = VarianceScaling(scale=1.0, mode="fan_in", distribution="untruncated_normal")((400, 300), rng=0)
    assert abs(values.std() - (1 / 400) ** 0.5) < 0.01 * (1 / 400) ** 0.5 * 10
    assert np.abs(values).max() > 2.5 * (1 / 400) ** 0.5
