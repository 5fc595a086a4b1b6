"""The benchmark harness' arithmetic and report (the timings themselves live in BENCHMARKS.md)."""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

harness = pytest.importorskip("benchmarks.harness")
from benchmarks import epoch_drift, worker  # noqa: E402
from benchmarks.configs import CONFIGS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Two processors of a 2-core AMD EPYC (Zen 3) as Linux lists them, flags cut short.
CPUINFO_EPYC = """\
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC
stepping\t: 1
cpu cores\t: 2
flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 vaes

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC
flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 vaes
"""

CPUINFO_XEON = """\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 106
model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
flags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl
"""

# aarch64: 'Features' instead of 'flags', no model name.
CPUINFO_ARM = """\
processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics
CPU implementer\t: 0x41
CPU part\t: 0xd0c
"""


def args_for(repeats=3, threads=2, seed=0, **more):
    return argparse.Namespace(repeats=repeats, threads=threads, seed=seed, **more)


def test_training_flops_count_forward_kernel_and_input_gradients():
    # A: 784-128-10. Layer 1: forward + kernel gradient (no input gradient); layer 2: all three.
    per_sample = 2 * (2 * 784 * 128) + 2 * (3 * 128 * 10)
    assert CONFIGS["A"].training_flops() == per_sample * 50_000 * 10


def test_report_gives_medians_ratios_and_share_of_peak():
    seconds = {("A", "neurona"): [2.0, 1.0, 9.0], ("A", "torch"): [6.0, 5.0, 4.0]}
    accuracies = {("A", "neurona"): [0.97, 0.98, 0.96], ("A", "torch"): [0.97, 0.97, 0.97]}
    report = harness.format_report(["A"], ["neurona", "torch"], seconds, accuracies, {}, None, 200.0, args_for())
    row = next(line for line in report.splitlines() if line.startswith("| A |"))
    gflops = CONFIGS["A"].training_flops() / 2.0 / 1e9
    assert row == f"| A | 2.00 | 5.00 | 0.9700 | 0.9700 | 2.5 | {gflops:.0f} | {100 * gflops / 200:.0f}% |"
    assert "run r with seed 0 + r" in report


def test_report_has_a_numpy_path_column_and_compares_the_peers_with_the_numba_one():
    frameworks = ["neurona", "neurona-numpy", "torch"]
    seconds = {("A", "neurona"): [2.0], ("A", "neurona-numpy"): [7.0], ("A", "torch"): [5.0]}
    accuracies = {("A", "neurona"): [0.9770], ("A", "neurona-numpy"): [0.9768], ("A", "torch"): [0.97]}
    report = harness.format_report(["A"], frameworks, seconds, accuracies, {}, None, 200.0, args_for(repeats=1))
    lines = report.splitlines()
    header = next(line for line in lines if line.startswith("| config |"))
    assert header == ("| config | neurona s | neurona-numpy s | torch s | neurona acc | neurona-numpy acc | torch acc "
                      "| × vs neurona-numpy | × vs torch | neurona GFLOP/s | % of peak |")
    row = next(line for line in lines if line.startswith("| A |"))
    gflops = CONFIGS["A"].training_flops() / 2.0 / 1e9  # from the Numba path's 2.0 s
    assert row == f"| A | 2.00 | 7.00 | 5.00 | 0.9770 | 0.9768 | 0.9700 | 3.5 | 2.5 | {gflops:.0f} | {gflops / 2:.0f}% |"
    assert "at most 0.02 pp apart (A)" in report
    assert "one run, each in a fresh process" in report


def test_kernel_path_gaps_pair_runs_by_seed():
    accuracies = {("A", "neurona"): [0.970, 0.980], ("A", "neurona-numpy"): [0.980, 0.970],
                  ("C", "neurona"): [0.98], ("B", "neurona-numpy"): [0.9]}
    gaps = harness.kernel_path_gaps(accuracies, ["A", "B", "C"])
    assert list(gaps) == ["A"]  # B and C ran on one path only
    assert gaps["A"] == pytest.approx(0.01)  # the medians agree, the paired runs do not


