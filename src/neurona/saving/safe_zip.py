"""Zip archives read from untrusted files: every member checked before one byte is inflated.

Refused: more than `limits.MAX_MEMBERS` members, names that are absolute, contain `..`,
backslashes or drive letters, names given twice, encryption, compression other than stored
or deflate, a total uncompressed size above `limits.MAX_UNCOMPRESSED_BYTES`, and members
that inflate more than `limits.MAX_COMPRESSION_RATIO` times (zip bombs). Members are read
into memory only, never extracted, and never beyond their declared size (zipfile stops
there and checks the CRC).
"""

import contextlib
import re
import zipfile
import zlib

from neurona.saving import limits
from neurona.saving.errors import ModelFileError

_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin")
_ONE_MIB = 1 << 20


class Archive:
    """A checked zip archive; `names` lists its members in file order."""

    def __init__(self, path, what):
        self.what = what
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as error:
            raise ModelFileError(
                f"{what} is truncated or corrupt: {error} (its zip directory is unreadable)."
            ) from None
        except (OSError, ValueError, EOFError, NotImplementedError) as error:
            raise ModelFileError(f"{what} is truncated or corrupt: {error}.") from None
        try:
            self.infos = self._check_members(self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise
        self.names = list(self.infos)

    def _check_members(self, infos):
        if len(infos) > limits.MAX_MEMBERS:
            raise ModelFileError(
                f"{self.what} holds {len(infos)} members, more than the limit of {limits.MAX_MEMBERS}."
            )
        checked, total = {}, 0
        for info in infos:
            name = info.filename
            if unsafe_name(name):
                raise ModelFileError(
                    f"{self.what} holds a member with an unsafe name {name!r} (absolute, '..', "
                    "backslash or drive letter); refusing the whole archive."
                )
            if name in checked:
                raise ModelFileError(f"{self.what} holds the member {name!r} twice.")
            if info.flag_bits & 0x1:
                raise ModelFileError(f"{self.what}: member {name!r} is encrypted.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(
                    f"{self.what}: member {name!r} uses compression method {info.compress_type}; "
                    "only stored and deflate are read."
                )
            if info.file_size > _ONE_MIB and info.file_size > limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise ModelFileError(
                    f"{self.what}: member {name!r} would inflate from {info.compress_size} to "
                    f"{info.file_size} bytes (ratio above {limits.MAX_COMPRESSION_RATIO}); "
                    "refusing what looks like a zip bomb."
                )
            total += info.file_size
            checked[name] = info
        if total > limits.MAX_UNCOMPRESSED_BYTES:
            raise ModelFileError(
                f"{self.what} would inflate to {total} bytes, more than the limit of "
                f"{limits.MAX_UNCOMPRESSED_BYTES} (neurona.saving.limits.MAX_UNCOMPRESSED_BYTES)."
            )
        return checked

    def size(self, name):
        return self.infos[name].file_size

    @contextlib.contextmanager
    def open(self, name):
        """A stream over member `name`; read errors become ModelFileError."""
        try:
            with self._zip.open(self.infos[name]) as stream:
                yield _CheckedStream(stream, f"member {name!r} of {self.what}")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as error:
            raise ModelFileError(f"member {name!r} of {self.what} is corrupt: {error}.") from None

    def read(self, name, max_bytes):
        """The bytes of member `name`, refused when it declares more than `max_bytes`."""
        if self.size(name) > max_bytes:
            raise ModelFileError(
                f"member {name!r} of {self.what} is {self.size(name)} bytes, more than the limit of {max_bytes}."
            )
        with self.open(name) as stream:
            return stream.read_exact(self.size(name))

    def pickled_member(self):
        """The name of a member holding pickled data (by name or content), or None."""
        for name, info in self.infos.items():
            if name.lower().endswith(_PICKLE_SUFFIXES):
                return name
            with self.open(name) as stream:
                head = stream.read(min(info.file_size, 512))
            if looks_pickled(head):
                return name
        return None

    def refuse_pickles(self):
        """Raise ModelFileError naming the first member holding pickled data, if any."""
        pickled = self.pickled_member()
        if pickled is not None:
            raise ModelFileError(f"{self.what} holds pickled data (member {pickled!r}); neurona never unpickles.")

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _CheckedStream:
    def __init__(self, stream, what):
        self._stream = stream
        self.what = what

    def read(self, count=-1):
        try:
            return self._stream.read(count)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as error:
            raise ModelFileError(f"{self.what} is corrupt: {error}.") from None

    def read_exact(self, count):
        data = self.read(count)
        if len(data) != count:
            raise ModelFileError(f"{self.what} is truncated: {len(data)} of {count} bytes.")
        return data


def unsafe_name(name):
    """True for member names that could escape a folder if someone extracted them."""
    stripped = name[:-1] if name.endswith("/") else name
    parts = stripped.split("/")
    return (
        not stripped
        or "\\" in name
        or "\x00" in name
        or stripped.startswith("/")
        or re.match(r"^[A-Za-z]:", stripped) is not None
        or any(part in ("", ".", "..") for part in parts)
    )


def looks_pickled(head):
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return True
    if head.startswith(b"\x93NUMPY"):
        # An .npy header: dtype 'O' (object) means the payload is a pickle.
        return re.search(rb"'descr':\s*'[|<>=]?O'|\('[^']*',\s*'[|<>=]?O'\)", head) is not None
    return False
