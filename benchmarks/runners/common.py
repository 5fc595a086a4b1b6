"""Timing helpers shared by the runners."""

import time

import numpy as np


def percentiles_ms(function, calls):
    """p50 and p99 in milliseconds of `calls` calls of `function()` (after one warm-up call)."""
    function()
    times = np.empty(calls)
    for index in range(calls):
        start = time.perf_counter()
        function()
        times[index] = time.perf_counter() - start
    return float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 99) * 1e3)


def median_seconds(function, repeats=5):
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def accuracy(probabilities_or_logits, labels, binary):
    if binary:
        return float(np.mean((probabilities_or_logits.reshape(-1) > (0.5 if binary == "probs" else 0.0))
                             == (labels.reshape(-1) > 0.5)))
    return float(np.mean(np.argmax(probabilities_or_logits, axis=1) == labels.reshape(-1)))
