"""`neurona serve` as a user runs it: its URL, the warning off loopback, Ctrl-C, clear errors."""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.serve_load import free_port, stop_server
from neurona.cli.main import main


def _wait_for_line(process, words, seconds=60):
    deadline = time.monotonic() + seconds
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if words in line:
            return line
    raise AssertionError(f"no line with {words!r} within {seconds} s: {lines}")


def test_serve_prints_its_url_warns_off_loopback_and_stops_on_ctrl_c(mnist_run):
    port = free_port()
    # 127.0.0.2 is loopback too, but not the default: the warning shows without leaving the machine.
    process = subprocess.Popen([sys.executable, "-m", "neurona", "serve", str(mnist_run), "--host", "127.0.0.2",
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _wait_for_line(process, "http://")
        assert f"http://127.0.0.2:{port}/" in line and mnist_run.name in line
        with urllib.request.urlopen(f"http://127.0.0.2:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped." in out
    assert "warning: listening on 127.0.0.2" in err
    assert "Traceback" not in err


def test_a_missing_model_is_one_line_of_error(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: No run folder or model file at {tmp_path / 'nothing'}."]


def test_a_busy_port_is_one_line_of_error(mnist_run, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", str(mnist_run), "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")


def test_several_processes_share_the_port_and_stop_together(mnist_run, serve):
    server = serve(mnist_run, "--processes", "2", threads=1)
    children = [int(pid) for pid in Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
                .read_text().split()]
    assert len(children) == 2
    body = json.dumps({"instances": [[0.5] * 784] * 3}).encode()
    for _ in range(20):  # new connections, handed to either process
        status, _, answer = server.request("POST", "/api/predict", body, {"Content-Type": "application/json"})
        assert status == 200 and len(answer["predictions"]) == 3
    # The parent waits for both children (each gets 5 s for open connections): more than one's wait.
    assert stop_server(server.process, wait=30.0) == 0
    assert "Stopped." in server.process.stdout.read()
    for child in children:
        assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
