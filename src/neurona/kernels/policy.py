"""The execution policy of one `fit` or `predict`: the kernel path and the thread counts.

Fixed when the call starts and applied for its duration, so nothing changes mid-run and the
same shapes on the same machine always get the same threads (and so the same rounding).

Thread counts come from measurement, not from a rule fitted to one CPU: the first time neurona
trains on a machine it times (in about a tenth of a second) a matrix product on one thread and
on all of them at a ladder of sizes, and an elementwise compiled loop likewise, and keeps the
smallest sizes at which more threads pay, in `threads.json` in neurona's cache, keyed by the
CPU model, the core count and the BLAS. On a 2-core AMD EPYC the product crossed over near
1M multiply-adds; on a 2-core Xeon with AVX-512 one BLAS thread was faster for every product
of config A. `NEURONA_REMEASURE_THREADS=1` measures again.

Numba's loops use more than one thread only while BLAS uses one: the two pools' idle threads
spin, and with both on all cores each waits for the other (see `training_policy`).

Convolution and pooling layers use all cores another way: when the policy in force leaves
BLAS all cores and a layer's work is above the products' crossover, the layer splits its batch
into one part per core (`batch_parts`), each run start to finish on a thread of its own with
BLAS and Numba on one thread (`run_parts`). Their compiled loops then run in parallel too,
with no second pool to wait for. From the first split to the end of the call BLAS stays on one
thread, for the other layers too: an idle BLAS thread spins, and beside two parts it takes a
core from one of them. The MNIST convnet's step (benchmark G, 2-core AMD EPYC, quiet) took
22.5-28.0 ms so, 32.7-42.3 ms with BLAS left on two threads between the splits, 27.2-38.6 ms
with the whole batch and BLAS on two threads, and 37.4-40.2 ms on one thread.
"""

import contextlib
import dataclasses
import functools
import json
import os
import threading
import time

import numpy as np

from neurona import kernels
from neurona.kernels._compile import compiled, numba_module, prange
from neurona.utils.machine import blas_description, cpu_description, cpu_info, usable_cores

THREADS_FILE = "threads.json"
REMEASURE_VARIABLE = "NEURONA_REMEASURE_THREADS"
NEVER = 2**62

_blas_override = None
_measured = None
_controller = None


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Smallest work at which all cores beat one: multiply-adds of the largest product, and
    elements of the largest elementwise pass (NEVER when one thread always won)."""

    blas_min_multiply_adds: int
    numba_min_elements: int


@dataclasses.dataclass(frozen=True)
class ExecutionPolicy:
    kernels: str               # 'numba' or 'numpy'
    blas_threads: int | None   # None leaves BLAS as it is (all cores)
    numba_threads: int | None  # None leaves Numba as it is (inference runs no parallel loop)

    def applied(self):
        """A context manager: this policy inside the block, the previous settings after."""
        return _Applied(self)


class _Applied:
    """A plain class rather than contextlib's generator: `predict` of one image applies a
    policy, and every microsecond shows in its latency."""

    def __init__(self, policy):
        self.policy = policy

    def __enter__(self):
        policy = self.policy
        self.previous = (_current.policy, _current.applied)
        _current.policy, _current.applied = policy, self
        self.one_blas = None
        self.previous_path = kernels.active_path()
        kernels._set_current(policy.kernels)
        self.numba = numba_module() if policy.kernels == "numba" and policy.numba_threads is not None else None
        if self.numba is not None:
            self.previous_numba = self.numba.get_num_threads()
            self.numba.set_num_threads(policy.numba_threads)
        self.blas = blas_limit(policy.blas_threads) if policy.blas_threads is not None else None
        if self.blas is not None:
            self.blas.__enter__()
        return policy

    def hold_blas_to_one_thread(self):
        """BLAS on one thread from now until the policy ends (a layer splits its batch)."""
        if self.one_blas is None and self.policy.blas_threads is None:
            self.one_blas = blas_limit(1)
            self.one_blas.__enter__()

    def __exit__(self, *exc_info):
        try:
            if self.one_blas is not None:
                self.one_blas.__exit__(*exc_info)
            if self.blas is not None:
                self.blas.__exit__(*exc_info)
        finally:
            kernels._set_current(self.previous_path)
            _current.policy, _current.applied = self.previous
            if self.numba is not None:
                self.numba.set_num_threads(self.previous_numba)
        return False


def set_blas_threads(threads):
    """Fix the BLAS thread count used while training (None: chosen by measurement)."""
    global _blas_override
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None. Received: threads={threads!r}")
    _blas_override = threads


def cores():
    """The cores this process may run on."""
    return usable_cores() or 1


def training_policy(largest_product, largest_elementwise):
    """The policy for a `fit` whose largest matrix product has `largest_product`
    multiply-adds and whose largest elementwise pass covers `largest_elementwise` values."""
    path = kernels.resolve()
    thresholds = measured_thresholds(path)
    if _blas_override is not None:
        blas = _blas_override
    else:
        blas = 1 if largest_product < thresholds.blas_min_multiply_adds else None
    numba_threads = 1
    # Never both pools on all cores: a pool's idle threads spin, and a step that alternates
    # OpenBLAS on 2 threads with Numba's OpenMP on 2 threads took 5.4-8 ms instead of 0.43 ms
    # (784-128-10 at batch 128, 2-core AMD EPYC): each pool waits for the other to yield.
    if path == "numba" and blas == 1 and largest_elementwise >= thresholds.numba_min_elements:
        # NUMBA_NUM_THREADS caps Numba's pool when the user set it.
        numba_threads = min(cores(), numba_module().config.NUMBA_NUM_THREADS)
    return ExecutionPolicy(path, blas, numba_threads)


def inference_policy():
    """The policy for `predict` and `evaluate`: the kernel path only. Threads stay as they
    are, since changing them costs more (about 1 ms) than predicting one image."""
    return ExecutionPolicy(kernels.resolve(), None, None)


def blas_threads_for(multiply_adds):
    """BLAS threads for a step whose largest product has `multiply_adds` (None: all cores)."""
    if _blas_override is not None:
        return _blas_override
    return 1 if multiply_adds < measured_thresholds(kernels.active_path()).blas_min_multiply_adds else None


# A batch in parts, one thread each ---------------------------------------------------------

class _Current(threading.local):
    policy = None    # the policy applied in this thread (None outside fit, predict, evaluate)
    applied = None   # and its _Applied
    in_part = False  # inside run_parts: no further splitting


_current = _Current()
_pool = None
_pool_lock = threading.Lock()


def batch_parts(work, batch):
    """Parts a layer splits a batch of `batch` samples into: one per core when the policy in
    force leaves BLAS all cores and the layer's `work` (its multiply-adds, or the values it
    visits) is at least the products' crossover; else 1 (and always 1 inside a part)."""
    policy = _current.policy
    if (policy is None or policy.blas_threads is not None or _blas_override is not None or _current.in_part
            or batch < 2 or _thread_controller() is None):
        return 1
    count = cores()
    if count == 1 or work < measured_thresholds(policy.kernels).blas_min_multiply_adds:
        return 1
    _current.applied.hold_blas_to_one_thread()
    return min(count, batch)


