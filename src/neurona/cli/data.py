"""`neurona data`: list, fetch, inspect and export datasets.

    neurona data list                       what is known, cached or found locally
    neurona data fetch mnist                resolve it (downloading if needed) into the cache
    neurona data info fashion_mnist         shapes, classes, source, checksums
    neurona data info my_photos/            ... of a file or folder in any supported format
    neurona data export mnist --format csv --out data/   mnist_train.csv, mnist_test.csv
"""

import sys

import click
import numpy as np

from neurona.datasets import catalog, paths
from neurona.datasets.checksums import manifest_sha256
from neurona.datasets.formats import FORMATS, write_dataset
from neurona.datasets.loading import load
from neurona.datasets.resolve import resolve
from neurona.utils import Progbar


@click.group()
def data():
    """List, fetch, inspect and export datasets (by name, or files and folders)."""


@data.command("list")
def list_command():
    """Known datasets: where a copy is found, the cache's size, the expected checksum."""
    click.echo(f"{'name':<15}{'classes':>8}  {'cached':>9}  {'found in':<40}checksum (SHA-256 of the content)")
    for spec in catalog.CATALOG.values():
        cache = paths.cache_dir() / spec.folder
        size = sum(file.stat().st_size for file in cache.iterdir() if file.is_file()) if cache.is_dir() else 0
        found = [source.label for source in spec.sources
                 if (location := source.location(spec)) is not None and location.exists()]
        click.echo(
            f"{spec.name:<15}{len(spec.class_names):>8}  {_megabytes(size) if size else '-':>9}  "
            f"{', '.join(found) or '-':<40}{manifest_sha256(spec.checksums)}"
        )
    data_dir = paths.data_dir()
    click.echo(f"data directory: {data_dir or 'not set'} ({paths.DATA_DIR_VARIABLE})")
    click.echo(f"cache: {paths.cache_dir()} ({paths.CACHE_DIR_VARIABLE})")


@data.command()
@click.argument("name", metavar="NAME", type=click.Choice(list(catalog.CATALOG)))
def fetch(name):
    """Find NAME through the sources, download it if needed, verify it and cache it."""
    dataset = resolve(catalog.get(name), progress=_DownloadProgress())
    click.echo(f"{name}: {len(dataset.x_train)} train + {len(dataset.x_test)} test images, verified")
    click.echo(f"from {dataset.source}")
    click.echo(f"checksum {dataset.checksum}")


@data.command()
@click.argument("name_or_path")
@click.option("--format", "format_", type=click.Choice(FORMATS), help="Format of a path (detected when omitted).")
def info(name_or_path, format_):
    """Shapes, classes, source and checksums of a named dataset or a file or folder."""
    dataset = load(name_or_path, format_)
    click.echo(f"{dataset.name}: {len(dataset.class_names)} classes, "
               f"images {dataset.image_shape} {dataset.x_train.dtype}")
    click.echo(f"source: {dataset.source}")
    for split in ("train", "test"):
        labels = getattr(dataset, f"y_{split}")
        counts = np.bincount(labels, minlength=len(dataset.class_names))
        click.echo(f"{split}: {len(labels)} images; per class: "
                   + ", ".join(f"{name} {count}" for name, count in zip(dataset.class_names, counts)))
    click.echo(f"checksum: {dataset.checksum}")
    for part, checksum in dataset.checksums.items():
        click.echo(f"  {part:<8} {checksum}")


@data.command("export")
@click.argument("name_or_path")
@click.option("--format", "format_", type=click.Choice(FORMATS), required=True,
              help="csv: label + pixels per row (seed 000); csv-split: seed 001's four files; "
                   "images: class folders of PNG; also idx, npz, npy, hdf5.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write into.")
def export_command(name_or_path, format_, out):
    """Write a dataset (named, or read from a path) to OUT in another format."""
    dataset = load(name_or_path)
    written = write_dataset(dataset, out, format_)
    shown = ", ".join(path.name for path in written[:4]) + (", ..." if len(written) > 4 else "")
    click.echo(f"wrote {len(written)} files to {out}: {shown}")


class _DownloadProgress:
    """progress(label, done, total) for `resolve`: a Progbar per download, on stderr."""

    def __init__(self):
        self.label, self.bar = None, None

    def __call__(self, label, done, total):
        if label != self.label:
            self.label = label
            click.echo(label, err=True)
            self.bar = Progbar(total, stream=sys.stderr) if total else None
        if self.bar is not None:
            self.bar.update(done, values={"MB": round(done / 1e6, 1)})
        elif total is not None and done >= total:
            click.echo(f"  {_megabytes(done)}", err=True)


def _megabytes(size):
    return f"{size / 1e6:.1f} MB"
