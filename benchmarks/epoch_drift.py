"""Whether epochs slow down as training goes on: seconds of each epoch, and subnormal values in
the optimizer's slots after training.

    python -m benchmarks.epoch_drift [--kernels numpy|numba] [--threads 1] [--epochs 4]
                                     [--repeats 1] [--json]

Trains 784-128-10 (relu, softmax) with Adam (learning rate 0.001) at batch 32 on random float32
inputs, uniform in [0, 1), and random labels from 10 classes (20,000 samples by default).
Adam's slots decay by beta_1 = 0.9 and beta_2 = 0.999 a step. Where a gradient is zero step
after step (the weights of a ReLU unit that no longer fires) they sink below float32's smallest
normal number, and on many x86 CPUs arithmetic with such subnormal values takes a slow path.
A 4th-to-1st epoch ratio that grows, with subnormal slot values counted, points at that.

Prints each epoch's seconds, the ratio of the last epoch to the first and the count of
subnormal slot values; with --json, one JSON line instead (read by `benchmarks.harness`).
"""

import argparse
import json
import os
import statistics
import time

import numpy as np

KERNEL_PATHS = ("numpy", "numba")


def drift_ratio(epoch_seconds):
    """Seconds of the last epoch divided by seconds of the first."""
    seconds = [float(value) for value in epoch_seconds]
    if len(seconds) < 2:
        raise ValueError(f"The drift ratio needs at least 2 epoch times; found {len(seconds)}: {seconds}.")
    if not seconds[0] > 0:
        raise ValueError(f"The first epoch's time must be positive; found {seconds[0]!r} s.")
    return seconds[-1] / seconds[0]


def is_subnormal(values):
    """Boolean mask of the subnormal entries of a floating-point array: 0 < |v| < the smallest
    normal number of the array's own dtype (np.finfo(np.float32).tiny for float32)."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        raise TypeError(f"Subnormal values exist only in floating-point arrays; found dtype {values.dtype}.")
    magnitude = np.abs(values)
    return (magnitude > 0) & (magnitude < np.finfo(values.dtype).tiny)


def count_subnormals(slots):
    """Subnormal values in an optimizer's slots, as `Optimizer.get_state()["slots"]` gives them
    (one {slot name: array} per parameter). Returns (total, {slot name: count}, values seen)."""
    by_name, seen = {}, 0
    for parameter_slots in slots:
        for name, value in parameter_slots.items():
            value = np.asarray(value)
            by_name[name] = by_name.get(name, 0) + int(np.count_nonzero(is_subnormal(value)))
            seen += value.size
    return sum(by_name.values()), by_name, seen


def random_data(samples, seed=0):
    """(x, y): float32 inputs uniform in [0, 1), shape (samples, 784); int64 labels in 0..9."""
    rng = np.random.default_rng(seed)
    return rng.random((samples, 784), dtype=np.float32), rng.integers(0, 10, samples)


def measure(kernels=None, threads=1, samples=20000, epochs=4, batch_size=32, seed=0, repeats=1):
    """Train `repeats` times (a fresh model each, same seed and data) and return
    {'epoch_seconds': per-epoch medians over the repeats, 'ratio': the last of those medians
    over the first, 'ratios': each repeat's own, 'runs': every repeat's epoch seconds, 'subnormals',
    'subnormals_by_slot', 'slot_values' (the last repeat's optimizer), 'kernels'}.

    One short fit runs first, so that loading or compiling kernels falls in no timed epoch.
    `kernels` sets NEURONA_KERNELS (None: the engine's default) and `threads` NUMBA_NUM_THREADS:
    both must be in place before neurona resolves its path, so call this in a fresh process."""
    if kernels is not None:
        if kernels not in KERNEL_PATHS:
            raise ValueError(f"kernels must be one of {KERNEL_PATHS} or None; found {kernels!r}.")
        os.environ["NEURONA_KERNELS"] = kernels
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1; found {repeats}.")
    os.environ["NUMBA_NUM_THREADS"] = str(threads)

    import neurona
    from threadpoolctl import threadpool_limits

    class EpochTimer(neurona.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    def build():
        neurona.utils.set_random_seed(seed)
        model = neurona.models.Sequential([
            neurona.layers.Dense(128, activation="relu", input_dim=784),
            neurona.layers.Dense(10, activation="softmax"),
        ])
        model.compile(neurona.optimizers.Adam(learning_rate=0.001), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    x, y = random_data(samples, seed)
    runs = []
    with threadpool_limits(threads, user_api="blas"):
        build().fit(x[: 8 * batch_size], y[: 8 * batch_size], epochs=1, batch_size=batch_size, verbose=0)
        for _ in range(repeats):
            model, timer = build(), EpochTimer()
            model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer])
            runs.append(timer.seconds)
    total, by_name, seen = count_subnormals(model.optimizer.get_state()["slots"])
    medians = [statistics.median(epoch) for epoch in zip(*runs)]
    return {"epoch_seconds": medians, "ratio": drift_ratio(medians), "ratios": [drift_ratio(run) for run in runs],
            "runs": runs, "subnormals": total, "subnormals_by_slot": by_name, "slot_values": seen,
            "kernels": kernel_path()}


def kernel_path():
    """The kernel path neurona runs now ('numba' or 'numpy'); 'numpy' for an engine without
    the kernels package (an older commit on PYTHONPATH)."""
    try:
        from neurona import kernels
    except ImportError:
        return "numpy"
    return kernels.resolve()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernels", choices=KERNEL_PATHS, help="kernel path (default: the engine's own choice)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and Numba threads (1)")
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="trainings; the figures are their medians (1)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the text")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error(f"--epochs must be at least 2 to compare the last epoch with the first; found {args.epochs}.")

    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; found {args.repeats}.")

    result = measure(args.kernels, args.threads, args.samples, args.epochs, seed=args.seed, repeats=args.repeats)
    if args.json:
        print(json.dumps(result))
        return
    from benchmarks.harness import machine_facts

    print(machine_facts(f"at most {args.threads} for BLAS and Numba"))
    print(f"784-128-10, Adam 0.001, batch 32, {args.samples:,} random samples, {result['kernels']} kernels, "
          f"{args.threads} thread(s)" + (f", medians of {args.repeats} trainings" if args.repeats > 1 else ""))
    for index, seconds in enumerate(result["epoch_seconds"], 1):
        print(f"  epoch {index}: {seconds:.3f} s")
    by_slot = ", ".join(f"{name} {count}" for name, count in result["subnormals_by_slot"].items())
    ratios = "" if args.repeats == 1 else " (" + ", ".join(f"{ratio:.3f}" for ratio in result["ratios"]) + ")"
    print(f"  epoch {args.epochs} / epoch 1: {result['ratio']:.3f}{ratios}")
    print(f"  subnormal values in the optimizer's slots: {result['subnormals']} of {result['slot_values']:,} "
          f"({by_slot})")


if __name__ == "__main__":
    main()
