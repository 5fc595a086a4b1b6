"""Atomic saves: write a temporary file beside the target, then rename it over the target.

A crash or an error while writing leaves the previous file untouched and no partial file
behind; readers never see half a model.
"""

import contextlib
import os
import secrets


@contextlib.contextmanager
def atomic_path(filepath, overwrite=True):
    """Yield a temporary path in the target's folder; on success it replaces `filepath`.

    The temporary file already exists (empty, created with the permissions a plain `open`
    would give). Missing parent folders are created, as Keras does.

    Raises:
        FileExistsError: `filepath` exists and `overwrite` is False.
        IsADirectoryError: `filepath` is a folder.
    """
    path = os.path.abspath(os.fspath(filepath))
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot save to {filepath}: it is a folder. Give a file name.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{filepath} already exists; pass overwrite=True to replace it.")
    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    # 0o666 filtered by the umask: the saved file gets the same mode a plain open() gives.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