def run_parts(function, parts):
    """[function(0), ..., function(parts - 1)]: part 0 on this thread and the others on a pool
    of threads, on this thread's kernel path; `parts` from batch_parts, which holds BLAS to
    one thread."""
    if parts == 1:
        return [function(0)]
    pool = _part_pool()
    path = kernels.active_path()
    futures = [pool.submit(_run_part, function, part, path) for part in range(1, parts)]
    _current.in_part = True
    try:
        first = function(0)
    finally:
        _current.in_part = False
        # Every part ends before the caller goes on (its buffers are theirs until then).
        others = [future.exception() for future in futures]
    for error in others:
        if error is not None:
            raise error
    return [first] + [future.result() for future in futures]


def _run_part(function, part, path):
    kernels._set_current(path)
    if not getattr(_current, "numba_single", False) and path == "numba":
        numba_module().set_num_threads(1)
        _current.numba_single = True
    _current.in_part = True
    return function(part)


def _part_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max(1, cores() - 1), thread_name_prefix="neurona-part")
        return _pool


def _forget_pool():
    """A forked child has none of its parent's threads: it starts a pool of its own."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


# Measurement --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def machine_key():
    """CPU model and features, usable cores and BLAS: what a measured threshold is valid for.
    Read once per process (it opens /proc/cpuinfo and asks every loaded library)."""
    return f"{cpu_model()} | {blas_description()}"


def cpu_model():
    """The CPU in words, with its usable cores (`neurona.utils.machine.cpu_description`)."""
    return cpu_description(cpu_info())


def measured_thresholds(path="numba"):
    """Thresholds for this machine: remembered by this process, else read from the cache
    file, else measured now and written there. The compiled loops' crossover is measured only
    for the Numba path (it is NEVER until then)."""
    global _measured
    if cores() == 1:
        return Thresholds(NEVER, NEVER)
    key = machine_key()
    remeasure = os.environ.get(REMEASURE_VARIABLE, "") not in ("", "0")
    wants_numba = path == "numba" and numba_module() is not None
    known = _measured[1] if _measured is not None and _measured[0] == key and not remeasure else None
    if known is None or (wants_numba and known.numba_min_elements is None):
        known = _measure_missing(key, wants_numba, remeasure)
        _measured = (key, known)
    elements = known.numba_min_elements
    return Thresholds(known.blas_min_multiply_adds, NEVER if elements is None else elements)


def _measure_missing(key, wants_numba, remeasure):
    """The thresholds stored for `key` (none when `remeasure`), with the missing ones measured
    and stored; numba_min_elements stays None when not wanted and not stored."""
    entry = {} if remeasure else _read_cache().get(key, {})
    blas = entry.get("blas_min_multiply_adds")
    elements = entry.get("numba_min_elements")
    changed = False
    if blas is None:
        blas, changed = measure_blas_crossover(), True
    if elements is None and wants_numba:
        elements = measure_numba_crossover()
        changed = changed or elements is not None
    if changed:
        entry = {"blas_min_multiply_adds": int(blas)}
        if elements is not None:
            entry["numba_min_elements"] = int(elements)
        _write_cache({**_read_cache(), key: entry})
    return Thresholds(int(blas), None if elements is None else int(elements))


# (batch, inputs, units) of the products timed: 0.4M to 25M multiply-adds, the tutorials' sizes.
_BLAS_LADDER = ((32, 784, 16), (32, 784, 32), (32, 784, 64), (32, 784, 128), (64, 784, 128),
                (128, 784, 128), (128, 784, 256))
_ELEMENT_LADDER = (2_048, 8_192, 32_768, 131_072, 524_288)
# All cores must win by this margin, here and at every larger size, to be chosen.
_MARGIN = 0.9


def measure_blas_crossover():
    """Smallest multiply-adds at which a step's two products run faster on all cores than on
    one, at this and every larger size of the ladder."""
    if _thread_controller() is None:
        return NEVER
    return _crossover(product_timings(_BLAS_LADDER))


def product_timings(shapes, threads=None):
    """For each (batch, inputs, units): (multiply-adds, seconds on 1 thread, seconds on
    `threads` (all cores)) of one step's two products, x @ W and x.T @ dY, best of repeats."""
    controller = _thread_controller()
    threads = threads or cores()
    rng = np.random.default_rng(0)
    results = []
    for batch, inputs, units in shapes:
        x = rng.random((batch, inputs), dtype=np.float32)
        w = rng.random((inputs, units), dtype=np.float32)
        dy = rng.random((batch, units), dtype=np.float32)
        out, dw = np.empty((batch, units), np.float32), np.empty((inputs, units), np.float32)

        def step():
            np.matmul(x, w, out=out)
            np.matmul(x.T, dy, out=dw)

        timings = []
        for count in (1, threads):
            with controller.limit(limits=count, user_api="blas"):
                timings.append(_best_time(step))
        results.append((batch * inputs * units, timings[0], timings[1]))
    return results


