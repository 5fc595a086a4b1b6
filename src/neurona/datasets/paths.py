"""Where datasets are looked for and kept; each location can be moved by an environment variable.

| setting | default | what |
| --- | --- | --- |
| NEURONA_DATA_DIR | (unset) | your data folder: `mnist/`, `fashion-mnist/`, `catvnoncat/` |
| NEURONA_CACHE_DIR | the platform cache dir + `neurona` | what neurona fetched, as IDX |
| KERAS_HOME | `~/.keras` | an existing Keras cache (`datasets/mnist.npz`, ...) |
| NEURONA_SYSTEM_DATASETS_DIR | `/usr/share/datasets` | system packages (Debian's `dataset-*`) |
"""

import os
from pathlib import Path

from neurona.utils.cache import CACHE_DIR_VARIABLE, cache_dir  # noqa: F401  (re-exported)

DATA_DIR_VARIABLE = "NEURONA_DATA_DIR"
KERAS_HOME_VARIABLE = "KERAS_HOME"
SYSTEM_DIR_VARIABLE = "NEURONA_SYSTEM_DATASETS_DIR"


def _from_environment(variable):
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else None


def data_dir():
    """The data directory from NEURONA_DATA_DIR, or None when it is not set."""
    return _from_environment(DATA_DIR_VARIABLE)


def keras_datasets_dir():
    """Where Keras caches datasets: $KERAS_HOME/datasets, by default ~/.keras/datasets."""
    return (_from_environment(KERAS_HOME_VARIABLE) or Path.home() / ".keras") / "datasets"


def system_datasets_dir():
    """System-wide dataset packages: NEURONA_SYSTEM_DATASETS_DIR, by default /usr/share/datasets."""
    return _from_environment(SYSTEM_DIR_VARIABLE) or Path("/usr/share/datasets")

