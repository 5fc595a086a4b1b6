"""The errors of neurona.datasets; each message names the file (or source) and the problem."""


class DataFormatError(ValueError):
    """A data file is not what it claims to be; the message names the file and the problem."""


class ChecksumError(DataFormatError):
    """Data decoded fine but its SHA-256 is not the expected one."""


class DatasetNotFoundError(FileNotFoundError):
    """No source could provide a dataset; the message lists every source tried and why it failed."""


class SourceUnavailable(Exception):
    """A source does not have the dataset here (not configured, no such file, no network...)."""


def require(module_name, purpose):
    """Import an optional dependency of the `data` extra, or say how to install it.

    Example: `h5py = require("h5py", "reading HDF5 files")`.
    """
    import importlib

    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        top_level = module_name.split(".")[0]
        package = {"PIL": "Pillow"}.get(top_level, top_level)
        raise ImportError(
            f"{purpose} needs {package}: pip install 'neurona[data]'"
        ) from error
