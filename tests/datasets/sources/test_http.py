"""The download source against a server on 127.0.0.1."""

import http.server
import threading

import numpy as np
import pytest

from neurona.datasets import DataFormatError
from neurona.datasets.errors import SourceUnavailable
from neurona.datasets.resolve import resolve
from neurona.datasets.sources import Http
from neurona.datasets.sources.http import download

from ..builders import MNIST, files_in, http_server, small_parts, spec_for, write_idx_gz, write_keras_npz


def test_an_idx_folder_mirror(tmp_path):
    parts = small_parts()
    write_idx_gz(tmp_path / "site" / "mnist", parts)
    events = []
    with http_server(tmp_path / "site") as url:
        arrays = Http([url + "mnist/"]).read(MNIST, progress=lambda *event: events.append(event))
    for part, array in parts.items():
        np.testing.assert_array_equal(arrays[part], array)
    assert events[-1][0] == url + "mnist/t10k-labels-idx1-ubyte.gz" and events[-1][1] == events[-1][2]


def test_a_keras_npz_mirror_after_a_missing_one(tmp_path):
    parts = small_parts()
    write_keras_npz(tmp_path / "site" / "mnist.npz", parts)
    with http_server(tmp_path / "site") as url:
        arrays = Http([url + "gone/", url + "mnist.npz"]).read(MNIST)
    np.testing.assert_array_equal(arrays["y_test"], parts["y_test"])


def test_neurona_datasets_url_replaces_the_official_addresses(tmp_path, monkeypatch, cache_dir):
    parts = small_parts()
    write_idx_gz(tmp_path / "site" / "mnist", parts)
    with http_server(tmp_path / "site") as url:
        monkeypatch.setenv("NEURONA_DATASETS_URL", url)
        dataset = resolve(spec_for(parts), sources=["http"])
    assert dataset.source.startswith(f"download from {url}mnist/, now cached in")
    assert len(files_in(cache_dir / "mnist")) == 4


def test_the_shared_files_served_over_http_match_the_real_checksums(data_dir, monkeypatch):
    with http_server(data_dir) as url:
        monkeypatch.setenv("NEURONA_DATASETS_URL", url)
        dataset = resolve(MNIST, sources=["http"])
    assert dataset.checksums == MNIST.checksums


def test_nothing_there(tmp_path):
    (tmp_path / "site").mkdir()
    with http_server(tmp_path / "site") as url:
        with pytest.raises(SourceUnavailable, match=rf"{url}mnist.npz: HTTP 404"):
            Http([url + "mnist.npz"]).read(MNIST)


def test_no_server():
    with pytest.raises(SourceUnavailable, match="http://127.0.0.1:9/mnist/train-images-idx3-ubyte.gz: "):
        Http(["http://127.0.0.1:9/mnist/"]).read(MNIST)


def test_a_short_download_is_a_format_error():
    class Liar(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)

        def log_message(self, *args):
            pass

    with http.server.HTTPServer(("127.0.0.1", 0), Liar) as server:
        threading.Thread(target=server.handle_request, daemon=True).start()
        with pytest.raises(DataFormatError, match="truncated download"):
            download(f"http://127.0.0.1:{server.server_address[1]}/file")
