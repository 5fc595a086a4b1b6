"""Small synthetic datasets saved as .npz, which `neurona.datasets.load(path)` reads: runs train
on them in well under a second, with no data directory needed."""

import pytest

from .synthetic import make_striped, save_npz


@pytest.fixture
def striped_npz(tmp_path):
    """A 4-class 8x8 dataset in tmp_path/striped.npz (160 train, 40 test images)."""
    return save_npz(tmp_path / "striped.npz", make_striped(), ["top", "upper", "lower", "bottom"])


@pytest.fixture
def binary_npz(tmp_path):
    """A 2-class 8x8 grayscale dataset in tmp_path/binary.npz, for the scratch trainer."""
    return save_npz(tmp_path / "binary.npz", make_striped(num_classes=2, n_train=80, n_test=20),
                    ["non-cat", "cat"])


@pytest.fixture
def small_config(striped_npz):
    """A checked config training a 64-16-4 MLP on the striped dataset for 3 epochs."""
    from neurona.runs import config

    return config.resolve(overrides={
        "dataset": str(striped_npz), "hidden_layers": [16], "epochs": 3, "batch_size": 16,
        "validation_split": 0.25, "name": "striped",
    })
