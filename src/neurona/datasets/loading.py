"""`load`: one entry point for named datasets and for files or folders in any format."""

from pathlib import Path

from neurona.datasets import catalog
from neurona.datasets.formats import read_dataset
from neurona.datasets.resolve import resolve


def load(name_or_path, format=None, *, sources=None, progress=None, **options):
    """A `Dataset` by name ("mnist", "fashion_mnist", "catvnoncat") or from a file or folder.

    Args:
        name_or_path: a name from `catalog.CATALOG`, or a path (see `formats` for layouts).
        format: for a path: "idx", "npz", "npy", "csv", "csv-split", "hdf5" or "images";
            detected when None.
        sources: for a name: the sources to try (see `resolve`).
        progress: for a name: progress(label, done, total) during downloads.
        **options: for a path, passed to the format's reader (image_shape, keys, image_size,
            color_mode, max_pixels).

    Example:
        >>> data = load("fashion_mnist")
        >>> data.x_train.shape, data.class_names[9], data.source
        ((60000, 28, 28), 'Ankle boot', 'data directory /data/fashion-mnist')
        >>> photos = load("my_photos/", image_size=(28, 28), color_mode="grayscale")
    """
    name = str(name_or_path)
    if format is None and name in catalog.CATALOG:
        return resolve(catalog.CATALOG[name], sources=sources, progress=progress)
    path = Path(name_or_path).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"{name}: neither a known dataset ({', '.join(catalog.CATALOG)}) nor an existing file or folder."
        )
    return read_dataset(path, format, **options)
