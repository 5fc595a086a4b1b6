"""Runs one framework on one configuration in a process of its own; prints one JSON line.

    python -m benchmarks.worker FRAMEWORK CONFIG --seed N --threads N
                                [--predict | --memory | --first-step | --warmup] [--train-samples N]

--first-step (neurona only) times `fit` up to its first training step instead of training;
--warmup trains one epoch on a few batches, so that compiled kernels land in the kernel cache;
--train-samples trains one epoch on the first N training samples (the tests' quick check).
"""

import argparse
import dataclasses
import importlib
import json

from benchmarks.configs import CONFIGS, load_arrays


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("framework", choices=["neurona", "torch", "keras"])
    parser.add_argument("config", choices=sorted(CONFIGS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--predict", action="store_true", help="also time predict on 10,000 and 1 image")
    parser.add_argument("--memory", action="store_true", help="only measure what one epoch of fit allocates")
    parser.add_argument("--first-step", action="store_true", help="only time fit up to its first step (neurona)")
    parser.add_argument("--warmup", action="store_true", help="one epoch on a few batches, to fill kernel caches")
    parser.add_argument("--train-samples", type=int, help="one epoch on the first N training samples")
    args = parser.parse_args()
    modes = [name for name in ("predict", "memory", "first_step", "warmup") if getattr(args, name)]
    if len(modes) > 1:
        parser.error(f"choose at most one of --predict, --memory, --first-step, --warmup; found {modes}.")
    if args.first_step and args.framework != "neurona":
        parser.error(f"--first-step measures neurona only; found framework {args.framework!r}.")

    config = CONFIGS[args.config]
    if args.framework == "torch":
        import torch

        torch.set_num_threads(args.threads)
    if args.framework == "keras":
        from benchmarks.runners.keras_runner import set_threads

        set_threads(args.threads)
    runner = importlib.import_module(f"benchmarks.runners.{args.framework}_runner")
    arrays = load_arrays(config)
    if args.memory:
        print(json.dumps({"fit_memory_mb": runner.fit_memory_mb(config, arrays, args.seed),
                          "train_set_float32_mb": arrays[0].size * 4 / 1e6}))
        return
    if args.first_step:
        print(json.dumps(runner.first_step_timings(config, arrays, args.seed)))
        return
    if args.warmup:
        config, arrays = warmup_slice(config, arrays)
    elif args.train_samples:
        config, arrays = training_slice(config, arrays, args.train_samples)
    result = runner.train(config, arrays, args.seed)
    model = result.pop("model")
    if args.predict:
        result.update(runner.predict_timings(model, arrays[4]))
    print(json.dumps(result))


def training_slice(config, arrays, samples):
    """The configuration for one epoch on the first `samples` training samples, and its
    arrays with the training set cut to them (validation and test sets whole)."""
    x_train, y_train = arrays[:2]
    samples = min(samples, len(x_train))
    return (dataclasses.replace(config, epochs=1, train_samples=samples),
            (x_train[:samples], y_train[:samples]) + tuple(arrays[2:]))


def warmup_slice(config, arrays, batches=4, samples=256):
    """The configuration for one epoch, and its arrays cut to `batches` batches (the whole
    set for full-batch configurations) and `samples` validation and test samples: the same
    dtypes, layouts and code paths as the full run, in a fraction of its time."""
    x_train, y_train, x_val, y_val, x_test, y_test = arrays
    n = batches * config.batch_size if config.batch_size else len(x_train)
    return (dataclasses.replace(config, epochs=1, train_samples=min(n, len(x_train))),
            (x_train[:n], y_train[:n], x_val[:samples], y_val[:samples], x_test[:samples], y_test[:samples]))


if __name__ == "__main__":
    main()
