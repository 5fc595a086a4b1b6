"""The execution policy: thread counts from a measurement cached per machine, applied per call."""

import json

import numpy as np
import pytest

from neurona import kernels
from neurona.kernels import policy
from neurona.layers import Dense
from neurona.models import Sequential


@pytest.fixture
def fresh_measurement(tmp_path, monkeypatch):
    """An empty neurona cache and no thresholds remembered by this process."""
    monkeypatch.setenv("NEURONA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(policy.REMEASURE_VARIABLE, raising=False)
    monkeypatch.setattr(policy, "_measured", None)
    monkeypatch.setattr(policy, "cores", lambda: 2)
    calls = {"blas": 0, "numba": 0}

    def blas():
        calls["blas"] += 1
        return 1_000_000

    def numba():
        calls["numba"] += 1
        return 100_000

    monkeypatch.setattr(policy, "measure_blas_crossover", blas)
    monkeypatch.setattr(policy, "measure_numba_crossover", numba)
    return calls


def test_crossover_is_the_smallest_size_from_which_all_cores_always_win():
    rows = [(1, 1.0, 1.2), (2, 1.0, 0.5), (4, 1.0, 0.95), (8, 1.0, 0.6), (16, 1.0, 0.5)]
    assert policy._crossover(rows) == 8          # 4 loses its margin, so 2 does not count
    assert policy._crossover([(1, 1.0, 1.0), (2, 1.0, 1.1)]) == policy.NEVER
    assert policy._crossover([(1, 1.0, 0.1)]) == 1


def test_thresholds_are_measured_once_and_cached_per_machine(fresh_measurement, tmp_path):
    pytest.importorskip("numba")
    first = policy.measured_thresholds("numba")
    assert first == policy.Thresholds(1_000_000, 100_000)
    stored = json.loads((tmp_path / policy.THREADS_FILE).read_text())
    assert stored == {policy.machine_key(): {"blas_min_multiply_adds": 1_000_000, "numba_min_elements": 100_000}}
    policy._measured = None  # a new process reads the file instead of measuring
    assert policy.measured_thresholds("numba") == first
    assert fresh_measurement == {"blas": 1, "numba": 1}


def test_a_changed_machine_or_the_variable_measures_again(fresh_measurement, tmp_path, monkeypatch):
    pytest.importorskip("numba")
    policy.measured_thresholds("numba")
    monkeypatch.setattr(policy, "machine_key", lambda: "another CPU | 2 cores | openblas")
    policy.measured_thresholds("numba")
    assert fresh_measurement == {"blas": 2, "numba": 2}
    assert len(json.loads((tmp_path / policy.THREADS_FILE).read_text())) == 2
    monkeypatch.setenv(policy.REMEASURE_VARIABLE, "1")
    policy.measured_thresholds("numba")
    assert fresh_measurement == {"blas": 3, "numba": 3}


def test_the_numpy_path_never_measures_compiled_loops(fresh_measurement):
    assert policy.measured_thresholds("numpy").numba_min_elements == policy.NEVER
    assert fresh_measurement["numba"] == 0


def test_a_corrupt_cache_file_is_measured_over(fresh_measurement, tmp_path):
    (tmp_path / policy.THREADS_FILE).write_text("{not json")
    assert policy.measured_thresholds("numpy").blas_min_multiply_adds == 1_000_000


def test_training_policy_follows_the_thresholds(monkeypatch):
    monkeypatch.setattr(policy, "measured_thresholds", lambda path="numba": policy.Thresholds(1_000_000, 50_000))
    monkeypatch.setattr(policy, "cores", lambda: 2)
    kernels.set_kernels("numpy")
    try:
        assert policy.training_policy(32 * 784 * 32, 10**6) == policy.ExecutionPolicy("numpy", 1, 1)
        assert policy.training_policy(32 * 784 * 128, 10**6) == policy.ExecutionPolicy("numpy", None, 1)
        policy.set_blas_threads(2)
        assert policy.training_policy(10, 10).blas_threads == 2
    finally:
        policy.set_blas_threads(None)
        kernels.set_kernels(None)
    pytest.importorskip("numba")
    kernels.set_kernels("numba")
    try:
        assert policy.training_policy(10, 49_999).numba_threads == 1
        assert policy.training_policy(10, 50_000).numba_threads == 2
        # Never both pools on all cores.
        assert policy.training_policy(10**7, 10**7) == policy.ExecutionPolicy("numba", None, 1)
    finally:
        kernels.set_kernels(None)


def test_a_policy_applies_inside_its_block_only():
    numba = pytest.importorskip("numba")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    kernels.set_kernels("numpy")
    try:
        before = numba.get_num_threads()
        with policy.ExecutionPolicy("numba", 1, 1).applied():
            assert kernels.active_path() == "numba"
            assert numba.get_num_threads() == 1
            assert all(pool["num_threads"] == 1 for pool in threadpoolctl.threadpool_info()
                       if pool["user_api"] == "blas")
        assert kernels.active_path() == "numpy"
        assert numba.get_num_threads() == before
    finally:
        kernels.set_kernels(None)


def test_the_variable_and_set_kernels_choose_the_path(monkeypatch):
    monkeypatch.setenv(kernels.KERNELS_VARIABLE, "numpy")
    assert kernels.resolve() == "numpy"
    monkeypatch.setenv(kernels.KERNELS_VARIABLE, "fortran")
    with pytest.raises(ValueError, match=r"NEURONA_KERNELS must be one of \('numba', 'numpy'\)\. Found NEURONA_KERNELS='fortran'"):
        kernels.resolve()
    monkeypatch.setenv(kernels.KERNELS_VARIABLE, "numpy")
    with pytest.raises(ValueError, match="Unknown kernel path: 'gpu'"):
        kernels.set_kernels("gpu")
    pytest.importorskip("numba")
    kernels.set_kernels("numba")  # set_kernels wins over the variable
    try:
        assert kernels.resolve() == "numba"
    finally:
        kernels.set_kernels(None)
    assert kernels.resolve() == "numpy"


def test_fit_reads_the_variable_when_it_starts(monkeypatch):
    seen = []
    original = policy.ExecutionPolicy.applied

    def spy(self):
        seen.append(self.kernels)
        return original(self)

    monkeypatch.setattr(policy.ExecutionPolicy, "applied", spy)
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.random.default_rng(0).random((8, 4)), np.arange(8) % 3
    monkeypatch.setenv(kernels.KERNELS_VARIABLE, "numpy")
    model.fit(x, y, epochs=1, verbose=0)
    model.predict(x)
    assert seen == ["numpy", "numpy"]


def test_cpu_model_names_the_processor():
    name = policy.cpu_model()
    assert isinstance(name, str) and name
    assert f"{policy.cores()} cores" in policy.machine_key()


def test_the_path_in_force_belongs_to_each_thread():
    import threading

    pytest.importorskip("numba")
    kernels.set_kernels("numpy")
    seen = {}
    try:
        with policy.ExecutionPolicy("numba", None, None).applied():
            worker = threading.Thread(target=lambda: seen.setdefault("other", kernels.active_path()))
            worker.start()
            worker.join()
            seen["here"] = kernels.active_path()
    finally:
        kernels.set_kernels(None)
    assert seen == {"here": "numba", "other": "numpy"}


def test_a_read_only_package_caches_kernels_under_neuronas_cache(tmp_path, monkeypatch):
    from neurona.kernels import _compile

    monkeypatch.delenv(_compile.NUMBA_CACHE_VARIABLE, raising=False)
    monkeypatch.setenv("NEURONA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_compile.os, "access", lambda path, mode: False)
    _compile._configure_cache_dir()
    assert _compile.os.environ[_compile.NUMBA_CACHE_VARIABLE] == str(tmp_path / "cache" / "numba")
    assert (tmp_path / "cache" / "numba").is_dir()
    # A folder the user chose is kept.
    monkeypatch.setenv(_compile.NUMBA_CACHE_VARIABLE, str(tmp_path / "mine"))
    _compile._configure_cache_dir()
    assert _compile.os.environ[_compile.NUMBA_CACHE_VARIABLE] == str(tmp_path / "mine")


def test_a_writable_package_keeps_numbas_default(tmp_path, monkeypatch):
    from neurona.kernels import _compile

    monkeypatch.delenv(_compile.NUMBA_CACHE_VARIABLE, raising=False)
    monkeypatch.setattr(_compile.os, "access", lambda path, mode: True)
    _compile._configure_cache_dir()
    assert _compile.NUMBA_CACHE_VARIABLE not in _compile.os.environ
