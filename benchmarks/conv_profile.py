"""Where a training step of configuration G (the Keras MNIST convnet) spends its time.

    python -m benchmarks.conv_profile [--kernels numba|numpy] [--threads 1] [--steps 40]
                                      [--batch 128] [--cpu-time] [--json]

Trains G's model on MNIST inside `fit`, under the execution policy `fit` chooses, with every
kernel call and matrix product of the layers timed where the layer makes it: im2col, the
products, col2im, the epilogues (bias and activation, forward and back), pooling, dropout,
the loss and the optimizer, each layer's forward and backward as a whole, and the step.
Prints, per part, the median over the steps after the first five, in milliseconds, and the
policy's thread counts. The timing wrappers cost a few microseconds a call (about 30 calls a
step), so the step comes out a little slower than in an untimed `fit`. Where a layer splits
its batch over threads (`kernels.policy.batch_parts`), its kernels' and products' times are
summed over the threads, and the layer's own line is the wall time.

Uses whichever neurona is importable, so an older tree can be profiled the same way
(`PYTHONPATH=/tmp/old/src python -m benchmarks.conv_profile`); parts a tree lacks are left out.
"""

import argparse
import json
import os
import statistics
import threading
import time
from collections import defaultdict

import numpy as np

from benchmarks.configs import CONFIGS, load_arrays

# Kernel modules whose functions the layers call through the module (`conv_kernels.im2col`).
KERNEL_MODULES = ("conv", "pooling", "dense", "dropout", "normalization", "losses")


class Clock:
    """Seconds spent per label in the current step, and the labels' order of appearance."""

    def __init__(self, now=time.perf_counter):
        self.now = now
        self.step = defaultdict(float)
        self.steps = []
        self.order = []
        self.where = []  # (layer, 'forward' or 'backward') being run, seen by its parts' threads too
        self.lock = threading.Lock()

    def add(self, label, seconds):
        with self.lock:
            if label not in self.order:
                self.order.append(label)
            self.step[label] += seconds

    def timed(self, function, name):
        clock = self

        def wrapper(*args, **kwargs):
            start = clock.now()
            try:
                return function(*args, **kwargs)
            finally:
                clock.add(clock.label(name, kwargs), clock.now() - start)

        return wrapper

    def label(self, name, kwargs):
        if not self.where:
            return name
        layer, phase = self.where[-1]
        if name == "matmul":
            name = product_name(layer, phase, kwargs.get("out"))
        return f"{layer.name} {phase}: {name}"


def product_name(layer, phase, out):
    """'forward product', 'kernel gradient product' or 'input gradient product': where a
    matmul is called, and whether its output has the size of the layer's kernel."""
    if phase == "forward":
        return "forward product"
    kernel = layer.params.get("kernel")
    return "kernel gradient product" if kernel is not None and out is not None and out.size == kernel.size \
        else "input gradient product"


class _NumpyWithTimedMatmul:
    """numpy for a layer module, with matmul timed."""

    def __init__(self, clock):
        self._matmul = clock.timed(np.matmul, "matmul")

    def __getattr__(self, name):
        return self._matmul if name == "matmul" else getattr(np, name)


def instrument(model, clock):
    """Wrap the kernels the layers call, their numpy's matmul, each layer's forward and
    backward, the loss's fused step and the optimizer's update, all reporting to `clock`."""
    import importlib

    for module_name in KERNEL_MODULES:
        try:
            module = importlib.import_module(f"neurona.kernels.{module_name}")
        except ImportError:
            continue
        from neurona.kernels import Kernel

        for name, value in list(vars(module).items()):
            if isinstance(value, Kernel):
                setattr(module, name, clock.timed(value, name))
    for module_name in ("conv", "dense", "pooling", "dropout", "normalization"):
        try:
            module = importlib.import_module(f"neurona.layers.{module_name}")
        except ImportError:
            continue
        if getattr(module, "np", None) is np:
            module.np = _NumpyWithTimedMatmul(clock)
    for layer in model.layers:
        for phase in ("forward", "backward"):
            method = getattr(layer, phase)

            def run(*args, _method=method, _phase=phase, _layer=layer, **kwargs):
                clock.where.append((_layer, _phase))
                start = clock.now()
                try:
                    return _method(*args, **kwargs)
                finally:
                    clock.where.pop()
                    clock.add(f"{_layer.name} {_phase}", clock.now() - start)

            setattr(layer, phase, run)
    loss = model.loss
    if hasattr(loss, "fused_step"):
        loss.fused_step = clock.timed(loss.fused_step, "loss, gradient and accuracy")
    optimizer = model.optimizer
    optimizer.apply_gradients = clock.timed(optimizer.apply_gradients, f"optimizer ({type(optimizer).__name__})")


