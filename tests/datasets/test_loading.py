import pytest

from neurona.datasets import Dataset, load, write_dataset

from .builders import small_dataset


def test_a_name_goes_through_the_sources(data_dir):
    dataset = load("mnist", sources=["data_dir"])
    assert isinstance(dataset, Dataset) and dataset.source == f"data directory {data_dir / 'mnist'}"


def test_a_path_is_read_in_its_format(tmp_path):
    write_dataset(small_dataset(), tmp_path, "npy")
    assert load(str(tmp_path)).source == f"npy {tmp_path}"
    assert load(tmp_path, format="npy").name == tmp_path.name


def test_neither_a_name_nor_a_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnistt: neither a known dataset \\(mnist, fashion_mnist, catvnoncat\\)"):
        load("mnistt")