def test_startup_line_gives_cold_and_warm_medians_against_the_targets():
    startup = {"cold": [{"fit_to_first_step_s": 3.0, "first_step_s": 0.5},
                        {"fit_to_first_step_s": 2.0, "first_step_s": 0.25},
                        {"fit_to_first_step_s": 9.0, "first_step_s": 0.75}],
               "warm": [{"fit_to_first_step_s": 0.2, "first_step_s": 0.01}] * 3}
    line = harness.startup_line(startup)
    assert "**fit to first step: cold 3.00 s, warm 0.20 s**" in line
    assert "medians of 3 runs" in line and "; met)" in line
    assert "after 3.50 s cold and 0.21 s warm" in line
    startup["warm"] = [{"fit_to_first_step_s": 0.6, "first_step_s": 0.01}]
    assert "not met" in harness.startup_line(startup)


def test_drift_table_lists_each_path():
    result = {"epoch_seconds": [1.0, 1.1, 1.2, 1.3], "ratio": 1.3, "subnormals": 92220,
              "subnormals_by_slot": {"momentum": 92220, "velocity": 0}, "slot_values": 203540}
    lines = harness.drift_table({"numba": result}, threads=2, repeats=3)
    assert "--kernels K --threads 2 --repeats 3" in lines[0] and "within 25% of the first" in lines[0]
    assert lines[2] == "| kernels | epoch 1 s | epoch 2 s | epoch 3 s | epoch 4 s | last / first | subnormal slot values |"
    assert lines[-1] == ("| numba | 1.000 | 1.100 | 1.200 | 1.300 | 1.30 | "
                         "92,220 of 203,540 (momentum 92,220, velocity 0) |")


def test_report_includes_startup_and_drift_when_given():
    startup = {state: [{"fit_to_first_step_s": 1.0, "first_step_s": 0.1}] for state in ("cold", "warm")}
    drift = {"numpy": {"epoch_seconds": [1.0, 1.0], "ratio": 1.0, "subnormals": 0, "subnormals_by_slot": {},
                       "slot_values": 10}}
    seconds, accuracies = {("A", "neurona"): [2.0]}, {("A", "neurona"): [0.97]}
    report = harness.format_report(["A"], ["neurona"], seconds, accuracies, {}, None, 200.0, args_for(repeats=1),
                                   startup=startup, drift=drift)
    assert "fit to first step: cold 1.00 s, warm 1.00 s" in report
    assert report.splitlines()[-1].startswith("| numpy | 1.000 | 1.000 | 1.00 | 0 of 10")


def test_command_line_names_make_bench_only_for_the_full_run():
    full = args_for(configs=",".join(harness.FULL_RUN), frameworks=",".join(harness.FRAMEWORKS))
    assert harness.command_line(full) == "`python -m benchmarks.harness --repeats 3 --threads 2` (`make bench`)"
    short = args_for(repeats=1, configs="A", frameworks="neurona,neurona-numpy")
    assert harness.command_line(short) == ("`python -m benchmarks.harness --configs A --frameworks "
                                           "neurona,neurona-numpy --repeats 1 --threads 2`")


def test_parse_cpuinfo_reads_the_first_processor_and_counts_them():
    info = harness.parse_cpuinfo(CPUINFO_EPYC)
    assert info["model_name"] == "AMD EPYC" and info["vendor"] == "AuthenticAMD"
    assert (info["family"], info["model"], info["stepping"]) == (25, 1, 1)
    assert info["processors"] == 2
    assert "avx2" in info["flags"] and "avx512f" not in info["flags"]


def test_cpu_description_says_whether_avx512_is_there():
    epyc = harness.cpu_description(harness.parse_cpuinfo(CPUINFO_EPYC), machine="x86_64", cores=2)
    assert epyc == "AMD EPYC (x86_64, family 25, model 1), 2 cores, no AVX-512 (AVX2, FMA)"
    xeon = harness.cpu_description(harness.parse_cpuinfo(CPUINFO_XEON), machine="x86_64", cores=1)
    assert xeon == ("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (x86_64, family 6, model 106), 1 cores, "
                    "AVX-512 (avx512bw, avx512dq, avx512f, avx512vl)")
    # An affinity mask narrower than the machine: both counts.
    assert ", 1 cores usable (2 listed)," in harness.cpu_description(harness.parse_cpuinfo(CPUINFO_EPYC),
                                                                      machine="x86_64", cores=1)


