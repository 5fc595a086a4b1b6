"""Entry point of `neurona`: the command group, lazy command loading and error reporting.

Exit codes: 0 success, 2 bad usage (click's), 1 any other error, reported as one line on
stderr; `neurona --debug ...` shows the traceback instead.
"""

import importlib
import importlib.util
import sys
import traceback

import click

import neurona

# command name -> module defining a click command of the same name (loaded on demand).
COMMANDS = {
    "train": "neurona.cli.train",
    "evaluate": "neurona.cli.evaluate",
    "predict": "neurona.cli.predict",
    "compare": "neurona.cli.compare",
    "report": "neurona.cli.report",
    "data": "neurona.cli.data",
    "export": "neurona.cli.export",
    "tune": "neurona.cli.tune",
    "serve": "neurona.cli.serve",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (keeps `neurona --help` fast)."""

    def list_commands(self, ctx):
        return [name for name in COMMANDS if _command_module_exists(name)]

    def get_command(self, ctx, name):
        if name not in COMMANDS or not _command_module_exists(name):
            return None
        module = importlib.import_module(COMMANDS[name])
        return getattr(module, name)


def _command_module_exists(name):
    return importlib.util.find_spec(COMMANDS[name]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(neurona.__version__, prog_name="neurona")
@click.pass_context
def cli(ctx, debug):
    """neurona: train, evaluate and use neural-network image classifiers."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv=None):
    """Run the CLI; returns the exit code (and is the console-script entry point)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        # Without standalone mode click returns ctx.exit(n)'s code instead of raising it.
        code = cli.main(args=argv, prog_name="neurona", standalone_mode=False)
    except click.exceptions.Exit as stop:
        return stop.exit_code
    except click.UsageError as error:
        error.show()
        return 2
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as error:  # noqa: BLE001 - the CLI's promise: one line, no traceback
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"error: {error}", err=True)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
