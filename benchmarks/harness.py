"""Trains each configuration in neurona, PyTorch and Keras one after another, and reports.

    python -m benchmarks.harness [--configs A,C] [--frameworks neurona,neurona-numpy,torch,keras]
                                 [--repeats 3] [--threads 2] [--write BENCHMARKS.md]

    python -m benchmarks.harness --short     # the same as --configs A,G100 --repeats 1
                                             # --frameworks neurona,neurona-numpy

Each (framework, configuration, repeat) runs in a fresh process with the same data, seed
(`--seed` plus the repeat's index, the same in every framework) and thread limit
(OMP/OpenBLAS/MKL/Numba variables, torch.set_num_threads, TensorFlow's intra/inter-op pools).
`neurona` runs the Numba kernels (NEURONA_KERNELS=numba), `neurona-numpy` the NumPy reference
path (NEURONA_KERNELS=numpy), both through the same runner.

Before the timed runs, neurona's start-up is measured: seconds from calling `fit` to its first
training step, once with an empty Numba kernel cache (NUMBA_CACHE_DIR a new folder) and once
warm (the same folder, a new process). Then a kernel cache for this run is filled by a short
fit of every configuration, so that the timed runs load kernels and never compile them.

Reported: median training seconds, median test accuracy, the ratio to each peer, neurona's
effective GFLOP/s against a float32 sgemm peak measured in this run with the same threads, the
start-up times, and the epoch drift of `benchmarks.epoch_drift` on both kernel paths. The
models of C and G are also timed predicting, in the first repeat's process after its training
(so the training seconds exclude it).
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
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.configs import CONFIGS, FULL_RUN
from neurona.utils.machine import blas_description, cpu_description, cpu_info, parse_cpuinfo  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
MARK_BEGIN, MARK_END = "<!-- benchmark results: begin -->", "<!-- benchmark results: end -->"

# Harness name: (runner module in benchmarks.runners, environment its worker gets).
FRAMEWORKS = {
    "neurona": ("neurona", {"NEURONA_KERNELS": "numba"}),
    "neurona-numpy": ("neurona", {"NEURONA_KERNELS": "numpy"}),
    "torch": ("torch", {}),
    "keras": ("keras", {}),
}
# Modules a framework needs; one that is missing leaves the framework out of the run.
REQUIRED_MODULES = {"neurona": ("neurona", "numba"), "neurona-numpy": ("neurona",), "torch": ("torch",),
                    "keras": ("keras", "tensorflow")}
NEURONA_PATHS = {"neurona": "numba", "neurona-numpy": "numpy"}  # framework: kernel path it must run
SHORT_RUN = {"configs": "A,G100", "repeats": 1, "frameworks": "neurona,neurona-numpy"}
# Configurations whose trained models are timed predicting, and what the report calls them.
PREDICTION_MODELS = {"C": "the trained C model (784-256-10)", "G": "the trained G model (the MNIST convnet)"}
STARTUP_TARGETS_S = {"cold": 5.0, "warm": 0.5}
DRIFT_TARGET = 1.25   # the last epoch at most 25% slower than the first
ACCURACY_GAP_WARNING = 0.005  # between the two kernel paths, same seed
DRIFT_REPEATS = 3  # the fewest trainings the epoch-drift figures are medians of


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


def worker_environment(threads, extra=None):
    """The environment of a worker process: this one's, with every thread pool held to
    `threads`, quiet TensorFlow, Keras on TensorFlow, and `extra` on top."""
    counts = {name: str(threads) for name in
              ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")}
    return {**os.environ, **counts, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow", **(extra or {})}


def run_worker(framework, config, threads, seed, extra=(), env=None):
    """Run `benchmarks.worker` for a harness framework name; returns its JSON result.

    `env` adds variables to the worker's environment (NUMBA_CACHE_DIR, say). For the neurona
    frameworks the kernel path the worker reports is checked against the one asked for."""
    runner, framework_env = FRAMEWORKS[framework]
    command = [sys.executable, "-m", "benchmarks.worker", runner, config, "--seed", str(seed),
               "--threads", str(threads), *extra]
    result = _run_json(command, worker_environment(threads, {**framework_env, **(env or {})}),
                       f"{framework} {config} {' '.join(extra)}".strip())
    expected = NEURONA_PATHS.get(framework)
    if expected is not None and result.get("kernels", expected) != expected:
        raise RuntimeError(f"{framework} {config} should run the {expected} kernels; the worker ran "
                           f"{result['kernels']!r}.")
    return result


def _run_json(command, env, label):
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{label} failed (exit status {completed.returncode}):\n{completed.stderr[-3000:]}")
    lines = completed.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{label} printed nothing; expected one JSON line. stderr:\n{completed.stderr[-3000:]}")
    return json.loads(lines[-1])


def available_frameworks(requested):
    """The requested frameworks whose modules import here, in the order asked; unknown names
    raise, missing modules are reported on stderr and left out."""
    unknown = [name for name in requested if name not in FRAMEWORKS]
    if unknown:
        raise ValueError(f"Unknown framework(s) {', '.join(map(repr, unknown))}. "
                         f"Expected some of: {', '.join(FRAMEWORKS)}.")
    available = []
    for name in requested:
        missing = [module for module in REQUIRED_MODULES[name] if importlib.util.find_spec(module) is None]
        if missing:
            print(f"skipping {name}: {', '.join(missing)} not installed", file=sys.stderr)
        else:
            available.append(name)
    return available


def runs_on(framework, config):
    """Whether `framework` (a harness name) takes part in configuration `config`."""
    return FRAMEWORKS[framework][0] in CONFIGS[config].frameworks


def measure_startup(threads, seed, repeats, config="A"):
    """neurona on the Numba path: `fit` to first step and the first step's seconds, cold (an
    empty NUMBA_CACHE_DIR) and warm (the same folder, a new process), each `repeats` times
    with a new folder per repeat. Returns {'cold': [result, ...], 'warm': [result, ...]}."""
    runs = {"cold": [], "warm": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="neurona-numba-cold-") as cache:
            for state in ("cold", "warm"):
                runs[state].append(run_worker("neurona", config, threads, seed, ["--first-step"],
                                              env={"NUMBA_CACHE_DIR": cache}))
    return runs


def drift_repeats(repeats):
    """Trainings per kernel path for the epoch drift: the run's repeats, at least DRIFT_REPEATS."""
    return max(repeats, DRIFT_REPEATS)


