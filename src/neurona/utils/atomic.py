"""Atomic writes: build the file (or folder) under a temporary name beside the target, then
rename it over the target in one step. Readers see the old content or the new, never half;
a failure leaves the old content and no temporary behind.

Temporary names are `.<name>.<random>.tmp`, so a half-written `plot.png` never matches `*.png`.
"""

import contextlib
import os
import secrets
import shutil
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def _temporary_beside(path):
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


@contextlib.contextmanager
def atomic_path(path, overwrite=True, durable=False):
    """Yield a temporary Path beside `path`; on success it replaces `path`, on error it is removed.

    The temporary file already exists (empty, with the permissions a plain `open` gives).
    Missing parent folders are created. `durable=True` fsyncs it before the rename.

    Raises:
        IsADirectoryError: `path` is a folder.
        FileExistsError: `path` exists and `overwrite` is False.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save to {path}: it is a folder. Give a file name.")
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(path)
    # O_EXCL: never write into a file someone else created; 0o666 lets the umask decide.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))
    try:
        yield temporary
        if durable:
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_write(path, overwrite=True, durable=False):
    """Open `path` for binary writing so that it appears whole or not at all."""
    with atomic_path(path, overwrite=overwrite, durable=durable) as temporary:
        with open(temporary, "wb") as handle:
            yield handle


def write_text_atomic(path, text):
    """Write `text` (UTF-8) to `path` atomically and return `path` as a Path."""
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")
    return path


@contextlib.contextmanager
def atomic_folder(path):
    """Fill a folder that appears complete or not at all.

    Yields a temporary folder beside `path`; on success it replaces `path` (an old copy is
    removed first), on any error it is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(path)
    temporary.mkdir()
    try:
        yield temporary
        if path.exists():
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
