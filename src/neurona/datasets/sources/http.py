"""The official download addresses the frameworks use, tried in order.

A URL ending in ".npz" is a Keras npz (x_train, y_train, x_test, y_test); any other URL is a
folder holding MNIST's four `.gz` IDX files. NEURONA_DATASETS_URL replaces them all with one
mirror laid out like the data directory: `<url>/<folder>/train-images-idx3-ubyte.gz`, ...
"""

import gzip
import io
import os
import zlib

from neurona.datasets.errors import DataFormatError, SourceUnavailable
from neurona.datasets.formats.idx_folder import IDX_PREFIXES, check_counts
from neurona.datasets.formats.numpy_files import read_npz
from neurona.datasets.idx import decode_idx
from neurona.datasets.sources.base import Source, report

MIRROR_VARIABLE = "NEURONA_DATASETS_URL"
TIMEOUT_SECONDS = 60
_CHUNK = 1 << 16
_IDX_GZ_NAMES = {part: f"{prefix}-idx{3 if part.startswith('x') else 1}-ubyte.gz"
                 for part, prefix in IDX_PREFIXES.items()}


class Http(Source):
    """Download from the first of `urls` that answers (or from NEURONA_DATASETS_URL)."""

    name, label, fetches = "http", "download", True

    def __init__(self, urls):
        self.urls = tuple(urls)

    def mirrors(self, spec):
        """The URLs tried for `spec`, in order."""
        mirror = os.environ.get(MIRROR_VARIABLE)
        return [f"{mirror.rstrip('/')}/{spec.folder}/"] if mirror else list(self.urls)

    def describe(self, spec):
        return f"{self.label} from {' or '.join(self.mirrors(spec))}"

    def read(self, spec, progress=None):
        failures = []
        for url in self.mirrors(spec):
            try:
                if url.endswith(".npz"):
                    arrays, _ = read_npz(io.BytesIO(download(url, progress)), origin=url)
                    return arrays
                return _read_idx_mirror(url, progress)
            except (SourceUnavailable, DataFormatError) as error:
                failures.append(str(error))  # a broken mirror: try the next
        raise SourceUnavailable("; ".join(failures))


def download(url, progress=None, timeout=TIMEOUT_SECONDS):
    """The bytes at `url`, reporting progress(url, done, total); SourceUnavailable if it fails,
    DataFormatError if the server sends fewer bytes than it announced."""
    import http.client  # imported here: they take longer to import than the rest of neurona.datasets
    import urllib.error
    import urllib.request

    chunks, done, total = [], 0, None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            report(progress, url, 0, total)
            while chunk := response.read(_CHUNK):
                chunks.append(chunk)
                done += len(chunk)
                report(progress, url, done, total)
    except http.client.IncompleteRead as error:
        raise DataFormatError(f"{url}: truncated download ({len(error.partial) + done} of {total} bytes).") from error
    except urllib.error.HTTPError as error:
        raise SourceUnavailable(f"{url}: HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise SourceUnavailable(f"{url}: {error.reason}") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise SourceUnavailable(f"{url}: {error}") from error
    if total is not None and done != total:
        raise DataFormatError(f"{url}: truncated download ({done} of {total} bytes).")
    return b"".join(chunks)


def _read_idx_mirror(base_url, progress):
    arrays, origins = {}, {}
    for part, name in _IDX_GZ_NAMES.items():
        url = base_url + name
        try:
            data = gzip.decompress(download(url, progress))
        except (OSError, EOFError, zlib.error) as error:
            raise DataFormatError(f"{url}: cannot be read as gzip ({error}).") from error
        arrays[part], origins[part] = decode_idx(data, url), url
    check_counts(arrays, origins)
    return arrays
