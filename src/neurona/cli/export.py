"""`neurona export MODEL --format onnx|keras|h5|neurona [--out PATH]`: convert a model file.

MODEL is any file `load_model` reads (ours, Keras' .keras or .h5). `neurona export model
MODEL ...` (issue 5's spelling) is accepted too. Without --out the result goes next to
MODEL with the format's suffix (model.neurona -> model.onnx).
"""

from pathlib import Path

import click

SUFFIXES = {"onnx": ".onnx", "keras": ".keras", "h5": ".h5", "neurona": ".neurona"}


@click.command("export")
@click.argument("model_args", nargs=-1, required=True, metavar="MODEL")
@click.option("--format", "format_name", type=click.Choice(sorted(SUFFIXES)), default="onnx",
              show_default=True, help="What to write.")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="Output file (default: next to MODEL, with the format's suffix).")
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output file.")
def export(model_args, format_name, out, overwrite):
    """Write MODEL as ONNX (for inference), Keras 3 .keras, Keras .h5 or neurona's format."""
    from neurona import saving
    from neurona.saving import keras_h5, keras_v3, neurona_format

    model_path = _model_path(model_args)
    out_path = Path(out) if out else model_path.with_suffix(SUFFIXES[format_name])
    if out_path.exists() and out_path.resolve() == model_path.resolve():
        raise click.UsageError(f"--out {out_path} is the model file itself; choose another name.")
    model = saving.load_model(model_path, compile=format_name != "onnx")
    if format_name == "onnx":
        saving.export_onnx(model, out_path, overwrite=overwrite)
    elif format_name == "keras":
        keras_v3.save(model, out_path, overwrite=overwrite)
    elif format_name == "h5":
        keras_h5.save(model, out_path, overwrite=overwrite)
    else:
        neurona_format.save(model, out_path, overwrite=overwrite)
    click.echo(f"Wrote {out_path} ({format_name}).")


def _model_path(model_args):
    if len(model_args) == 2 and model_args[0] == "model":
        model_args = model_args[1:]
    if len(model_args) != 1:
        raise click.UsageError(f"expected one MODEL path. Received: {' '.join(model_args)}")
    path = Path(model_args[0])
    if not path.is_file():
        raise click.UsageError(f"MODEL {path} is not a file.")
    return path