def run_drift(kernels, threads, repeats, env=None):
    """`benchmarks.epoch_drift` on one kernel path, in a process of its own."""
    command = [sys.executable, "-m", "benchmarks.epoch_drift", "--kernels", kernels, "--threads", str(threads),
               "--repeats", str(repeats), "--json"]
    result = _run_json(command, worker_environment(threads, env), f"epoch drift ({kernels})")
    if result["kernels"] != kernels:
        raise RuntimeError(f"epoch drift should run the {kernels} kernels; it ran {result['kernels']!r}.")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=",".join(FULL_RUN))
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--short", action="store_true",
                        help="a quick check: " + " ".join(f"--{key} {value}" for key, value in SHORT_RUN.items()))
    parser.add_argument("--write", metavar="MARKDOWN", help="replace the results section of this file")
    args = parser.parse_args(argv)
    if args.short:
        for key, value in SHORT_RUN.items():
            setattr(args, key, value)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; found {args.repeats}.")

    configs = [name for name in args.configs.split(",") if name]
    unknown = [name for name in configs if name not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; expected some of {', '.join(CONFIGS)}.")
    try:
        frameworks = available_frameworks([name for name in args.frameworks.split(",") if name])
    except ValueError as error:
        parser.error(str(error))
    print(machine_facts(args.threads), flush=True)
    peak_before = sgemm_peak_gflops(args.threads)
    print(f"sgemm peak, {args.threads} thread(s): {peak_before:.0f} GFLOP/s", flush=True)
    args.load = [load_average()]

    with tempfile.TemporaryDirectory(prefix="neurona-numba-cache-") as kernel_cache:
        results = run_all(configs, frameworks, args, {"NUMBA_CACHE_DIR": kernel_cache})
    peak = max(peak_before, sgemm_peak_gflops(args.threads))
    args.load.append(load_average())

    report = format_report(configs, frameworks, results["seconds"], results["accuracies"], results["predictions"],
                           results["memory"], peak, args, startup=results["startup"], drift=results["drift"])
    print()
    print(report)
    if args.write:
        write_section(Path(args.write), report)


def run_all(configs, frameworks, args, cache_env):
    """Every measurement of one harness run, in order: start-up, kernel-cache warm-up, the timed
    trainings, prediction, memory and epoch drift. `cache_env` names the kernel cache that the
    neurona workers after the start-up measurement share."""
    neurona_frameworks = [name for name in frameworks if name in NEURONA_PATHS]
    startup = None
    if "neurona" in frameworks:
        startup = measure_startup(args.threads, args.seed, args.repeats)
        cold, warm = (statistics.median(run["fit_to_first_step_s"] for run in startup[state])
                      for state in ("cold", "warm"))
        print(f"neurona fit to first step: cold {cold:.2f} s, warm {warm:.2f} s", flush=True)
        start = time.perf_counter()
        warmed = sorted(set(configs) | {"A"}, key=list(CONFIGS).index)  # A: the memory measurement
        for config in warmed:
            run_worker("neurona", config, args.threads, args.seed, ["--warmup"], env=cache_env)
        print(f"kernel cache filled for {', '.join(warmed)} ({time.perf_counter() - start:.1f} s)", flush=True)

    seconds, accuracies, predictions = {}, {}, {}
    for repeat in range(args.repeats):
        for config in configs:
            for framework in frameworks:
                if not runs_on(framework, config):
                    continue
                env = cache_env if framework in NEURONA_PATHS else None
                predict = repeat == 0 and config in PREDICTION_MODELS
                result = run_worker(framework, config, args.threads, args.seed + repeat, ["--predict"] if predict else [],
                                    env=env)
                if predict:
                    predictions.setdefault(config, {})[framework] = result
                seconds.setdefault((config, framework), []).append(result["seconds"])
                accuracies.setdefault((config, framework), []).append(result["test_accuracy"])
                print(f"[{repeat + 1}/{args.repeats}] {config:5s} {framework:13s} {result['seconds']:7.2f} s  "
                      f"accuracy {result['test_accuracy']:.4f}", flush=True)
    for config, gap in kernel_path_gaps(accuracies, configs).items():
        if gap > ACCURACY_GAP_WARNING:
            print(f"WARNING: on {config}, neurona's Numba and NumPy kernels differ by {100 * gap:.2f} pp of test "
                  f"accuracy with the same seed (expected at most {100 * ACCURACY_GAP_WARNING:.1f} pp)", flush=True)

    memory = (run_worker("neurona", "A", args.threads, args.seed, ["--memory"], env=cache_env)
              if "neurona" in frameworks else None)
    drift = {}
    for framework in neurona_frameworks:  # a few seconds a training: at least DRIFT_REPEATS of them
        kernels = NEURONA_PATHS[framework]
        drift[kernels] = run_drift(kernels, args.threads, drift_repeats(args.repeats), env=cache_env)
        print(f"epoch drift, {kernels}: " + ", ".join(f"{value:.3f}" for value in drift[kernels]["epoch_seconds"])
              + f" s; last / first {drift[kernels]['ratio']:.3f}; {drift[kernels]['subnormals']} subnormal slot values",
              flush=True)
    return {"seconds": seconds, "accuracies": accuracies, "predictions": predictions, "memory": memory,
            "startup": startup, "drift": drift}


def kernel_path_gaps(accuracies, configs):
    """{config: the largest |accuracy(neurona) - accuracy(neurona-numpy)|} over runs with the
    same seed (the lists are in repeat order), for configurations both paths ran."""
    gaps = {}
    for config in configs:
        numba, numpy_ = accuracies.get((config, "neurona")), accuracies.get((config, "neurona-numpy"))
        if numba and numpy_:
            gaps[config] = max(abs(a - b) for a, b in zip(numba, numpy_))
    return gaps


def format_report(configs, frameworks, seconds, accuracies, predictions, memory, peak, args, startup=None,
                  drift=None):
    """The results section as Markdown. `seconds` and `accuracies` map (config, framework) to one
    value per repeat; `predictions` maps a configuration of PREDICTION_MODELS to {framework: the
    worker's --predict result}; `startup` is `measure_startup`'s result and `drift` maps a kernel
    path to `benchmarks.epoch_drift`'s (either may be None or empty: that part is left out)."""
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
        f"Measured {datetime.date.today().isoformat()} with {command_line(args)}: {_median_of(args.repeats)}, "
        f"each in a fresh process, run r with seed {args.seed} + r in every framework; training seconds "
        f"exclude imports and data loading.{load_note(getattr(args, 'load', None))}",
        "",
        f"{machine_facts(args.threads)} {machine_description()}; float32 sgemm peak measured in the same run "
        f"with {args.threads} thread(s): **{peak:.0f} GFLOP/s**.",
        "",
        "Configurations: " + "; ".join(f"**{name}** {CONFIGS[name].description}" for name in configs) + ".",
        "",
    ]
    if any(name in NEURONA_PATHS for name in frameworks):
        parts += [kernel_paths_note(frameworks, configs, accuracies), ""]
    parts += lines
    for config, results in predictions.items():
        parts += ["", machine_facts(args.threads), "", f"Prediction with {PREDICTION_MODELS[config]}:", "",
                  "| framework | 10,000 images, s | one image p50, ms | one image p99, ms |",
                  "| --- | --- | --- | --- |"]
        for name, result in results.items():
            p50, p99 = result["predict_one_ms"]
            parts.append(f"| {name} | {result['predict_10k_s']:.4f} | {p50:.3f} | {p99:.3f} |")
    if memory:
        parts += ["", f"Memory `fit` allocates on MNIST (config A, one epoch, Numba kernels, traced NumPy allocations "
                      f"above the caller's arrays): **{memory['fit_memory_mb']:.0f} MB**; one float32 copy of the "
                      f"training set is {memory['train_set_float32_mb']:.0f} MB, so the allowance is "
                      f"{memory['train_set_float32_mb'] + 150:.0f} MB."]
    if startup:
        parts += ["", startup_line(startup)]
    if drift:
        parts += ["", machine_facts(args.threads), "", *drift_table(drift, args.threads, drift_repeats(args.repeats))]
    return "\n".join(parts)


