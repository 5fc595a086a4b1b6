"""`neurona evaluate RUN_OR_MODEL [--data NAME_OR_PATH]`: loss, accuracy, per-class report, confusion.

    neurona evaluate runs/20250101-120000-mnist-mlp
    neurona evaluate model.neurona --data mnist --per-sample     seed 000's line per test image
"""

from pathlib import Path

import click


@click.command("evaluate")
@click.argument("run_or_model", metavar="RUN_OR_MODEL")
@click.option("--data", "data_name", metavar="NAME_OR_PATH",
              help="Dataset to test on (default: the run's own). Needed for a model file outside a run folder.")
@click.option("--limit-test", type=click.IntRange(min=1), help="Use only the first N test images.")
@click.option("--per-sample", is_flag=True, help="Print seed 000's line per image and write them to a CSV.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False),
              help="Where --per-sample writes (default: per_sample_<data>.csv in the run folder, else here).")
def evaluate(run_or_model, data_name, limit_test, per_sample, csv_path):
    """Test a run's model (or a model file) on a dataset's test images."""
    from neurona import datasets
    from neurona.models import load_model
    from neurona.runs import evaluation as run_evaluation
    from neurona.runs import folder
    from neurona.reports.metrics import format_classification_report

    info = folder.locate(run_or_model)
    data_name = data_name or info.dataset_name
    if data_name is None:
        raise click.UsageError(f"{run_or_model} is not in a run folder: say which data to test on with --data.")
    model = load_model(info.model_path)
    dataset = datasets.load(data_name)
    images, labels = dataset.x_test[:limit_test], dataset.y_test[:limit_test]
    if len(labels) == 0:
        raise ValueError(f"{dataset.name} has no test images to evaluate on.")
    result = run_evaluation.evaluate_model(model, images, labels, list(dataset.class_names),
                                           what=f"the {dataset.name} test images")

    if per_sample:
        rows = run_evaluation.per_sample_rows(result)
        for row in rows:
            click.echo(run_evaluation.format_per_sample(row))
        click.echo("-------------------------------")
        click.echo("Results")
        click.echo("-------------------------------")
    click.echo(f"Model: {info.model_path}")
    click.echo(f"Data: {dataset.name} test images ({len(labels):,}), from {dataset.source}")
    click.echo(f"Testing time: {result.seconds:.2f} s")
    click.echo(f"Test loss: {result.loss:.4f}")
    click.echo(f"Test accuracy: {result.accuracy:.2%}")
    click.echo("")
    click.echo(format_classification_report(result.report))
    click.echo("")
    click.echo("Confusion matrix (rows: true class, columns: predicted):")
    click.echo(run_evaluation.format_confusion(result.confusion, result.class_names))
    if per_sample:
        if csv_path is None:
            where = info.run_dir if info.run_dir is not None else Path(".")
            csv_path = where / f"per_sample_{dataset.name}.csv"
        run_evaluation.write_per_sample_csv(rows, csv_path)
        click.echo(f"Per-sample results: {csv_path}")
