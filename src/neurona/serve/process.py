"""Running the app under uvicorn on a socket already listening, in this process or in several.

Python runs one thread at a time in a process, so `neurona serve --processes N` starts N of
these processes on the one listening socket (the kernel hands each new connection to one of
them), each with its own event loop, worker threads and model copies:

    python -m neurona.serve.process FD MODEL [--threads 2] [--queue 64] ...   (one of the N)

The parent keeps them in a session of their own, so that Ctrl-C reaches the parent alone and
it passes one SIGINT on to each: uvicorn takes a second SIGINT as "stop without waiting".
"""

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import uvicorn

OPTIONS = ("threads", "max_queue", "timeout", "max_body_size", "max_instances")


def run(app, listener):
    """Serve `app` on the listening socket `listener` until SIGINT or SIGTERM."""
    # python-multipart logs each malformed body it meets; the client gets the 400 with the reason.
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    # After Ctrl-C, open connections get 5 s to finish before they are closed: a keep-alive
    # client that stays connected does not hold the server up.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn shuts down on Ctrl-C, then raises it again for the caller
        pass


def run_processes(count, listener, model_path, options, stop_wait=15.0):
    """Serve from `count` child processes sharing `listener`; returns when they have stopped.

    Raises:
        RuntimeError: a child exited on its own (its own error is on stderr).
    """
    fd = listener.fileno()
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C stops the children even where this process started with SIGINT ignored (a
        # background job's, which Python then leaves ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    flags = [f"--{name.replace('_', '-')}={options[name]}" for name in OPTIONS if name in options]
    children = [subprocess.Popen([sys.executable, "-m", "neurona.serve.process", str(fd), str(model_path), *flags],
                                 pass_fds=(fd,), start_new_session=True) for _ in range(count)]
    failed = None
    try:
        while failed is None:
            failed = next((child for child in children if child.poll() is not None), None)
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + stop_wait
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    if failed is not None:
        raise RuntimeError(f"a server process exited with code {failed.returncode}; the others were stopped.")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m neurona.serve.process",
                                     description="One of the processes of `neurona serve --processes N`.")
    parser.add_argument("fd", type=int, help="File descriptor of the listening socket.")
    parser.add_argument("model_path")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-queue", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--max-body-size", type=int, default=2 * 1024 * 1024)
    parser.add_argument("--max-instances", type=int, default=256)
    args = parser.parse_args(argv)
    from neurona.serve.app import create_app

    try:
        app = create_app(args.model_path, threads=args.threads, max_queue=args.max_queue, timeout=args.timeout,
                         max_body_size=args.max_body_size, max_instances=args.max_instances)
    except Exception as error:  # noqa: BLE001 - one line, as the CLI reports errors
        print(f"error: {error}", file=sys.stderr)
        return 1
    _stop_when_orphaned()
    run(app, socket.socket(fileno=args.fd))
    return 0


def _stop_when_orphaned(every=1.0):
    """SIGINT this process once its parent has gone (killed without passing a signal on)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, daemon=True, name="neurona-serve-parent-watch").start()


if __name__ == "__main__":
    sys.exit(main())
