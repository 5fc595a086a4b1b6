"""Trains each configuration in neurona, PyTorch and Keras one after another, and reports.

    python -m benchmarks.harness [--configs A,C] [--frameworks neurona,torch] [--repeats 3]
                                 [--threads 2] [--write BENCHMARKS.md]

Each (framework, configuration, repeat) runs in a fresh process with the same data, seed
(`--seed` plus the repeat's index, the same in every framework) and thread limit
(OMP/OpenBLAS/MKL variables, torch.set_num_threads, TensorFlow's intra/inter-op pools).
Reported: median training seconds, median test accuracy, the ratio to each peer, and neurona's
effective GFLOP/s against a float32 sgemm peak measured in this run with the same threads.
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.configs import CONFIGS

ROOT = Path(__file__).resolve().parents[1]
MARK_BEGIN, MARK_END = "<!-- benchmark results: begin -->", "<!-- benchmark results: end -->"


def sgemm_peak_gflops(threads, size=2048, repeats=5):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads, user_api="blas"):
        a = np.random.default_rng(0).random((size, size), dtype=np.float32)
        a @ a
        best = min(_time(lambda: a @ a) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def _time(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run_worker(framework, config, threads, seed, extra=()):
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads), "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    command = [sys.executable, "-m", "benchmarks.worker", framework, config, "--seed", str(seed),
               "--threads", str(threads), *extra]
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{framework} {config} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def available_frameworks(requested):
    modules = {"neurona": "neurona", "torch": "torch", "keras": "keras"}
    return [name for name in requested if importlib.util.find_spec(modules[name]) is not None]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--frameworks", default="neurona,torch,keras")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", metavar="MARKDOWN", help="replace the results section of this file")
    args = parser.parse_args(argv)

    configs = [name for name in args.configs.split(",") if name]
    frameworks = available_frameworks(args.frameworks.split(","))
    peak_before = sgemm_peak_gflops(args.threads)
    print(f"sgemm peak, {args.threads} thread(s): {peak_before:.0f} GFLOP/s", flush=True)

    seconds, accuracies = {}, {}
    for repeat in range(args.repeats):
        for config in configs:
            for framework in frameworks:
                if framework not in CONFIGS[config].frameworks:
                    continue
                result = run_worker(framework, config, args.threads, args.seed + repeat)
                seconds.setdefault((config, framework), []).append(result["seconds"])
                accuracies.setdefault((config, framework), []).append(result["test_accuracy"])
                print(f"[{repeat + 1}/{args.repeats}] {config:5s} {framework:8s} {result['seconds']:7.2f} s  "
                      f"accuracy {result['test_accuracy']:.4f}", flush=True)

    predictions = {}
    if "C" in CONFIGS:
        for framework in frameworks:
            predictions[framework] = run_worker(framework, "C", args.threads, args.seed, ["--predict"])
    memory = run_worker("neurona", "A", args.threads, args.seed, ["--memory"]) if "neurona" in frameworks else None
    peak = max(peak_before, sgemm_peak_gflops(args.threads))

    report = format_report(configs, frameworks, seconds, accuracies, predictions, memory, peak, args)
    print()
    print(report)
    if args.write:
        write_section(Path(args.write), report)


def format_report(configs, frameworks, seconds, accuracies, predictions, memory, peak, args):
    peers = [name for name in frameworks if name != "neurona"]
    header = ["config"] + [f"{name} s" for name in frameworks] + [f"{name} acc" for name in frameworks]
    header += [f"× vs {name}" for name in peers] + ["neurona GFLOP/s", "% of peak"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for config in configs:
        median = {name: statistics.median(seconds[(config, name)]) for name in frameworks if (config, name) in seconds}
        accuracy = {name: statistics.median(accuracies[(config, name)]) for name in median}
        row = [config] + [f"{median[name]:.2f}" if name in median else "—" for name in frameworks]
        row += [f"{accuracy[name]:.4f}" if name in accuracy else "—" for name in frameworks]
        row += [f"{median[name] / median['neurona']:.1f}" if name in median and "neurona" in median else "—"
                for name in peers]
        if "neurona" in median:
            gflops = CONFIGS[config].training_flops() / median["neurona"] / 1e9
            row += [f"{gflops:.0f}", f"{100 * gflops / peak:.0f}%"]
        else:
            row += ["—", "—"]
        lines.append("| " + " | ".join(row) + " |")

    parts = [
        f"Measured {datetime.date.today().isoformat()} with `python -m benchmarks.harness "
        f"--repeats {args.repeats} --threads {args.threads}` (`make bench`): medians of {args.repeats} runs, "
        f"each in a fresh process, run r with seed {args.seed} + r in every framework; training seconds "
        f"exclude imports and data loading.",
        "",
        f"Machine: {machine_description()}; float32 sgemm peak measured in the same run with "
        f"{args.threads} thread(s): **{peak:.0f} GFLOP/s**.",
        "",
        "Configurations: " + "; ".join(f"**{name}** {CONFIGS[name].description}" for name in configs) + ".",
        "",
        *lines,
    ]
    if predictions:
        parts += ["", "Prediction with the trained C model (784-256-10):", "",
                  "| framework | 10,000 images, s | one image p50, ms | one image p99, ms |",
                  "| --- | --- | --- | --- |"]
        for name, result in predictions.items():
            p50, p99 = result["predict_one_ms"]
            parts.append(f"| {name} | {result['predict_10k_s']:.4f} | {p50:.3f} | {p99:.3f} |")
    if memory:
        parts += ["", f"Memory `fit` allocates on MNIST (config A, one epoch, traced NumPy allocations above the "
                      f"caller's arrays): **{memory['fit_memory_mb']:.0f} MB**; one float32 copy of the training "
                      f"set is {memory['train_set_float32_mb']:.0f} MB, so the allowance is "
                      f"{memory['train_set_float32_mb'] + 150:.0f} MB."]
    return "\n".join(parts)


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    for module in ("torch", "tensorflow", "keras"):
        if importlib.util.find_spec(module) is not None:
            versions.append(f"{module} {_version_of(module)}")
    blas = _blas_description()
    return f"{cpu}, {os.cpu_count()} cores, {blas}; " + ", ".join(versions)


def _version_of(module):
    from importlib import metadata

    for distribution in (module, f"{module}-cpu", f"{module}_cpu"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "?"


def _blas_description():
    from threadpoolctl import threadpool_info

    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('architecture')})"
    return "unknown BLAS"


def write_section(path, report):
    text = path.read_text() if path.exists() else ""
    block = f"{MARK_BEGIN}\n{report}\n{MARK_END}"
    if MARK_BEGIN in text:
        text = re.sub(re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
