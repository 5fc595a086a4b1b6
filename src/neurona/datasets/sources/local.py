"""Sources on this machine: the data directory, neurona's cache, a Keras cache, system folders."""

from neurona.datasets import paths
from neurona.datasets.errors import SourceUnavailable
from neurona.datasets.formats.idx_folder import read_idx_folder
from neurona.datasets.formats.numpy_files import read_npz
from neurona.datasets.sources.base import Source


class LocalFolder(Source):
    """`<root>/<spec.folder>`, read with `spec.read_folder`; root from a paths function."""

    def __init__(self, name, label, root, setting):
        self.name, self.label, self._root, self.setting = name, label, root, setting

    def location(self, spec):
        root = self._root()
        return root / spec.folder if root is not None else None

    def describe(self, spec):
        return f"{self.label} {self.location(spec) or f'({self.setting} not set)'}"

    def read(self, spec, progress=None):
        folder = self.location(spec)
        if folder is None:
            raise SourceUnavailable(f"{self.setting} is not set")
        if not folder.is_dir():
            raise SourceUnavailable(f"{folder} not found")
        try:
            arrays, _ = spec.read_folder(folder)
        except FileNotFoundError as error:
            raise SourceUnavailable(str(error)) from error
        return arrays


DATA_DIR = LocalFolder("data_dir", "data directory", paths.data_dir, paths.DATA_DIR_VARIABLE)
CACHE = LocalFolder("cache", "cache", paths.cache_dir, paths.CACHE_DIR_VARIABLE)
SYSTEM = LocalFolder("system", "system datasets", paths.system_datasets_dir, paths.SYSTEM_DIR_VARIABLE)


class KerasCache(Source):
    """What Keras downloaded before: `~/.keras/datasets/<relative>` (an npz or an IDX folder)."""

    name, label = "keras", "Keras cache"

    def __init__(self, relative):
        self.relative = relative

    def location(self, spec):
        return paths.keras_datasets_dir() / self.relative

    def describe(self, spec):
        return f"{self.label} {self.location(spec)}"

    def read(self, spec, progress=None):
        path = self.location(spec)
        if not path.exists():
            raise SourceUnavailable(f"{path} not found")
        try:
            arrays, _ = read_npz(path) if path.suffix == ".npz" else read_idx_folder(path)
        except FileNotFoundError as error:
            raise SourceUnavailable(str(error)) from error
        return arrays
