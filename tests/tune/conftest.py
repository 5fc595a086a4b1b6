"""Fixtures of the sweep tests: space files, `neurona ...` in-process, and a real PostgreSQL server."""

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("optuna")

from services import missing  # noqa: E402

# Trials of a few hundred MNIST images: a second or so each.
SMALL_SET = {"epochs": 2, "limit_train": 400, "limit_test": 100, "validation_split": 0.25}


def write_space(path, **changes):
    """A SPACE.json over small MLPs at `path`; `changes` replace its top-level keys."""
    space = {
        "recipe": "mnist-mlp",
        "set": dict(SMALL_SET),
        "search": {
            "optimizer_params.learning_rate": {"low": 1e-4, "high": 1e-1, "log": True},
            "hidden_layers": {"choices": [[8], [16, 8]]},
            "batch_size": {"low": 16, "high": 64},
        },
        "metric": "val_accuracy",
        "direction": "maximize",
        **changes,
    }
    path.write_text(json.dumps(space), encoding="utf-8")
    return path


@pytest.fixture
def space_file(tmp_path, data_dir):
    return write_space(tmp_path / "space.json")


def worker_command(space, study, runs_dir, *options):
    """The command line of one `neurona tune` worker process."""
    return [os.sys.executable, "-m", "neurona", "tune", str(space), "--study", study, "--runs-dir", str(runs_dir),
            "--no-plots", *map(str, options)]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server for this test session: Debian's binaries, run as the postgres user,
    a temporary data folder, 127.0.0.1 at a free port, trust authentication; stopped at the end."""
    pytest.importorskip("psycopg")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        missing("no PostgreSQL server binary found in /usr/lib/postgresql/*/bin")
    bindir = Path(found[-1]).parent
    as_server = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None:
            missing("runuser not found: needed to start PostgreSQL as the postgres user")
        as_server = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="neurona-postgres-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if as_server:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()

    def server(*args):
        subprocess.run(as_server + [str(bindir / args[0]), *args[1:]], check=True, capture_output=True, timeout=120)

    server("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -k {sockets} -c fsync=off -c max_connections=50"
    server("pg_ctl", "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60", "-o", options, "start")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server("pg_ctl", "-D", str(data), "-w", "stop", "-m", "fast")
        shutil.rmtree(base, ignore_errors=True)
