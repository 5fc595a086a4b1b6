"""The `neurona` command line: one module per command, each a thin layer over the library."""

from neurona.cli.main import cli, main

__all__ = ["cli", "main"]
