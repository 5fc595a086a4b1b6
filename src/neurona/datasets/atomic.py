"""Atomic writes: a temporary file or folder beside the target, renamed over it only when complete."""

import contextlib
import os
import secrets
import shutil
from pathlib import Path

TEMP_SUFFIX = ".partial"


@contextlib.contextmanager
def atomic_write(path):
    """Open `path` for binary writing so that it appears whole or not at all.

    Yields a file object on a temporary file in the same folder (`.<name>.<random>.partial`);
    on success it is closed and renamed to `path` (os.replace), on any error removed. No fsync:
    readers verify checksums, so a file lost to a crash is refetched, not trusted.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    # O_EXCL: never write into a file someone else created; 0o666 lets the umask decide.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_folder(path):
    """Fill a folder that appears complete or not at all.

    Yields a temporary folder beside `path` (`.<name>.<random>.partial`); on success it replaces
    `path` (any old copy is removed first), on any error it is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    temporary.mkdir()
    try:
        yield temporary
        if path.exists():
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
