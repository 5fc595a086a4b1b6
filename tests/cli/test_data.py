"""`neurona data`: exit codes 0 / 1 / 2, one-line errors, on small data made here."""

import dataclasses
import functools
import gzip
import http.server
import threading

import numpy as np
import pytest

from neurona.cli.main import main
from neurona.datasets import catalog, load
from neurona.datasets.checksums import manifest_sha256
from neurona.datasets.checksums import array_sha256
from neurona.datasets.dataset import make_dataset
from neurona.datasets.formats import write_dataset
from neurona.datasets.formats.idx_folder import IDX_PREFIXES
from neurona.datasets.idx import encode_idx


@pytest.fixture(autouse=True)
def isolated(offline_dataset_locations, monkeypatch):
    """Own cache, Keras home and system folder; offline sources only; no data directory."""
    monkeypatch.delenv("NEURONA_DATA_DIR", raising=False)


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    parts = {"x_train": rng.integers(0, 256, (30, 28, 28), dtype=np.uint8), "y_train": np.arange(30, dtype=np.uint8) % 10,
             "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), "y_test": np.arange(10, dtype=np.uint8)}
    return make_dataset(parts, name="mnist", source="test")


@pytest.fixture
def small_mnist_in_data_dir(tmp_path, monkeypatch, small):
    """A small 'mnist' in a data directory, with the catalog expecting its checksums."""
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for part, array in small.parts().items():
        name = f"{IDX_PREFIXES[part]}-idx{array.ndim}-ubyte.gz"
        (folder / name).write_bytes(gzip.compress(b"".join(bytes(chunk) for chunk in encode_idx(array))))
    monkeypatch.setenv("NEURONA_DATA_DIR", str(tmp_path / "data"))
    spec = dataclasses.replace(catalog.CATALOG["mnist"], checksums=dict(small.checksums))
    monkeypatch.setitem(catalog.CATALOG, "mnist", spec)
    return folder


def run(capsys, *args):
    code = main(["data", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_names_locations_and_checksums(capsys, small_mnist_in_data_dir, tmp_path):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("name") and "checksum" in lines[0]
    mnist_line = next(line for line in lines if line.startswith("mnist "))
    assert "data directory" in mnist_line and mnist_line.endswith(manifest_sha256(catalog.CATALOG["mnist"].checksums))
    assert any(line.startswith("fashion_mnist") for line in lines) and any(line.startswith("catvnoncat") for line in lines)
    assert f"cache: {tmp_path / 'cache'}" in out


def test_fetch_reports_the_source_and_checksum(capsys, small_mnist_in_data_dir, small):
    code, out, err = run(capsys, "fetch", "mnist")
    assert code == 0, err
    assert "mnist: 30 train + 10 test images, verified" in out
    assert f"from data directory {small_mnist_in_data_dir}" in out and f"checksum {small.checksum}" in out


def test_fetch_downloads_with_a_progress_bar_into_the_cache(capsys, tmp_path, monkeypatch, small_mnist_in_data_dir):
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "data"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        monkeypatch.setenv("NEURONA_DATASETS_URL", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("NEURONA_DATASET_SOURCES", "cache,http")
        code, out, err = run(capsys, "fetch", "mnist")
        server.shutdown()
    assert code == 0, err
    url = f"http://127.0.0.1:{server.server_address[1]}/mnist/train-images-idx3-ubyte.gz"
    assert err.splitlines()[0] == url and " - MB: 0.0" in err.splitlines()[1]
    assert f"now cached in {tmp_path / 'cache' / 'mnist'}" in out
    assert sorted(path.name for path in (tmp_path / "cache" / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    assert run(capsys, "fetch", "mnist")[1].splitlines()[1] == f"from cache {tmp_path / 'cache' / 'mnist'}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_of_something_missing_is_one_line_exit_1(capsys):
    code, out, err = run(capsys, "fetch", "catvnoncat")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: catvnoncat: no source could provide it. "
                          "Tried: data directory: NEURONA_DATA_DIR is not set; cache: ")


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "fetch", "cifar10")[0] == 2
    assert run(capsys, "export", "mnist", "--format", "xls", "--out", "x")[0] == 2
    assert run(capsys, "export", "mnist", "--format", "csv")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_info_of_a_path(capsys, tmp_path, small):
    write_dataset(small, tmp_path / "npy", "npy")
    code, out, err = run(capsys, "info", str(tmp_path / "npy"))
    assert code == 0, err
    assert out.splitlines()[0] == "npy: 10 classes, images (28, 28) uint8"
    assert f"source: npy {tmp_path / 'npy'}" in out and "train: 30 images; per class: 0 3, 1 3," in out
    assert f"checksum: {small.checksum}" in out and f"x_train  {array_sha256(small.x_train)}" in out


def test_export_then_load_gives_the_same_arrays(capsys, tmp_path, small_mnist_in_data_dir, small):
    for format in ("csv", "images"):
        code, out, err = run(capsys, "export", "mnist", "--format", format, "--out", str(tmp_path / format))
        assert code == 0, err
        assert out.startswith(f"wrote {2 if format == 'csv' else 41} files to {tmp_path / format}: ")
        assert load(tmp_path / format).checksums == small.checksums
    assert (tmp_path / "csv" / "mnist_train.csv").is_file() and (tmp_path / "csv" / "mnist_test.csv").is_file()


def test_a_bad_file_is_one_line_without_traceback(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,3,4,5\n1,2,x,4,5\n")
    code, out, err = run(capsys, "info", str(path))
    assert code == 1 and err == f"error: {path}, line 2, column 3: 'x' is not a number.\n"
    code, out, err = run(capsys, "export", str(path), "--format", "npz", "--out", str(tmp_path / "out"))
    assert code == 1 and "Traceback" not in err and not (tmp_path / "out").exists()
