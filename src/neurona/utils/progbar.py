"""A text progress bar with ETA and running metrics, throttled, quiet when output is no terminal."""

import sys
import time

import numpy as np


class Progbar:
    """Progress over `target` steps.

    Args:
        target: total number of steps (None if unknown).
        verbose: 1 draws a bar that updates in place on a terminal (one line at the end when
            output is not a terminal); 2 prints only the final line.
        interval: minimum seconds between redraws.
        stream: where to write (sys.stdout by default, looked up at each write).
    """

    def __init__(self, target, width=30, verbose=1, interval=0.1, stream=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self._stream = stream
        self._start = time.perf_counter()
        self._last_draw = float("-inf")  # the first update always draws
        self._drawn_width = 0
        self._finished = False

    @property
    def stream(self):
        return self._stream or sys.stdout

    def _interactive(self):
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def update(self, current, values=None, finalize=None):
        """Show `current` steps done and `values` ({'loss': 0.31, ...}); finish at the target."""
        if self._finished:
            return
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.perf_counter()
        if not finalize:
            if self.verbose != 1 or not self._interactive() or now - self._last_draw < self.interval:
                return
        self._last_draw = now
        elapsed = now - self._start
        line = self._format(current, values or {}, elapsed, finalize)
        if self._interactive() and self.verbose == 1:
            padding = max(0, self._drawn_width - len(line))
            self.stream.write("\r" + line + " " * padding)
            self._drawn_width = len(line)
            if finalize:
                self.stream.write("\n")
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._finished = finalize

    def _format(self, current, values, elapsed, finalize):
        digits = len(str(self.target)) if self.target else 1
        parts = [f"{current:{digits}d}/{self.target}" if self.target else f"{current}"]
        if self.verbose == 1 and self.target and self._interactive():
            done = int(self.width * current / self.target)
            arrow = ">" if current < self.target else "="
            bar = "=" * max(done - 1, 0) + (arrow if done else "") + "." * (self.width - done)
            parts[0] += f" [{bar}]"
        if finalize:
            per_step = elapsed / max(current, 1)
            parts.append(f"{_duration(elapsed)} {_per_step(per_step)}")
        elif self.target:
            eta = elapsed / max(current, 1) * (self.target - current)
            parts.append(f"ETA: {_duration(eta)}")
        parts += [f"{key}: {_number(value)}" for key, value in values.items()]
        return " - ".join(parts)


def _duration(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _number(value):
    # A metric with several thresholds (Precision(thresholds=[...])) shows its mean, as Keras.
    value = float(value) if np.ndim(value) == 0 else float(np.mean(value))
    return f"{value:.4e}" if value != 0 and abs(value) < 1e-3 else f"{value:.4f}"