@compiled(parallel=True)
def _scale_add(target, source, factor):
    for i in prange(target.size):
        target[i] = target[i] * factor + source[i]


def measure_numba_crossover():
    """Smallest size at which an elementwise compiled loop runs faster on all cores; None
    when NUMBA_NUM_THREADS holds Numba to one thread (nothing to measure, nothing stored)."""
    numba = numba_module()
    most = min(cores(), numba.config.NUMBA_NUM_THREADS)
    if most == 1:
        return None
    function = _scale_add.dispatcher()
    previous = numba.get_num_threads()
    rng = np.random.default_rng(0)
    results = []
    try:
        for size in _ELEMENT_LADDER:
            target, source = rng.random(size, dtype=np.float32), rng.random(size, dtype=np.float32)
            timings = []
            for threads in (1, most):
                numba.set_num_threads(threads)
                timings.append(_best_time(lambda: function(target, source, np.float32(0.5))))
            results.append((size, timings[0], timings[1]))
    finally:
        numba.set_num_threads(previous)
    return _crossover(results)


def _crossover(results):
    """From (size, one-thread seconds, all-cores seconds) rows in increasing size: the
    smallest size from which all cores always win by the margin (NEVER if they never do)."""
    threshold = NEVER
    for size, single, multi in reversed(results):
        if multi < _MARGIN * single:
            threshold = size
        else:
            break
    return threshold


def _best_time(function, budget=0.01, least=5):
    """Best of repeated timings: at least `least` runs and about `budget` seconds."""
    function()
    best, spent, runs = float("inf"), 0.0, 0
    while runs < least or spent < budget:
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
        best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
        if runs >= 200:
            break
    return best


def _cache_path():
    from neurona.utils.cache import cache_dir

    return cache_dir() / THREADS_FILE


def _read_cache():
    try:
        with open(_cache_path(), encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(data):
    from neurona.utils.atomic import write_text_atomic

    path = _cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    except OSError:
        pass  # a read-only cache: measure again next time


def _thread_controller():
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return None
        _controller = ThreadpoolController()
    return _controller


@contextlib.contextmanager
def blas_limit(threads):
    controller = _thread_controller() if threads is not None else None
    if controller is None:
        yield
        return
    with controller.limit(limits=threads, user_api="blas"):
        yield
