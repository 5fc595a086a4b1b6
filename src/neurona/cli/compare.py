"""`neurona compare --data mnist`: neurona's MLPs against scikit-learn's classifiers, one table.

    neurona compare --data mnist
    neurona compare --data mnist --models svc,knn,neurona_seed000 --subsample 20000
    neurona compare --data mnist --limit-train 2000 --limit-test 500 --epochs 2     a quick look

Needs scikit-learn (`pip install 'neurona[sklearn]'`): neurona's rows are
`neurona.sklearn.NeuronaClassifier`s, fitted and scored like the others.
"""

import click

from neurona.runs import baselines


def _models(ctx, param, value):
    if value is None:
        return list(baselines.DEFAULT_MODELS)
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in baselines.DEFAULT_MODELS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown model {', '.join(unknown) or '(none given)'}; choose from {', '.join(baselines.DEFAULT_MODELS)}.")
    return names


@click.command("compare")
@click.option("--data", "data_name", default="mnist", show_default=True, metavar="NAME_OR_PATH", help="Dataset.")
@click.option("--models", callback=_models, metavar="A,B,...",
              help=f"Models to compare (default all: {', '.join(baselines.DEFAULT_MODELS)}).")
@click.option("--limit-train", type=click.IntRange(min=1), help="Use only the first N training images.")
@click.option("--limit-test", type=click.IntRange(min=1), help="Use only the first N test images.")
@click.option("--subsample", type=click.IntRange(min=0), default=10000, show_default=True,
              help="Training images for the slow models (svc, knn); 0 for all.")
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs of the neurona models (default: their recipes').")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), help="Folder for compare.csv and compare.md "
              "(default runs/<time>-compare-<data>).")
@click.option("--runs-dir", default="runs", show_default=True, type=click.Path(file_okay=False))
def compare(data_name, models, limit_train, limit_test, subsample, epochs, seed, out, runs_dir):
    """Train and test neurona and scikit-learn models on the same split; print, save CSV and Markdown."""
    from pathlib import Path

    from neurona import datasets
    from neurona.runs import comparison, folder

    baselines.require_sklearn()  # before loading data and training anything
    dataset = datasets.load(data_name)
    num_train, num_test = len(dataset.x_train[:limit_train]), len(dataset.x_test[:limit_test])
    click.echo(f"Comparing {len(models)} models on {dataset.name} ({num_train:,} training, {num_test:,} test images).")
    entries = comparison.compare(dataset, models, limit_train, limit_test, subsample, epochs, seed, echo=click.echo)

    out = Path(out) if out else folder.new_run_dir(f"compare-{dataset.name}", runs_dir)
    out.mkdir(parents=True, exist_ok=True)
    title = f"Test accuracy on {dataset.name}: {num_train:,} training images (unless noted), {num_test:,} test images"
    (out / "compare.csv").write_text(comparison.to_csv(entries), encoding="utf-8")
    (out / "compare.md").write_text(comparison.to_markdown(entries, title), encoding="utf-8")
    click.echo("")
    click.echo(comparison.format_table(entries))
    click.echo("")
    click.echo(f"Saved {out / 'compare.csv'} and {out / 'compare.md'}")
