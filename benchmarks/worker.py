"""Runs one framework on one configuration in a process of its own; prints one JSON line.

    python -m benchmarks.worker FRAMEWORK CONFIG --seed N --threads N [--predict] [--memory]
"""

import argparse
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
    args = parser.parse_args()

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
    result = runner.train(config, arrays, args.seed)
    model = result.pop("model")
    if args.predict:
        result.update(runner.predict_timings(model, arrays[4]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
