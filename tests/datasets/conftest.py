"""Every dataset test runs with its own empty cache, Keras home and system folder, and only the
offline sources unless it opts into pip, apt or http."""

import pytest


@pytest.fixture(autouse=True)
def isolated_locations(offline_dataset_locations):
    """Applies `offline_dataset_locations` (tests/conftest.py) to every dataset test."""


@pytest.fixture
def cache_dir(tmp_path):
    """neurona's cache for this test (empty at the start)."""
    return tmp_path / "cache"


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.delenv("NEURONA_DATA_DIR", raising=False)
