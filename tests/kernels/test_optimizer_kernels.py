"""The optimizer kernels: the NumPy references and the Numba kernels agree, each path repeats
itself bit for bit, and slot values that decay below the smallest normal are stored as 0."""

import numpy as np
import pytest

from neurona import kernels
from neurona.kernels import optimizers as K
from neurona.optimizers.base import FLUSH_EVERY

# Each case: the kernel, its slots in argument order (None: an option's unused slot), the
# scalars after the slots, and the slots that start at other values than 0.
CASES = {
    "sgd": (K.sgd, (None,), (0.05, 0.0, False), {}),
    "sgd_momentum": (K.sgd, ("velocity",), (0.05, 0.9, False), {}),
    "sgd_nesterov": (K.sgd, ("velocity",), (0.05, 0.9, True), {}),
    "adam": (K.adam, ("momentum", "velocity", None), (0.9, 0.999, 1e-3 * 0.1 / 0.999**0.5, 1e-7 / 0.001**0.5,
                                                      False), {}),
    "adam_amsgrad": (K.adam, ("momentum", "velocity", "velocity_hat"), (0.9, 0.99, 0.01, 1e-4, True), {}),
    "rmsprop": (K.rmsprop, ("velocity", None, None), (0.9, 0.1, 1e-6, 1e-3 / 0.1**0.5, 0.0, False), {}),
    "rmsprop_momentum": (K.rmsprop, ("velocity", None, "momentum"), (0.9, 0.1, 1e-6, 0.01, 0.9, False), {}),
    "rmsprop_centered": (K.rmsprop, ("velocity", "average_gradient", None), (0.8, 0.2, 1e-3, 0.01, 0.0, True), {}),
    "rmsprop_centered_momentum": (K.rmsprop, ("velocity", "average_gradient", "momentum"),
                                  (0.9, 0.1, 1e-6, 0.01, 0.5, True), {}),
    "adagrad": (K.adagrad, ("accumulator",), (0.01, 1e-7), {"accumulator": 0.1}),
    "adadelta": (K.adadelta, ("accumulated_grad", "accumulated_delta"), (0.95, 0.05, 1e-6, 1.0), {}),
    "adamax": (K.adamax, ("momentum", "norm"), (0.1, 0.999, 0.002, 1 - 0.9**3, 1e-7), {}),
    "nadam": (K.nadam, ("momentum", "velocity"), (0.1, 0.001, 0.8, 0.3, 1 - 0.999**3, 0.002, 1e-7), {}),
}
parametrize_cases = pytest.mark.parametrize("case", CASES, ids=CASES.keys())

# float32: the compiled loop fuses multiply-adds (FMA) and orders a few operations otherwise,
# so each value differs from NumPy's by a unit or two in the last place (6e-8 relative), and 20
# steps compound that: up to 5.5e-6 relative (RMSprop's momentum) for values above 1% of their
# array's largest. Near zero (a momentum that cancels to about 0) the difference is the rounding
# of the terms that cancelled, so atol is relative to the array's largest magnitude. The worst
# element measured uses 8% of |diff| <= atol * largest + rtol * |value|.
FLOAT32 = (1e-5, 1e-6)
# float64: the same argument at 1.1e-16 per rounding; the worst element uses 1.4% of it.
FLOAT64 = (1e-13, 1e-14)


def tolerance(dtype):
    return FLOAT64 if np.dtype(dtype) == np.float64 else FLOAT32


@pytest.fixture(autouse=True)
def one_numba_thread():
    """Run the kernels on one thread (results are the same bits on any count, tested below):
    while other processes keep the cores busy, each call on two threads waits ~8 ms for the
    second one to be scheduled, for loops a few microseconds long."""
    try:
        import numba
    except ImportError:
        yield
        return
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(threads)


@pytest.fixture
def numba_kernels():
    pytest.importorskip("numba")
    return "numba"


def start(case, dtype, size, seed=0):
    """{"param": ..., slot name: ...} for `case`: the arrays a run starts from."""
    _, slots, _, initial = CASES[case]
    rng = np.random.default_rng(seed)
    arrays = {"param": rng.standard_normal(size).astype(dtype)}
    for name in slots:
        if name is not None:
            arrays[name] = np.full(size, initial.get(name, 0.0), dtype=dtype)
    return arrays


def gradients(dtype, size, steps, seed=1):
    """Gradients of several scales, with exact zeros (the inactive units of a relu layer)."""
    rng = np.random.default_rng(seed)
    grads = rng.standard_normal((steps, size)) * 10.0 ** rng.integers(-4, 2, size=(steps, size))
    grads[rng.random((steps, size)) < 0.1] = 0.0
    return grads.astype(dtype)


def step(case, path, arrays, grad, flush):
    """One call of the case's kernel on `path` ('numpy' or 'numba'), in place on `arrays`."""
    kernel, slots, scalars, _ = CASES[case]
    param = arrays["param"]
    slot_arrays = [K.unused(param.dtype) if name is None else arrays[name] for name in slots]
    getattr(kernel, path)(param, grad, *slot_arrays, *scalars, K.flush_threshold(param.dtype), flush,
                          np.empty_like(param))


