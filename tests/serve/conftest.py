"""Fixtures of the server tests: small trained runs, and `neurona serve` as a real process.

Each server is `python -m neurona serve RUN --port P` on a free 127.0.0.1 port, started in a
subprocess, waited on through /healthz (at most 60 s) and stopped by its pid at the end (SIGINT,
as Ctrl-C; killed when it does not stop within 15 s).
"""

import http.client
import json

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("PIL.Image")

from benchmarks.serve_load import free_port, start_server, stop_server  # noqa: E402
from neurona.cli.main import main  # noqa: E402


def _train(out, *flags):
    code = main(["train", "--limit-train", "600", "--limit-test", "100", "--epochs", "1", "--out", str(out),
                 "--quiet", *flags])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def mnist_run(data_dir, tmp_path_factory):
    """A 784-128-10 MNIST run folder trained on 600 images for one epoch (once per session)."""
    return _train(tmp_path_factory.mktemp("serve-mnist") / "run")


@pytest.fixture(scope="session")
def fashion_run(data_dir, tmp_path_factory):
    """The same on Fashion-MNIST: its run folder records the class names (T-shirt/top ... Ankle boot)."""
    return _train(tmp_path_factory.mktemp("serve-fashion") / "run", "--dataset", "fashion_mnist")


class Server:
    """A running `neurona serve` process and small HTTP helpers bound to its address."""

    def __init__(self, process, port):
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, headers, parsed JSON or raw bytes) of one request, on a new connection
        (http.client adds no Content-Type of its own)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            status, response_headers, content = response.status, response.headers, response.read()
        finally:
            connection.close()
        if response_headers.get("content-type", "").startswith("application/json"):
            content = json.loads(content)
        return status, response_headers, content

    def post_json(self, value, path="/api/predict"):
        return self.request("POST", path, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def post_image(self, body, content_type="image/png", path="/api/predict"):
        return self.request("POST", path, body, {"Content-Type": content_type})

    def healthy(self):
        return self.request("GET", "/healthz")[2] == {"status": "ok"}


@pytest.fixture
def serve():
    """serve(model_path, *flags) -> Server; every server started is stopped at teardown."""
    started = []

    def start(model_path, *flags, threads=2):
        port = free_port()
        process = start_server(model_path, port, threads=threads, extra=[str(flag) for flag in flags])
        started.append(process)
        return Server(process, port)

    yield start
    for process in started:
        stop_server(process)
        process.stdout.close()
        process.error_log.close()


@pytest.fixture(scope="module")
def mnist_server(mnist_run):
    """One server of `mnist_run` shared by a module's tests."""
    port = free_port()
    process = start_server(mnist_run, port)
    yield Server(process, port)
    stop_server(process)
    process.stdout.close()
    process.error_log.close()
