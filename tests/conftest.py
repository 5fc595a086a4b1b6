import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from neurona import backend


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """No test reads or writes the user's dataset cache."""
    previous = os.environ.get("NEURONA_CACHE_DIR")
    os.environ["NEURONA_CACHE_DIR"] = str(tmp_path_factory.mktemp("neurona-cache"))
    yield
    if previous is None:
        os.environ.pop("NEURONA_CACHE_DIR", None)
    else:
        os.environ["NEURONA_CACHE_DIR"] = previous


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with float32, default names, and NumPy's global seed fixed."""
    backend.set_floatx("float32")
    backend.clear_session()
    np.random.seed(1234)
    yield
    backend.set_floatx("float32")


@pytest.fixture
def decode_png():
    """Decode a PNG fully with Pillow and return its (width, height)."""
    image_module = pytest.importorskip("PIL.Image")

    def decode(path):
        with image_module.open(path) as image:
            assert image.format == "PNG"
            image.load()
            return image.size

    return decode


@pytest.fixture
def offline_dataset_locations(tmp_path, monkeypatch):
    """An empty cache, Keras home and system folder under tmp_path; offline sources only."""
    monkeypatch.setenv("NEURONA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("NEURONA_SYSTEM_DATASETS_DIR", str(tmp_path / "system"))
    monkeypatch.setenv("NEURONA_DATASET_SOURCES", "data_dir,cache,keras,system")
    monkeypatch.delenv("NEURONA_DATASETS_URL", raising=False)


@pytest.fixture
def float64():
    backend.set_floatx("float64")
    yield
    backend.set_floatx("float32")


@pytest.fixture(scope="session")
def data_dir():
    """The shared datasets (NEURONA_DATA_DIR); tests needing them skip when it is not set."""
    value = os.environ.get("NEURONA_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("NEURONA_DATA_DIR is not set to a data folder")
    return Path(value)


@pytest.fixture(params=["numpy", "numba"])
def kernel_path(request):
    """Run the test once on the NumPy references and once on the Numba kernels."""
    from neurona import kernels

    if request.param == "numba":
        pytest.importorskip("numba")
    kernels.set_kernels(request.param)
    yield request.param
    kernels.set_kernels(None)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def err_lines(self):
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def run_cli(capsys):
    """run_cli('train', '--epochs', '1') -> CliResult(code, out, err), through `neurona.cli.main.main`."""
    from neurona.cli.main import main

    def run(*args):
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
