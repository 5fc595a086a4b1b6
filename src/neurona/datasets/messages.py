"""What resolving a named dataset tells its user, on stderr, as Keras' `get_file` does.

- One line the first time a named dataset is resolved in a process: where the data came from,
  that its SHA-256 was verified, and where it was cached. Later loads of the same name are quiet.
- A `DatasetWarning`, once per broken copy per process, when a source held one (a truncated gzip,
  a checksum mismatch, a wrong IDX magic number) and the data came from a later source instead.
- A progress bar while downloading, only when stderr is a terminal.

`set_quiet()` silences the line and the progress bar (warnings follow Python's `warnings` filters).
"""

import sys
import warnings

from neurona.utils.progbar import Progbar

_announced = set()
_reported = set()  # the broken copies already warned about
_quiet = False


class DatasetWarning(UserWarning):
    """A copy of a dataset was found but could not be used; the message names the file and why."""


def set_quiet(quiet=True):
    """Silence (or, with False, restore) the line naming each dataset's source and the progress bar."""
    global _quiet
    _quiet = bool(quiet)


def announce(name, line):
    """Write `line` to stderr, once per dataset `name` per process (never when quiet)."""
    if _quiet or name in _announced:
        return
    _announced.add(name)
    print(line, file=sys.stderr, flush=True)


def warn_broken(name, problem, where, stacklevel=3):
    """A `DatasetWarning` that the copy `problem` describes (its message names the file and what
    is wrong) was skipped and dataset `name` came from `where`; once per problem per process."""
    if problem in _reported:
        return
    _reported.add(problem)
    warnings.warn(f"{name}: skipped a broken copy: {problem} Loaded from {where} instead.", DatasetWarning,
                  stacklevel=stacklevel + 1)


def default_progress():
    """A `DownloadProgress` when stderr is a terminal and messages are on, else None."""
    isatty = getattr(sys.stderr, "isatty", None)
    return DownloadProgress() if not _quiet and isatty is not None and isatty() else None


class DownloadProgress:
    """progress(label, done, total) for `resolve`: the label, then a Progbar per download, on stderr."""

    def __init__(self):
        self.label, self.bar = None, None

    def __call__(self, label, done, total):
        if label != self.label:
            self.label = label
            print(label, file=sys.stderr, flush=True)
            self.bar = Progbar(total, stream=sys.stderr) if total else None
        if self.bar is not None:
            self.bar.update(done, values={"MB": round(done / 1e6, 1)})
        elif total is not None and done >= total:
            print(f"  {done / 1e6:.1f} MB", file=sys.stderr, flush=True)