def run(case, path, arrays, grads, flush_every=FLUSH_EVERY):
    """Steps over `grads`; the NumPy reference flushes on the optimizers' schedule."""
    arrays = {name: value.copy() for name, value in arrays.items()}
    for t, grad in enumerate(grads):
        step(case, path, arrays, grad, flush=t % flush_every == flush_every - 1)
    return arrays


def assert_close(actual, expected, dtype):
    rtol, atol = tolerance(dtype)
    assert actual.keys() == expected.keys()
    for name in expected:
        scale = max(float(np.max(np.abs(expected[name]))), 1.0 if name == "param" else 0.0)
        np.testing.assert_allclose(actual[name], expected[name], rtol=rtol, atol=atol * scale, err_msg=name)


def assert_no_subnormal(arrays):
    for name, value in arrays.items():
        if name != "param":
            tiny = np.finfo(value.dtype).tiny
            subnormal = (value != 0) & (np.abs(value) < tiny)
            assert not subnormal.any(), (f"{name}: expected no subnormal value, found {subnormal.sum()}, "
                                         f"e.g. {value[subnormal][:3]}")


# Both paths agree, and repeat themselves ------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 7, 1027])  # 1027: vector loops with a scalar remainder
@parametrize_cases
def test_paths_agree(numba_kernels, case, size, dtype):
    arrays, grads = start(case, dtype, size), gradients(dtype, size, steps=20)
    reference = run(case, "numpy", arrays, grads)
    compiled = run(case, "numba", arrays, grads)
    assert np.any(compiled["param"] != arrays["param"])
    assert_close(compiled, reference, dtype)


@pytest.mark.parametrize("path", ["numpy", "numba"])
@parametrize_cases
def test_each_path_is_bit_identical_from_run_to_run(case, path):
    if path == "numba":
        pytest.importorskip("numba")
    arrays, grads = start(case, np.float32, 5000), gradients(np.float32, 5000, steps=20)
    first, second = run(case, path, arrays, grads), run(case, path, arrays, grads)
    for name in first:
        assert np.array_equal(first[name], second[name]), name


@parametrize_cases
def test_numba_results_do_not_depend_on_the_thread_count(numba_kernels, case):
    import numba

    arrays, grads = start(case, np.float32, 20_000), gradients(np.float32, 20_000, steps=5)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run(case, "numba", arrays, grads)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        every = run(case, "numba", arrays, grads)
    finally:
        numba.set_num_threads(threads)
    for name in one:
        assert np.array_equal(one[name], every[name]), name


# Subnormals are flushed; NaN is not ---------------------------------------------------------


def decaying_start(case, dtype, size, seed=0):
    """Slots just above the smallest normal, where their gradient is zero they decay below it
    within 4 * FLUSH_EVERY steps (the slowest decay here, 0.999, takes 49 steps from 1.05 tiny);
    Adagrad's accumulator, which never decays, starts at 0 and is fed subnormal squares."""
    tiny = np.finfo(dtype).tiny
    arrays = start(case, dtype, size, seed)
    rng = np.random.default_rng(seed)
    for name in arrays:
        if name != "param":
            arrays[name] = (tiny * rng.uniform(1.0, 1.05, size)).astype(dtype)
    if case == "adagrad":
        arrays["accumulator"][:] = 0
    return arrays


