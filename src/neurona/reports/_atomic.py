"""Write a file so readers see the old content or the new one, never half of it."""

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; on success it replaces `path`, on error it is removed.

    The temporary name ends in '.tmp', so a half-written 'plot.png' never matches '*.png'.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    try:
        # mkstemp creates the file owner-only; a report is meant to be shared like any other file.
        os.chmod(temporary, 0o644)
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


def write_text_atomic(path, text):
    """Write `text` (UTF-8) to `path` atomically and return `path` as a Path."""
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")
    return path
