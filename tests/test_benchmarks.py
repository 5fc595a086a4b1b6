"""The benchmark harness' arithmetic and report (the timings themselves live in BENCHMARKS.md)."""

import argparse

import pytest

harness = pytest.importorskip("benchmarks.harness")
from benchmarks.configs import CONFIGS  # noqa: E402


def test_training_flops_count_forward_kernel_and_input_gradients():
    # A: 784-128-10. Layer 1: forward + kernel gradient (no input gradient); layer 2: all three.
    per_sample = 2 * (2 * 784 * 128) + 2 * (3 * 128 * 10)
    assert CONFIGS["A"].training_flops() == per_sample * 50_000 * 10


def test_report_gives_medians_ratios_and_share_of_peak():
    seconds = {("A", "neurona"): [2.0, 1.0, 9.0], ("A", "torch"): [6.0, 5.0, 4.0]}
    accuracies = {("A", "neurona"): [0.97, 0.98, 0.96], ("A", "torch"): [0.97, 0.97, 0.97]}
    args = argparse.Namespace(repeats=3, threads=2, seed=0)
    report = harness.format_report(["A"], ["neurona", "torch"], seconds, accuracies, {}, None, 200.0, args)
    row = next(line for line in report.splitlines() if line.startswith("| A |"))
    gflops = CONFIGS["A"].training_flops() / 2.0 / 1e9
    assert row == f"| A | 2.00 | 5.00 | 0.9700 | 0.9700 | 2.5 | {gflops:.0f} | {100 * gflops / 200:.0f}% |"
    assert "run r with seed 0 + r" in report


def test_write_section_replaces_only_the_marked_block(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(f"intro\n\n{harness.MARK_BEGIN}\nold\n{harness.MARK_END}\n\nnotes\n")
    harness.write_section(path, "new table")
    assert path.read_text() == f"intro\n\n{harness.MARK_BEGIN}\nnew table\n{harness.MARK_END}\n\nnotes\n"
