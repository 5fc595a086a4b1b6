"""Time one training step of a 784-UNITS-10 MLP, with BLAS held to THREADS threads (1).

    python -m benchmarks.step_profile --batch 32 --optimizer adam --units 128 [--threads 2]
                                      [--kernels numpy|numba]

`fit` may use fewer threads than allowed: it keeps products below the crossover that
`neurona.kernels.policy` measured on this machine on one.

Uses whichever neurona is importable, so an older commit can be measured the same way:
`git worktree add /tmp/old COMMIT` then `PYTHONPATH=/tmp/old/src python -m benchmarks.step_profile`.
"""

import argparse
import os
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--kernels", choices=("numpy", "numba"),
                        help="kernel path, as NEURONA_KERNELS (default: the engine's own choice)")
    args = parser.parse_args(argv)
    if args.kernels:
        os.environ["NEURONA_KERNELS"] = args.kernels

    import neurona
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples)
    times = []
    with threadpool_limits(args.threads, user_api="blas"):
        for _ in range(args.repeats):
            neurona.utils.set_random_seed(0)
            model = neurona.models.Sequential([
                neurona.layers.Dense(args.units, activation="relu", input_dim=784),
                neurona.layers.Dense(10, activation="softmax"),
            ])
            model.compile(args.optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
            start = time.perf_counter()
            model.fit(x, y, epochs=1, batch_size=args.batch, verbose=0)
            times.append(time.perf_counter() - start)
    steps = -(-args.samples // args.batch)
    try:
        from benchmarks.harness import machine_facts

        print(machine_facts(f"BLAS at most {args.threads}, Numba as `fit` chooses"))
    except ImportError:  # an older neurona without neurona.utils.machine
        pass
    print(f"784-{args.units}-10, {args.optimizer}, batch {args.batch}: {min(times) / steps * 1e6:.0f} us/step "
          f"(best of {args.repeats} epochs, BLAS threads <= {args.threads}, {_kernel_path()} kernels)")


def _kernel_path():
    try:
        from neurona import kernels
    except ImportError:  # an engine older than the kernels package
        return "numpy"
    return kernels.resolve()


if __name__ == "__main__":
    main()