def load_average():
    """The 1-minute load average (runnable processes, this run's own included), or None."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this platform
        return None


def load_note(loads):
    """' Load average: X at the start, Y at the end.' from [start, end], or '' without figures."""
    if not loads or any(value is None for value in loads) or len(loads) != 2:
        return ""
    return f" Load average (1 minute): {loads[0]:.1f} at the start, {loads[1]:.1f} at the end."


def command_line(args):
    """The harness command that `args` stands for, in backticks; '(`make bench`)' after it when
    configurations and frameworks are the defaults."""
    words = ["python -m benchmarks.harness"]
    configs, frameworks = getattr(args, "configs", None), getattr(args, "frameworks", None)
    if configs and configs != ",".join(FULL_RUN):
        words.append(f"--configs {configs}")
    if frameworks and frameworks != ",".join(FRAMEWORKS):
        words.append(f"--frameworks {frameworks}")
    words += [f"--repeats {args.repeats}", f"--threads {args.threads}"]
    full = (not configs or configs == ",".join(FULL_RUN)) and (not frameworks or frameworks == ",".join(FRAMEWORKS))
    return f"`{' '.join(words)}`" + (" (`make bench`)" if full else "")


def kernel_paths_note(frameworks, configs, accuracies):
    """What the neurona columns run, and how far the two kernel paths' accuracies lie apart."""
    sentences = []
    if "neurona" in frameworks:
        sentences.append("**neurona** runs its Numba kernels (`NEURONA_KERNELS=numba`), from a kernel cache filled "
                         "before the timed runs; the ratios and GFLOP/s are computed from that column")
    if "neurona-numpy" in frameworks:
        sentences.append("**neurona-numpy** runs the NumPy reference path (`NEURONA_KERNELS=numpy`) with the same "
                         "runner and seeds" + (", so `× vs neurona-numpy` is the Numba path's speed-up"
                                               if "neurona" in frameworks else ""))
    gaps = kernel_path_gaps(accuracies, configs)
    if gaps:
        config = max(gaps, key=gaps.get)
        sentences.append(f"Test accuracy of the two paths, run against run with the same seed: at most "
                         f"{100 * gaps[config]:.2f} pp apart ({config})")
    return ". ".join(sentences) + "."


