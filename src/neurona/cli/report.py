"""`neurona report RUN`: (re)build a run folder's report.html from its files."""

from pathlib import Path

import click


@click.command("report")
@click.argument("run", metavar="RUN")
def report(run):
    """Rebuild RUN/report.html from config.json, metrics.json, history.csv and the PNG plots."""
    from neurona.reports.html import build_report

    path = build_report(Path(run))
    click.echo(f"Wrote {path}")
