"""Every dataset test runs with its own empty cache, Keras home and system folder, and only the
offline sources unless it opts into pip, apt or http."""

import pytest


@pytest.fixture(autouse=True)
def isolated_locations(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURONA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("NEURONA_SYSTEM_DATASETS_DIR", str(tmp_path / "system"))
    monkeypatch.setenv("NEURONA_DATASET_SOURCES", "data_dir,cache,keras,system")
    monkeypatch.delenv("NEURONA_DATASETS_URL", raising=False)


@pytest.fixture
def cache_dir(tmp_path):
    """neurona's cache for this test (empty at the start)."""
    return tmp_path / "cache"


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.delenv("NEURONA_DATA_DIR", raising=False)
