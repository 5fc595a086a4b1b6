"""Load on `neurona serve`: concurrent clients posting images over keep-alive HTTP/1.1.

    python -m benchmarks.serve_load [RUN] [--clients 16] [--requests 2000] [--threads 2]

Starts `python -m neurona serve RUN` on a free 127.0.0.1 port (without RUN, the seed-003 MLP,
trained first into runs/bench-serve-seed003 when that folder is missing), then runs `--clients`
clients on one asyncio loop, each on its own keep-alive connection sending `--requests` PNG
requests one after another: the first 100 MNIST test images, cycled, at their own 28x28 size
(`--size 280` sends them enlarged to the page's canvas size instead). The client writes
prepared request bytes and reads the answers with asyncio streams, so it costs little beside
the server. Reported: requests per second over the whole run, the median and 99th-percentile
latency of a request, the errors (any answer but 200, or a broken connection), the CPU time
the server and the client spent per request (from /proc), and the CPU, the thread counts and
the command.
"""

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RUN = ROOT / "runs" / "bench-serve-seed003"


def png_bodies(count=100, size=28):
    """PNG files of the first `count` MNIST test images (white digits on black), `size` pixels a side."""
    from PIL import Image

    from neurona import datasets

    images = datasets.load("mnist").x_test[:count]
    bodies = []
    for image in images:
        picture = Image.fromarray(image)
        if size != 28:
            picture = picture.resize((size, size), Image.Resampling.BILINEAR)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        bodies.append(buffer.getvalue())
    return bodies


def request_bytes(host, port, body, content_type="image/png", path="/api/predict"):
    """One keep-alive HTTP/1.1 POST, ready to write."""
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode("ascii") + body


async def _read_response(reader):
    """(status, body) of one HTTP/1.1 response with a Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _client(host, port, requests, count, offset, latencies, failures, time_limit):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        deadline = time.monotonic() + time_limit
        for index in range(count):
            request = requests[(offset + index) % len(requests)]
            start = time.perf_counter()
            writer.write(request)
            try:
                status, body = await asyncio.wait_for(_read_response(reader), max(0.1, deadline - time.monotonic()))
            except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as error:
                failures.append(f"{type(error).__name__}: {error}")
                return
            latencies.append(time.perf_counter() - start)
            if status != 200:
                failures.append(f"{status}: {body[:200].decode('utf-8', 'replace')}")
    finally:
        writer.close()


def run_load(host, port, bodies, clients=16, requests_per_client=2000, time_limit=600.0):
    """Run the clients against a server already listening; returns {'requests', 'seconds',
    'requests_per_second', 'p50_ms', 'p99_ms', 'errors', 'first_errors'}.

    `time_limit` bounds the whole run: a client still waiting then counts one error and stops.
    """
    requests = [request_bytes(host, port, body) for body in bodies]
    latencies, failures = [], []

    async def main():
        await asyncio.gather(*(_client(host, port, requests, requests_per_client, index * 7, latencies, failures,
                                       time_limit) for index in range(clients)))

    start = time.perf_counter()
    asyncio.run(main())
    seconds = time.perf_counter() - start
    values = np.array(latencies) * 1000 if latencies else np.array([np.nan])
    return {"requests": len(latencies), "seconds": seconds, "requests_per_second": len(latencies) / seconds,
            "p50_ms": float(np.percentile(values, 50)), "p99_ms": float(np.percentile(values, 99)),
            "errors": len(failures), "first_errors": failures[:5]}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model_path, port, threads=2, extra=(), wait=60.0):
    """`python -m neurona serve MODEL --port PORT` as a subprocess, once /healthz answers.

    Its stderr (and its children's, with --processes) goes to a temporary file,
    `process.error_log`, which never fills as an unread pipe would and block the server."""
    import tempfile

    error_log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([sys.executable, "-m", "neurona", "serve", str(model_path), "--port", str(port),
                                "--threads", str(threads), *extra],
                               stdout=subprocess.PIPE, stderr=error_log, text=True)
    process.error_log = error_log
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error_log.seek(0)
            raise RuntimeError(f"neurona serve exited with code {process.returncode}: {error_log.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if json.loads(response.read()) == {"status": "ok"}:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"neurona serve did not answer /healthz within {wait:g} s.")


def stop_server(process, wait=15.0):
    """Ctrl-C (SIGINT) the server and wait for it; killed if it does not stop in time."""
    import signal

    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def process_cpu_seconds(pid):
    """User + system CPU seconds of process `pid` so far, all its threads (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(pid):
    """`process_cpu_seconds` of the server and of its child processes (with --processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return process_cpu_seconds(pid) + sum(process_cpu_seconds(int(child)) for child in children)


def ensure_seed003(run_dir=DEFAULT_RUN):
    """The seed-003 run folder, trained first (about a minute) when it is missing."""
    run_dir = Path(run_dir)
    if not (run_dir / "model.neurona").is_file():
        run_dir.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "neurona", "train", "seed003", "--out", str(run_dir), "--overwrite",
                        "--quiet"], check=True)
    return run_dir


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", help="Run folder or model file (default: the seed-003 MLP).")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000, help="Requests per client.")
    parser.add_argument("--threads", type=int, default=2, help="The server's prediction threads (per process).")
    parser.add_argument("--processes", type=int, default=1, help="The server's processes (neurona serve --processes).")
    parser.add_argument("--size", type=int, default=28, help="Side of the PNG images sent, in pixels.")
    args = parser.parse_args(argv)

    from neurona.utils.machine import cpu_description, cpu_info

    run = Path(args.run) if args.run else ensure_seed003()
    bodies = png_bodies(size=args.size)
    port = free_port()
    server = start_server(run, port, threads=args.threads, extra=["--processes", str(args.processes)])
    try:
        run_load("127.0.0.1", port, bodies[:10], clients=2, requests_per_client=50)  # warm-up
        server_before, client_before = server_cpu_seconds(server.pid), process_cpu_seconds(os.getpid())
        result = run_load("127.0.0.1", port, bodies, clients=args.clients, requests_per_client=args.requests)
        server_cpu = server_cpu_seconds(server.pid) - server_before
        client_cpu = process_cpu_seconds(os.getpid()) - client_before
    finally:
        stop_server(server)
    command = "python -m benchmarks.serve_load " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"CPU: {cpu_description(cpu_info())}")
    print(f"Command: {command.strip()}")
    print(f"Model: {run}; server: {args.processes} process(es) of {args.threads} prediction threads; clients: {args.clients} x {args.requests} requests "
          f"of {args.size}x{args.size} PNG ({np.mean([len(body) for body in bodies]):.0f} bytes on average)")
    print(f"Requests: {result['requests']:,} in {result['seconds']:.1f} s = {result['requests_per_second']:.0f} req/s")
    print(f"Latency: p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms")
    served = max(result["requests"], 1)
    print(f"CPU per request: server {server_cpu / served * 1000:.2f} ms, client {client_cpu / served * 1000:.2f} ms "
          f"(server {server_cpu / result['seconds']:.2f} cores busy on average)")
    print(f"Errors: {result['errors']}" + (f" (first: {result['first_errors']})" if result["errors"] else ""))
    print(f"Load average after the run: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
