"""`neurona serve MODEL`: the model behind an HTTP API and a draw-a-digit page.

    neurona serve runs/X                      http://127.0.0.1:8000/ until Ctrl-C
    neurona serve model.keras --port 9000     any file load_model reads
    neurona serve runs/X --processes 2        two server processes on the one port

Listens on 127.0.0.1 unless --host says otherwise (then it warns: the API has no login).
Needs the `serve` extra (`pip install 'neurona[serve]'`).
"""

import socket

import click

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@click.command("serve")
@click.argument("model_path", metavar="MODEL_OR_RUN")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True,
              help="Prediction threads, each with its own copy of the model.")
@click.option("--queue", "max_queue", type=click.IntRange(min=1), default=64, show_default=True,
              help="Predictions that may wait for a thread; beyond them requests get 503.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds a prediction may take, waiting included (then 503).")
@click.option("--max-body-size", type=click.IntRange(min=1), default=2 * 1024 * 1024, show_default=True,
              help="Bytes a request body may have (then 413).")
@click.option("--max-instances", type=click.IntRange(min=1), default=256, show_default=True,
              help="Instances one JSON request may hold (then 400).")
@click.option("--processes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes sharing the port, each with its own threads and model copies "
                   "(Python runs one thread at a time per process).")
def serve(model_path, host, port, threads, max_queue, timeout, max_body_size, max_instances, processes):
    """Serve MODEL_OR_RUN (a run folder or a model file): a page at / and POST /api/predict."""
    try:
        from neurona.serve import process
        from neurona.serve.app import create_app
    except ImportError as error:
        raise click.ClickException(f"neurona serve needs the serve extra (pip install 'neurona[serve]'): "
                                   f"{error.name} is missing.") from None

    options = {"threads": threads, "max_queue": max_queue, "timeout": timeout, "max_body_size": max_body_size,
               "max_instances": max_instances}
    # With several processes this one only checks that the model can be served, on one thread.
    app = create_app(model_path, **{**options, "threads": 1 if processes > 1 else threads})
    listener = _listen(host, port)
    bound_port = listener.getsockname()[1]
    if host not in LOOPBACK_HOSTS:
        click.echo(f"warning: listening on {host}, not only this machine: anyone who can reach it can use the "
                   "model (the API has no login). Use --host 127.0.0.1 to keep it local.", err=True)
    card = app.state.card
    shown_host = f"[{host}]" if ":" in host else host
    workers = f"{threads} prediction thread{'s' if threads > 1 else ''}"
    if processes > 1:
        workers = f"{processes} processes of {workers}"
    click.echo(f"Serving {card.name} (sha256 {card.sha256[:12]}) with {workers} at "
               f"http://{shown_host}:{bound_port}/ (Ctrl-C stops it)")
    try:
        if processes > 1:
            app.state.pool.close()
            process.run_processes(processes, listener, model_path, options)
        else:
            process.run(app, listener)
    finally:
        listener.close()
    click.echo("Stopped.")


def _listen(host, port):
    """A socket bound to (host, port) and listening, so that a busy port is one clear error."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
        listener = socket.socket(infos[0][0], socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(infos[0][4])
        listener.listen(2048)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}.") from None
    return listener