def test_cpu_description_on_arm_leaves_out_x86_extensions():
    info = harness.parse_cpuinfo(CPUINFO_ARM)
    assert info["model_name"] is None and info["family"] is None and "asimd" in info["flags"]
    text = harness.cpu_description(info, machine="aarch64", cores=1)
    assert "AVX" not in text and text.endswith("(aarch64), 1 cores")


def test_cpu_info_of_a_missing_file_is_empty(tmp_path):
    assert harness.cpu_info(tmp_path / "absent") == {}
    assert harness.cpu_description({}, machine="x86_64", cores=4).endswith("(x86_64), 4 cores")


def test_frameworks_map_to_runners_and_kernel_paths():
    assert harness.FRAMEWORKS["neurona"] == ("neurona", {"NEURONA_KERNELS": "numba"})
    assert harness.FRAMEWORKS["neurona-numpy"] == ("neurona", {"NEURONA_KERNELS": "numpy"})
    assert harness.runs_on("neurona-numpy", "E64") and not harness.runs_on("keras", "E64")
    with pytest.raises(ValueError, match="Unknown framework.*'pytorch'.*Expected some of: neurona, neurona-numpy"):
        harness.available_frameworks(["neurona", "pytorch"])


def test_worker_environment_holds_every_pool_to_the_thread_count():
    env = harness.worker_environment(3, {"NEURONA_KERNELS": "numpy"})
    assert all(env[name] == "3" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                             "NUMBA_NUM_THREADS"))
    assert env["NEURONA_KERNELS"] == "numpy"


