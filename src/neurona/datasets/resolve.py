"""The resolution chain: try a named dataset's sources in order; the first verified one wins.

Each source's arrays are checked (shapes, counts, value ranges) and their SHA-256 compared with
the expected checksums; a source that fails for any reason falls through to the next, and when
all fail the error lists what was tried and why. A source that held a broken copy (a file that
is truncated, has the wrong magic number or the wrong checksum) is named in a `DatasetWarning`
once the data is found elsewhere. Data from outside the machine (pip, apt, http) is written to
the cache as raw IDX files, each atomically. The first resolution of each dataset in a process
prints one line on stderr: its source, "verified sha256" and the cache folder (see `messages`).

NEURONA_DATASET_SOURCES (or `sources=`) limits the chain to some sources, by name, e.g.
"data_dir,cache" to stay offline.
"""

import dataclasses
import os
import warnings

from neurona.datasets import messages, paths
from neurona.utils.atomic import atomic_folder
from neurona.datasets.dataset import make_dataset
from neurona.datasets.errors import ChecksumError, DataFormatError, DatasetNotFoundError, SourceUnavailable
from neurona.datasets.formats.idx_folder import IDX_PREFIXES, write_idx_folder
from neurona.datasets.sources import SOURCE_NAMES

SOURCES_VARIABLE = "NEURONA_DATASET_SOURCES"


def resolve(spec, sources=None, progress=None):
    """The `Dataset` described by the `NamedDataset` `spec`, from the first source that has it.

    Args:
        spec: a `catalog.NamedDataset`.
        sources: names of the sources to try (in the chain's order); by default those named in
            NEURONA_DATASET_SOURCES, else all.
        progress: called as progress(label, done, total) while downloading; by default a
            progress bar on stderr when it is a terminal (`messages.default_progress`).

    Raises:
        DatasetNotFoundError: no source gave verified data; the message lists each one's reason.
    """
    if progress is None:
        progress = messages.default_progress()
    tried, broken = [], []
    for source in select_sources(spec, sources):
        where = source.describe(spec)
        try:
            arrays = source.read(spec, progress)
        except DataFormatError as error:
            tried.append(f"{source.label}: {error}")
            broken.append(str(error))
            continue
        except (SourceUnavailable, OSError, ImportError) as error:
            tried.append(f"{source.label}: {error}")
            continue
        try:
            dataset = make_dataset(arrays, name=spec.name, source=where, class_names=spec.class_names)
            verify(dataset, spec, where)
        except DataFormatError as error:  # its message starts with `where`
            tried.append(str(error))
            broken.append(str(error))
            continue
        folder = store_in_cache(dataset, spec) if source.fetches else None
        if folder:
            dataset = dataclasses.replace(dataset, source=f"{where}, now cached in {folder}")
        for problem in broken:
            messages.warn_broken(spec.name, problem, where)
        messages.announce(spec.name, f"{spec.name}: from {where}, verified sha256"
                          + (f", cached in {folder}" if folder else ""))
        return dataset
    raise DatasetNotFoundError(
        f"{spec.name}: no source could provide it. "
        + (f"Tried: {'; '.join(tried)}" if tried else f"None of its sources is enabled ({SOURCES_VARIABLE}).")
    )


def select_sources(spec, names=None):
    """The sources of `spec` whose names are in `names` (or NEURONA_DATASET_SOURCES), in order."""
    if names is None:
        setting = os.environ.get(SOURCES_VARIABLE, "").strip()
        names = [name.strip() for name in setting.split(",") if name.strip()] if setting else None
    if names is None:
        return list(spec.sources)
    unknown = [name for name in names if name not in SOURCE_NAMES]
    if unknown:
        raise ValueError(
            f"unknown dataset source {', '.join(map(repr, unknown))}; the sources are {', '.join(SOURCE_NAMES)}."
        )
    return [source for source in spec.sources if source.name in names]


def verify(dataset, spec, where):
    """Raise ChecksumError unless every array of `dataset` has the checksum `spec` expects."""
    for part, expected in spec.checksums.items():
        found = dataset.checksums[part]
        if found != expected:
            raise ChecksumError(
                f"{where}: {part} ({IDX_PREFIXES[part]}) has SHA-256 {found}, expected {expected}."
            )


def store_in_cache(dataset, spec):
    """Write `dataset` to `<cache>/<spec.folder>` as raw IDX and return that folder; if that fails,
    warn and return None (the data is still good to use). The four files appear together or not
    at all."""
    folder = paths.cache_dir() / spec.folder
    try:
        with atomic_folder(folder) as temporary:
            write_idx_folder(dataset, temporary, compress=False)
    except OSError as error:
        warnings.warn(f"{spec.name} was loaded but could not be cached in {folder}: {error}", stacklevel=3)
        return None
    return folder