def profile(steps, batch, seed=0, now=time.perf_counter):
    """{label: [seconds of each step]} and the policy, from `steps` steps of G's training."""
    from neurona.callbacks import Callback
    from neurona.kernels import policy as execution

    from benchmarks.runners import neurona_runner

    config = CONFIGS["G"]
    x_train, y_train = load_arrays(config)[:2]
    n = min(len(x_train), steps * batch)
    x, y = x_train[:n], neurona_runner.targets(config, y_train[:n])
    model = neurona_runner.build(config, seed)
    model.fit(x[:2 * batch], y[:2 * batch], batch_size=batch, epochs=1, verbose=0)  # compiles or loads kernels
    clock = Clock(now)
    instrument(model, clock)

    class Steps(Callback):
        def on_train_batch_begin(self, batch_index, logs=None):
            clock.step = defaultdict(float)
            self.start = clock.now()

        def on_train_batch_end(self, batch_index, logs=None):
            clock.step["step"] = clock.now() - self.start
            clock.steps.append(dict(clock.step))

    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, callbacks=[Steps()])
    policy = execution.training_policy(model._largest_product(batch), model.count_params())
    timings = defaultdict(list)
    for step in clock.steps[5:]:
        for label in clock.order + ["step"]:
            timings[label].append(step.get(label, 0.0))
    return dict(timings), policy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernels", choices=("numpy", "numba"), help="kernel path (default: the engine's choice)")
    parser.add_argument("--threads", type=int, choices=(1,), help="1: everything on one thread (default: as fit chooses)")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--cpu-time", action="store_true",
                        help="this thread's CPU time instead of the wall clock (for one thread on a busy machine)")
    parser.add_argument("--json", action="store_true", help="one JSON line: {part: median ms}")
    args = parser.parse_args(argv)
    if args.kernels:
        os.environ["NEURONA_KERNELS"] = args.kernels
    if args.threads == 1:
        # BLAS fixed to one thread (so no layer splits its batch) and Numba's pool to one.
        os.environ["NUMBA_NUM_THREADS"] = "1"
        from threadpoolctl import threadpool_limits

        from neurona.kernels import policy

        threadpool_limits(1)
        policy.set_blas_threads(1)
    timings, policy = profile(args.steps, args.batch, now=time.thread_time if args.cpu_time else time.perf_counter)
    medians = {label: 1e3 * statistics.median(values) for label, values in timings.items()}
    if args.json:
        print(json.dumps({"policy": [policy.kernels, policy.blas_threads, policy.numba_threads], "ms": medians}))
        return
    from benchmarks.harness import machine_facts

    print(machine_facts(f"BLAS {policy.blas_threads or 'all cores'}, Numba {policy.numba_threads}"))
    print(f"G, batch {args.batch}, {policy.kernels} kernels, BLAS threads {policy.blas_threads or 'all'}, "
          f"Numba threads {policy.numba_threads}; medians of {len(timings['step'])} steps, ms"
          + (" of this thread's CPU time" if args.cpu_time else ""))
    for label, value in medians.items():
        indent = "    " if ":" in label else ""
        print(f"{indent}{label:<58s} {value:8.2f}")


if __name__ == "__main__":
    main()
