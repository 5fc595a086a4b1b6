import numpy as np
import pytest

from neurona import backend


def test_floatx_defaults_to_float32_and_rejects_unknown_types():
    assert backend.floatx() == "float32"
    backend.set_floatx("float64")
    assert backend.floatx() == "float64"
    with pytest.raises(ValueError, match=r"Unknown floatx type: 'float8'"):
        backend.set_floatx("float8")


def test_make_rng_follows_numpy_global_seed_unless_given_one():
    np.random.seed(3)
    first = backend.make_rng().random(3)
    np.random.seed(3)
    np.testing.assert_array_equal(backend.make_rng().random(3), first)
    np.testing.assert_array_equal(backend.make_rng(7).random(3), np.random.default_rng(7).random(3))
    generator = np.random.default_rng(1)
    assert backend.make_rng(generator) is generator


def test_blas_thread_policy_depends_only_on_the_product_size(monkeypatch):
    from neurona.kernels import policy

    monkeypatch.setattr(policy, "measured_thresholds", lambda path="numba": policy.Thresholds(1_000_000, 50_000))
    assert backend.blas_threads_for(32 * 784 * 32) == 1
    assert backend.blas_threads_for(32 * 784 * 128) is None
    assert backend.blas_threads_for(128 * 784 * 256) is None
    backend.set_blas_threads(2)
    try:
        assert backend.blas_threads_for(10) == 2
    finally:
        backend.set_blas_threads(None)
    with pytest.raises(ValueError, match="positive integer or None"):
        backend.set_blas_threads(0)


def test_blas_thread_limit_applies_inside_the_block():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with backend.blas_thread_limit(1):
        assert all(pool["num_threads"] == 1 for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas")