def startup_line(startup):
    """'fit to first step: cold X s, warm Y s', the first step's own seconds and the targets."""
    def median(state, key):
        return statistics.median(run[key] for run in startup[state])

    to_step = {state: median(state, "fit_to_first_step_s") for state in ("cold", "warm")}
    step = {state: median(state, "first_step_s") for state in ("cold", "warm")}
    met = all(to_step[state] <= STARTUP_TARGETS_S[state] for state in ("cold", "warm"))
    return (f"Start-up, neurona on the Numba path (config A, {_median_of(len(startup['cold']))}): **fit to first "
            f"step: cold {to_step['cold']:.2f} s, warm {to_step['warm']:.2f} s** (targets: at most "
            f"{STARTUP_TARGETS_S['cold']:g} s and {STARTUP_TARGETS_S['warm']:g} s; "
            f"{'met' if met else 'not met'}). Cold: `NUMBA_CACHE_DIR` an empty folder; warm: the same folder "
            f"again, in a new process. The first step itself took {step['cold']:.2f} s cold and "
            f"{step['warm']:.2f} s warm, so `fit` reached the end of its first step after "
            f"{to_step['cold'] + step['cold']:.2f} s cold and {to_step['warm'] + step['warm']:.2f} s warm.")


def drift_table(drift, threads, repeats):
    """Markdown lines: each kernel path's epoch seconds, last-to-first ratio and subnormal slot values."""
    epochs = max(len(result["epoch_seconds"]) for result in drift.values())
    lines = [f"Epoch drift, `python -m benchmarks.epoch_drift --kernels K --threads {threads} --repeats {repeats}` "
             f"(784-128-10, Adam 0.001, batch 32, 20,000 random samples and labels, {epochs} epochs, "
             f"{_median_of(repeats)}); target: the last epoch within {100 * (DRIFT_TARGET - 1):.0f}% of the first:",
             "",
             "| kernels | " + " | ".join(f"epoch {index} s" for index in range(1, epochs + 1))
             + " | last / first | subnormal slot values |",
             "|" + " --- |" * (epochs + 3)]
    for kernels, result in drift.items():
        cells = [f"{value:.3f}" for value in result["epoch_seconds"]] + ["—"] * (epochs - len(result["epoch_seconds"]))
        by_slot = ", ".join(f"{name} {count:,}" for name, count in result["subnormals_by_slot"].items())
        lines.append(f"| {kernels} | " + " | ".join(cells) + f" | {result['ratio']:.2f} | "
                     f"{result['subnormals']:,} of {result['slot_values']:,} ({by_slot}) |")
    return lines


