"""Trains the best recipes in full, over several seeds, and reports their accuracy and time.

    python -m benchmarks.best_recipes [--recipes mnist-best,fashion-best] [--seeds 0,1,2]
                                      [--runs-dir runs/bench-best] [--write BENCHMARKS.md]

Each (recipe, seed) is `neurona train RECIPE --seed S` in a fresh process, one after another,
so each has the machine to itself. Reported per recipe: the test accuracy of each seed (measured
once, at the end of its run: the recipes were chosen on their validation split), its mean and
standard deviation, the validation accuracy, the epochs and the training minutes, under a line
naming the CPU, NumPy's BLAS and the threads. With --write, the table replaces the part of
BENCHMARKS.md between the best-recipes markers. Takes about 15 minutes a run.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.harness import blas_facts
from neurona.kernels.policy import cores
from neurona.utils.machine import cpu_description, cpu_info

ROOT = Path(__file__).resolve().parents[1]
MARK_BEGIN, MARK_END = "<!-- best recipes: begin -->", "<!-- best recipes: end -->"


def train(recipe, seed, runs_dir):
    out = Path(runs_dir) / f"{recipe}-seed{seed}"
    command = [sys.executable, "-m", "neurona", "train", recipe, "--seed", str(seed), "--out", str(out),
               "--overwrite", "--quiet"]
    subprocess.run(command, check=True, cwd=ROOT)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    return {"seed": seed, "test_accuracy": metrics["test_accuracy"],
            "val_accuracy": metrics.get("final_val_accuracy"), "epochs": metrics["epochs_run"],
            "minutes": metrics["train_seconds"] / 60, "run": str(out)}


def table(results):
    """Markdown: one row per recipe and seed, then the mean and spread of each recipe."""
    lines = [f"Machine: {cpu_description(cpu_info())}; BLAS: {blas_facts()}; threads: {cores()} "
             "(BLAS and Numba chosen by neurona's measured policy).", "",
             "| recipe | seed | test accuracy | validation accuracy | epochs | training minutes |",
             "| --- | --- | --- | --- | --- | --- |"]
    for recipe, rows in results.items():
        for row in rows:
            val = f"{row['val_accuracy']:.2%}" if row["val_accuracy"] is not None else "-"
            lines.append(f"| {recipe} | {row['seed']} | {row['test_accuracy']:.2%} | {val} | {row['epochs']} | "
                         f"{row['minutes']:.1f} |")
        accuracies = [row["test_accuracy"] for row in rows]
        spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
        minutes = [row["minutes"] for row in rows]
        lines.append(f"| **{recipe}** | mean of {len(rows)} | **{statistics.mean(accuracies):.2%}** "
                     f"(σ {spread:.2%}, lowest {min(accuracies):.2%}) | | | {statistics.mean(minutes):.1f} "
                     f"(longest {max(minutes):.1f}) |")
    return "\n".join(lines)


def write_section(path, text):
    path = Path(path)
    content = path.read_text(encoding="utf-8")
    begin, end = content.index(MARK_BEGIN) + len(MARK_BEGIN), content.index(MARK_END)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(content[:begin] + "\n" + text + "\n" + content[end:], encoding="utf-8")
    temporary.replace(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="mnist-best,fashion-best")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--runs-dir", default="runs/bench-best")
    parser.add_argument("--write", metavar="FILE", help="replace the best-recipes section of FILE")
    args = parser.parse_args(argv)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    results = {recipe: [train(recipe, seed, args.runs_dir) for seed in seeds] for recipe in args.recipes.split(",")}
    text = table(results)
    print(text)
    if args.write:
        write_section(args.write, text)


if __name__ == "__main__":
    main()
