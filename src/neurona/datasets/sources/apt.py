"""A dataset shipped as a Debian package, fetched with `apt-get download` (no install, no root).

`apt-get download <package>` saves the .deb in a temporary folder; the dataset's files are
read out of it (see `deb`) and decoded like the data directory's. apt's own configuration
chooses the mirror; `apt-get` is looked up on PATH.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from neurona.datasets.errors import DataFormatError, SourceUnavailable
from neurona.datasets.sources import deb
from neurona.datasets.sources.base import Source, last_line, report


class AptPackage(Source):
    """The files under `folder` (e.g. "usr/share/datasets/fashion-mnist") of Debian `package`."""

    name, label, fetches = "apt", "Debian package", True

    def __init__(self, package, folder):
        self.package, self.folder = package, folder

    def describe(self, spec):
        return f"{self.label} {self.package} (/{self.folder})"

    def read(self, spec, progress=None):
        apt_get = shutil.which("apt-get")
        if apt_get is None:
            raise SourceUnavailable("apt-get not found (not a Debian-like system)")
        label = f"apt-get download {self.package}"
        report(progress, label, 0, None)
        with tempfile.TemporaryDirectory(prefix="neurona-apt-") as folder:
            folder = Path(folder)
            result = subprocess.run([apt_get, "download", self.package], cwd=folder,
                                    capture_output=True, text=True, stdin=subprocess.DEVNULL)
            packages = sorted(folder.glob("*.deb"))
            if result.returncode != 0 or len(packages) != 1:
                raise SourceUnavailable(f"{label} failed: {last_line(result.stderr or result.stdout)}")
            report(progress, label, packages[0].stat().st_size, packages[0].stat().st_size)
            extracted = folder / "extracted"
            extracted.mkdir()
            if not deb.extract_folder(packages[0], self.folder, extracted):
                raise SourceUnavailable(f"{packages[0].name} has no files in /{self.folder}")
            # Errors name the file inside the package, not the temporary copy about to vanish.
            inside = f"{packages[0].name}:/{self.folder}"
            try:
                arrays, _ = spec.read_folder(extracted)
            except FileNotFoundError as error:
                raise SourceUnavailable(str(error).replace(str(extracted), inside)) from error
            except DataFormatError as error:
                raise DataFormatError(str(error).replace(str(extracted), inside)) from error
        return arrays