def _median_of(repeats):
    return "one run" if repeats == 1 else f"medians of {repeats} runs"


def machine_facts(threads, cpu=None, blas=None):
    """The line above each table: CPU model, BLAS library with its kernel, thread counts.

    `threads`: the harness' --threads (every pool of every worker held to it), or the words of
    another script ("BLAS 1 and 2, Numba 1"). `cpu` and `blas` default to this machine's
    (`cpu_description`, `blas_facts`): tables are compared across machines that change between
    AMD EPYC and Intel Xeon."""
    cpu = cpu or cpu_description(cpu_info())
    blas = blas or blas_facts()
    if not isinstance(threads, str):
        threads = f"{threads} for BLAS, OpenMP and Numba in every worker (`fit` may use fewer, see Threads)"
    return f"Machine: {cpu}; BLAS: {blas}; threads: {threads}."


def blas_facts(pools=None):
    """'OpenBLAS 0.3.31.188.0, Haswell kernel' from threadpoolctl's internal_api, version and
    architecture of NumPy's BLAS (`pools`: threadpool_info(), by default), or 'unknown'."""
    if pools is None:
        from threadpoolctl import threadpool_info

        pools = threadpool_info()
    from neurona.utils.machine import numpy_blas

    pool = numpy_blas(pools)
    if pool is None:
        return "unknown"
    name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(pool.get("internal_api"), pool.get("internal_api"))
    kernel = f", {pool['architecture']} kernel" if pool.get("architecture") else ""
    return f"{name} {pool.get('version')}{kernel}"


def machine_description():
    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    for module in ("numba", "torch", "tensorflow", "keras"):
        if importlib.util.find_spec(module) is not None:
            versions.append(f"{module} {_version_of(module)}")
    target = _numba_target()
    description = f"Numba compiles for {target}; " if target else ""
    return description + ", ".join(versions)


def _numba_target():
    """The CPU name LLVM (and so Numba) generates code for, or None without llvmlite."""
    if importlib.util.find_spec("llvmlite") is None:
        return None
    import llvmlite.binding

    return llvmlite.binding.get_host_cpu_name()


def _version_of(module):
    from importlib import metadata

    for distribution in (module, f"{module}-cpu", f"{module}_cpu"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "?"


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