def decaying_gradients(case, dtype, size, steps, seed=1):
    """The first half of the elements: gradient 0 (Adagrad: one whose square is subnormal);
    the second half: ordinary gradients, whose slots must stay as they are."""
    grads = gradients(dtype, size, steps, seed)
    tiny = np.finfo(dtype).tiny
    grads[:, : size // 2] = np.sqrt(tiny) / 64 if case == "adagrad" else 0.0
    return grads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@parametrize_cases
def test_slots_decaying_below_tiny_are_stored_as_zero(numba_kernels, case, dtype):
    size, steps = 64, 4 * FLUSH_EVERY
    arrays, grads = decaying_start(case, dtype, size), decaying_gradients(case, dtype, size, steps)
    compiled = {name: value.copy() for name, value in arrays.items()}
    for grad in grads:
        step(case, "numba", compiled, grad, flush=False)  # the compiled kernels flush regardless
        assert_no_subnormal(compiled)
    reference = run(case, "numpy", arrays, grads)
    for result in (compiled, reference):
        for name, value in result.items():
            if name == "velocity_hat":  # a running maximum: it keeps the largest (normal) velocity
                assert np.all(value[: size // 2] >= np.finfo(dtype).tiny)
            elif name != "param":
                assert np.array_equal(value[: size // 2], np.zeros(size // 2, dtype)), name
                assert np.all(value[size // 2:] != 0), name
    assert_close(compiled, reference, dtype)


@parametrize_cases
def test_numpy_reference_flushes_only_when_asked(case):
    dtype = np.float32
    tiny = np.finfo(dtype).tiny
    arrays = decaying_start(case, dtype, 8)
    for name in arrays:
        if name != "param":
            arrays[name][:] = tiny / 4  # already subnormal: the case the flush must clear
    grads = decaying_gradients(case, dtype, 8, 1)
    grads[:] = 0
    kept = run(case, "numpy", arrays, grads, flush_every=2)  # one step, flush=False
    flushed = run(case, "numpy", arrays, grads, flush_every=1)  # one step, flush=True
    for name in arrays:
        if name != "param":
            assert np.all(kept[name] != 0), name
            assert np.array_equal(flushed[name], np.zeros(8, dtype)), name


def test_no_slot_of_a_long_run_is_ever_subnormal_on_the_numba_path(numba_kernels):
    """Adam over gradients that die out (a unit that stopped learning): without the flush its
    momentum would pass through the subnormal range within ~850 steps, its velocity later."""
    size = 256
    arrays = start("adam_amsgrad", np.float32, size)
    rng = np.random.default_rng(3)
    for t in range(1000):
        grad = (rng.standard_normal(size) * 0.5**t).astype(np.float32)
        step("adam_amsgrad", "numba", arrays, grad, flush=False)
        assert_no_subnormal(arrays)
    assert np.all(arrays["momentum"] == 0)


@pytest.mark.parametrize("path", ["numpy", "numba"])
@parametrize_cases
def test_nan_gradients_reach_the_parameter_and_are_never_flushed(case, path):
    if path == "numba":
        pytest.importorskip("numba")
    arrays = start(case, np.float32, 6)
    grad = gradients(np.float32, 6, 1)[0]
    grad[2] = np.nan
    result = run(case, path, arrays, grad[None], flush_every=1)  # NumPy: flush=True
    for name, value in result.items():
        assert np.isnan(value[2]), name
        assert np.all(np.isfinite(np.delete(value, 2))), name


# The optimizers' entry point ---------------------------------------------------------------


@pytest.fixture
def numba_path(numba_kernels):
    kernels.set_kernels("numba")
    yield
    kernels.set_kernels(None)


def test_apply_runs_the_compiled_kernel_on_flattened_views(numba_path, monkeypatch):
    param = np.ones((3, 4), np.float32)
    velocity = np.full((3, 4), 0.5, np.float32)
    calls = []
    monkeypatch.setattr(K.sgd, "reference", lambda *args: calls.append("numpy"))
    K.apply(K.sgd, param, np.ones((3, 4), np.float32), velocity, 0.1, 0.9, False, K.flush_threshold(np.float32),
            False, np.empty_like(param))
    assert calls == []
    np.testing.assert_allclose(velocity, 0.9 * 0.5 - 0.1, rtol=1e-6)
    np.testing.assert_allclose(param, 1 + 0.9 * 0.5 - 0.1, rtol=1e-6)


@pytest.mark.parametrize("layout", ["float16", "mixed dtypes", "transposed param", "strided grad"])
def test_apply_falls_back_to_the_numpy_reference(numba_path, monkeypatch, layout):
    param, grad = np.ones((4, 3), np.float32), np.ones((4, 3), np.float32)
    velocity = np.full((4, 3), 0.5, np.float32)
    if layout == "float16":
        param, grad, velocity = param.astype(np.float16), grad.astype(np.float16), velocity.astype(np.float16)
    elif layout == "mixed dtypes":
        grad = grad.astype(np.float64)
    elif layout == "transposed param":
        param, grad, velocity = np.ones((3, 4), np.float32).T, grad, np.full((3, 4), 0.5, np.float32).T
    else:
        grad = np.ones((4, 6), np.float32)[:, ::2]
    reference = K.sgd.reference
    calls = []
    monkeypatch.setattr(K.sgd, "reference", lambda *args: calls.append(args) or reference(*args))
    monkeypatch.setattr(K.sgd.compiled, "dispatcher", lambda: pytest.fail("the compiled kernel ran"))
    K.apply(K.sgd, param, grad, velocity, 0.1, 0.9, False, K.flush_threshold(param.dtype), True,
            np.empty_like(param))
    assert len(calls) == 1 and calls[0][0] is param
    tolerance = 1e-3 if param.dtype == np.float16 else 1e-6
    np.testing.assert_allclose(param, 1 + 0.9 * 0.5 - 0.1, rtol=tolerance)


def test_float16_slots_are_not_flushed():
    """float16's smallest normal (6.1e-5) is an ordinary Adam velocity: it is kept."""
    assert K.flush_threshold(np.float16) == 0.0
    assert K.flush_threshold(np.float32) == float(np.finfo(np.float32).tiny)
    arrays = start("adam", np.float16, 4)
    grad = np.full(4, 1e-3, np.float16)  # g^2 = 1e-6, below float16's smallest normal
    step("adam", "numpy", arrays, grad, flush=True)
    # 1e-6 is 16.8 units of float16's smallest subnormal (6e-8): stored as 17 of them.
    np.testing.assert_allclose(arrays["velocity"], 1e-6, rtol=2e-2)