def test_write_section_replaces_only_the_marked_block(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(f"intro\n\n{harness.MARK_BEGIN}\nold\n{harness.MARK_END}\n\nnotes\n")
    harness.write_section(path, "new table")
    assert path.read_text() == f"intro\n\n{harness.MARK_BEGIN}\nnew table\n{harness.MARK_END}\n\nnotes\n"


def test_write_section_appends_a_block_where_there_is_none(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("intro\n")
    harness.write_section(path, "table")
    assert path.read_text() == f"intro\n\n{harness.MARK_BEGIN}\ntable\n{harness.MARK_END}\n"


def test_drift_ratio_is_the_last_epoch_over_the_first():
    assert epoch_drift.drift_ratio([2.0, 2.2, 2.4, 2.5]) == pytest.approx(1.25)
    with pytest.raises(ValueError, match="at least 2 epoch times; found 1"):
        epoch_drift.drift_ratio([1.0])
    with pytest.raises(ValueError, match="must be positive; found 0.0"):
        epoch_drift.drift_ratio([0.0, 1.0])


def test_subnormals_are_counted_per_slot():
    tiny = np.finfo(np.float32).tiny
    momentum = np.array([0.0, tiny / 2, -tiny / 4, tiny, 1e-3, np.nextafter(np.float32(0), np.float32(1))],
                        dtype=np.float32)
    velocity = np.array([tiny / 8, 1.0], dtype=np.float32)
    slots = [{"momentum": momentum, "velocity": velocity}, {"momentum": np.zeros(3, np.float32),
                                                            "velocity": np.full(3, -tiny / 2, np.float32)}]
    total, by_slot, seen = epoch_drift.count_subnormals(slots)
    assert by_slot == {"momentum": 3, "velocity": 4} and total == 7 and seen == 14
    # float64 has its own smallest normal: float32's subnormal range is normal there.
    assert not epoch_drift.is_subnormal(np.array([tiny / 2], dtype=np.float64)).any()
    with pytest.raises(TypeError, match="found dtype int64"):
        epoch_drift.is_subnormal(np.array([1, 2]))


def test_warmup_slice_keeps_dtypes_and_cuts_to_a_few_batches():
    rng = np.random.default_rng(0)
    arrays = (rng.random((1000, 4), dtype=np.float32), np.zeros(1000, np.int64), rng.random((50, 4)),
              np.zeros(50, np.int64), rng.random((600, 4), dtype=np.float32), np.zeros(600, np.int64))
    config, cut = worker.warmup_slice(CONFIGS["A"], arrays)
    assert config.epochs == 1 and config.batch_size == 32 and [len(a) for a in cut] == [128, 128, 50, 50, 256, 256]
    assert all(a.dtype == b.dtype for a, b in zip(arrays, cut))
    config, cut = worker.warmup_slice(CONFIGS["E"], arrays)  # full-batch: every sample
    assert len(cut[0]) == 1000 and config.train_samples == 1000


def test_epoch_drift_runs_end_to_end_on_a_tiny_set():
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.epoch_drift", "--kernels", "numpy", "--samples", "256", "--epochs", "2",
         "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert len(result["epoch_seconds"]) == 2 and result["kernels"] == "numpy"
    assert result["ratio"] == pytest.approx(result["epoch_seconds"][1] / result["epoch_seconds"][0])
    assert result["slot_values"] == 2 * (784 * 128 + 128 + 128 * 10 + 10)


def test_kernel_paths_note_names_only_the_paths_that_ran():
    only_numpy = harness.kernel_paths_note(["neurona-numpy", "torch"], ["A"], {("A", "neurona-numpy"): [0.97]})
    assert "**neurona-numpy** runs the NumPy reference path" in only_numpy
    assert "Numba" not in only_numpy and "apart" not in only_numpy
    both = harness.kernel_paths_note(["neurona", "neurona-numpy"], ["A"],
                                     {("A", "neurona"): [0.9773], ("A", "neurona-numpy"): [0.9771]})
    assert "`× vs neurona-numpy` is the Numba path's speed-up" in both and both.endswith("at most 0.02 pp apart (A).")


def test_load_note_gives_both_figures_or_nothing():
    assert harness.load_note([0.52, 2.71]) == " Load average (1 minute): 0.5 at the start, 2.7 at the end."
    assert harness.load_note(None) == "" and harness.load_note([None, 1.0]) == ""
    report = harness.format_report(["A"], ["neurona"], {("A", "neurona"): [2.0]}, {("A", "neurona"): [0.97]}, {},
                                   None, 200.0, args_for(repeats=1, load=[1.0, 2.0]))
    assert "data loading. Load average (1 minute): 1.0 at the start, 2.0 at the end." in report


def test_training_flops_of_the_convnet():
    # conv 3x3x1x32 on 26x26 (forward and kernel gradient), conv 3x3x32x64 on 11x11 and dense
    # 1600-10 (forward, kernel and input gradients): 0.86 TFLOP an epoch.
    multiply_adds = [26 * 26 * 9 * 32, 11 * 11 * 288 * 64, 1600 * 10]
    per_sample = 2 * (2 * multiply_adds[0] + 3 * multiply_adds[1] + 3 * multiply_adds[2])
    assert CONFIGS["G"].training_flops() == per_sample * 60_000
    assert CONFIGS["G100"].training_flops() == per_sample * 12_800
    assert CONFIGS["G"].input_shape == (28, 28, 1) and CONFIGS["A"].input_shape == (784,)


def test_the_full_run_has_g_and_the_short_run_its_first_100_steps():
    assert "G" in harness.FULL_RUN and "G100" not in harness.FULL_RUN
    assert harness.SHORT_RUN["configs"].split(",") == ["A", "G100"]
    assert set(harness.PREDICTION_MODELS) == {"C", "G"}


def test_report_has_one_prediction_table_per_model():
    predictions = {"G": {"neurona": {"predict_10k_s": 0.5, "predict_one_ms": [0.25, 0.5]},
                         "torch": {"predict_10k_s": 0.75, "predict_one_ms": [0.5, 1.0]}}}
    report = harness.format_report(["G"], ["neurona", "torch"], {("G", "neurona"): [9.0], ("G", "torch"): [18.0]},
                                   {("G", "neurona"): [0.98], ("G", "torch"): [0.98]}, predictions, None, 200.0,
                                   args_for(repeats=1))
    lines = report.splitlines()
    at = lines.index("Prediction with the trained G model (the MNIST convnet):")
    assert lines[at + 4] == "| neurona | 0.5000 | 0.250 | 0.500 |" and lines[at + 5] == "| torch | 0.7500 | 0.500 | 1.000 |"
    assert "trained C model" not in report
    row = next(line for line in lines if line.startswith("| G |"))
    gflops = CONFIGS["G"].training_flops() / 9.0 / 1e9
    assert row == f"| G | 9.00 | 18.00 | 0.9800 | 0.9800 | 2.0 | {gflops:.0f} | {100 * gflops / 200:.0f}% |"


def test_training_slice_keeps_the_test_set_whole():
    arrays = tuple(np.zeros((n, 2), np.float32) for n in (1000, 1000, 0, 0, 300, 300))
    config, cut = worker.training_slice(CONFIGS["G"], arrays, 256)
    assert config.train_samples == 256 and config.epochs == 1 and [len(a) for a in cut] == [256, 256, 0, 0, 300, 300]


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_the_convnet_trains_and_learns_on_both_kernel_paths(kernels, data_dir):
    """Config G through the worker, as the harness runs it, on its first 2,560 images (20 steps):
    it runs, reports the path asked for, and beats chance by far on the 10,000 test images."""
    if kernels == "numba":
        pytest.importorskip("numba")
    env = harness.worker_environment(1, {"NEURONA_KERNELS": kernels, "NEURONA_DATA_DIR": str(data_dir)})
    completed = subprocess.run([sys.executable, "-m", "benchmarks.worker", "neurona", "G", "--threads", "1",
                                "--train-samples", "2560"], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["kernels"] == kernels
    assert result["test_accuracy"] > 0.5  # 0.68 after these 20 steps, with seed 0


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_the_convnet_trains_and_learns_in_the_peers(framework, data_dir):
    pytest.importorskip("torch" if framework == "torch" else "keras")
    env = harness.worker_environment(1, {"NEURONA_DATA_DIR": str(data_dir)})
    completed = subprocess.run([sys.executable, "-m", "benchmarks.worker", framework, "G", "--threads", "1",
                                "--train-samples", "2560"], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert json.loads(completed.stdout.strip().splitlines()[-1])["test_accuracy"] > 0.5


OPENBLAS_POOL = {"user_api": "blas", "internal_api": "openblas", "version": "0.3.31.188.0", "architecture": "Haswell",
                 "num_threads": 2}


def test_blas_facts_name_the_library_and_its_kernel():
    assert harness.blas_facts([{"user_api": "openmp", "internal_api": "openmp"}, OPENBLAS_POOL]) == \
        "OpenBLAS 0.3.31.188.0, Haswell kernel"
    mkl = {"user_api": "blas", "internal_api": "mkl", "version": "2025.1", "threading_layer": "intel"}
    assert harness.blas_facts([mkl]) == "MKL 2025.1"
    assert harness.blas_facts([]) == "unknown"


def test_machine_facts_give_cpu_model_blas_and_threads():
    cpu = harness.cpu_description(harness.parse_cpuinfo(CPUINFO_XEON), machine="x86_64", cores=2)
    line = harness.machine_facts(2, cpu=cpu, blas=harness.blas_facts([OPENBLAS_POOL]))
    assert line.startswith("Machine: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (x86_64, family 6, model 106)")
    assert "; BLAS: OpenBLAS 0.3.31.188.0, Haswell kernel; threads: 2 for BLAS, OpenMP and Numba" in line
    assert harness.machine_facts("BLAS 1, Numba 1", cpu="AMD EPYC", blas="BLIS 1.0").endswith(
        "threads: BLAS 1, Numba 1.")
    # this machine's own facts
    assert harness.cpu_description(harness.cpu_info()) in harness.machine_facts(1)


def test_every_table_of_the_report_has_the_machine_facts_above_it():
    predictions = {name: {"neurona": {"predict_10k_s": 0.5, "predict_one_ms": [0.25, 0.5]}} for name in ("C", "G")}
    drift = {"numba": {"epoch_seconds": [1.0, 1.0], "ratio": 1.0, "subnormals": 0, "subnormals_by_slot": {},
                       "slot_values": 10}}
    seconds, accuracies = {("C", "neurona"): [2.0], ("G", "neurona"): [9.0]}, {("C", "neurona"): [0.97],
                                                                              ("G", "neurona"): [0.98]}
    report = harness.format_report(["C", "G"], ["neurona"], seconds, accuracies, predictions, None, 200.0,
                                   args_for(repeats=1, threads=2), drift=drift)
    lines = report.splitlines()
    facts = harness.machine_facts(2)
    headers = [index for index, line in enumerate(lines[:-1]) if line.startswith("| ")
               and lines[index + 1].startswith("| ---")]
    assert len(headers) == 4  # training, two prediction tables, epoch drift
    previous_end = 0
    for header in headers:
        above = lines[previous_end:header]
        assert any(line.startswith(facts) for line in above), above
        previous_end = header + 2
