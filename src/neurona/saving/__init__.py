"""Model files: neurona's own format, Keras' `.keras` and `.h5`, and ONNX export.

    model.save("model.neurona")            # ours: architecture, weights, optimizer state, RNG state
    model.save("model.keras")              # Keras 3's zip, readable by keras.models.load_model
    model.save("mi_modelo.h5")             # Keras' legacy HDF5, readable by Keras 2 and 3
    model = neurona.models.load_model(path)    # any of the three, whoever wrote it
    neurona.saving.export_onnx(model, "model.onnx")
    json_string = model.to_json()          # the architecture alone, in Keras' JSON layout
    model = neurona.models.model_from_json(json_string)

Models are Sequential or functional (`keras.Model(inputs, outputs)`), and may hold models as
layers. Saving picks the format from the name (as Keras does): `.keras`, `.h5` / `.hdf5`,
anything else ours. Loading looks at the content instead: a zip holding `neurona.json` is ours, a zip
holding `config.json` is Keras 3's, an HDF5 file is Keras' legacy format. h5py (extra
`data`) is needed for the Keras formats and imported only then; `onnx` (extra `onnx`) only
for export.

Keras' formats carry the architecture, weights, compile settings and optimizer variables
(so the next training step after loading is the same), but not what neurona adds for exact
resumption: Dropout's generator, the shuffle seed and epoch count. Keras stores the learning
rate as float32; reading takes the shortest decimal with that float32 value (0.001, not
0.0010000000474974513). Keras 2 reads our .h5 but starts a fresh optimizer state.

Loading is safe on untrusted files: it never executes code or unpickles, resolves layers,
optimizers and losses through neurona's registries of names, checks every size and shape
before reading or allocating (see `limits`), and refuses a file with one `ModelFileError`
(a ValueError) that names the file and the problem. Nothing is written while loading. Saves
are atomic: a temporary file beside the target, renamed over it once complete.
"""

import contextlib
import os
import stat

from neurona.saving import limits, neurona_format
from neurona.saving.errors import ModelFileError
from neurona.saving.safe_zip import Archive, looks_pickled

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def format_for_path(filepath):
    """'keras', 'h5' or 'neurona': the format `save_model` writes for this name."""
    name = os.fspath(filepath).lower()
    if name.endswith(".keras"):
        return "keras"
    if name.endswith((".h5", ".hdf5")):
        return "h5"
    return "neurona"


def save_model(model, filepath, overwrite=True):
    """Save `model` to `filepath` in the format its suffix names (see `format_for_path`)."""
    form = format_for_path(filepath)
    if form == "keras":
        from neurona.saving import keras_v3

        keras_v3.save(model, filepath, overwrite)
    elif form == "h5":
        from neurona.saving import keras_h5

        keras_h5.save(model, filepath, overwrite)
    else:
        neurona_format.save(model, filepath, overwrite)


def save_weights(model, filepath, overwrite=True):
    """Save only the weights: `.weights.h5` as Keras 3, `.h5` as Keras 2, anything else ours."""
    name = os.fspath(filepath).lower()
    if name.endswith(".weights.h5"):
        from neurona.saving import keras_v3

        keras_v3.save_weights(model, filepath, overwrite)
    elif name.endswith((".h5", ".hdf5")):
        from neurona.saving import keras_h5

        keras_h5.save_weights(model, filepath, overwrite)
    elif name.endswith(".keras"):
        raise ValueError(
            f"save_weights cannot write {filepath}: a .keras file holds a whole model. Use "
            "model.save(...) for it, or a name ending in .weights.h5 or .neurona for weights alone."
        )
    else:
        neurona_format.save(model, filepath, overwrite, weights_only=True)


def load_model(filepath, compile=True):
    """The model saved at `filepath` by neurona or by Keras (`.keras` or `.h5`).

    Args:
        filepath: path of the file (str or os.PathLike).
        compile: also restore the optimizer (with its state), the loss and the metrics.

    Raises:
        FileNotFoundError: no file there.
        ModelFileError: the file is refused (the message says why).
    """
    with _identify(filepath) as (form, source):
        if form == "neurona":
            return neurona_format.load(source, compile=compile)
        if form == "keras":
            from neurona.saving import keras_v3

            return keras_v3.load(source, compile=compile)
        from neurona.saving import keras_h5

        return keras_h5.load(source, compile=compile)


def load_weights(model, filepath):
    """Copy the weights saved at `filepath` (any of the three formats) into `model`."""
    with _identify(filepath) as (form, source):
        if form == "neurona":
            return neurona_format.load_weights(model, source)
        if form == "keras":
            from neurona.saving import keras_v3

            return keras_v3.load_weights(model, source)
        from neurona.saving import keras_h5

        return keras_h5.load_weights(model, source)


def model_to_json(model, **kwargs):
    """The architecture of `model` as Keras' JSON text (see `keras_json`)."""
    from neurona.saving import keras_json

    return keras_json.model_to_json(model, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """The model Keras' JSON text describes, with fresh weights (see `keras_json`)."""
    from neurona.saving import keras_json

    return keras_json.model_from_json(json_string, custom_objects=custom_objects)


def export_onnx(model, filepath, overwrite=True, opset=17):
    """Write `model` for inference as an ONNX graph (needs the `onnx` package)."""
    from neurona.saving import onnx_export

    onnx_export.export(model, filepath, overwrite=overwrite, opset=opset)


@contextlib.contextmanager
def _identify(filepath):
    """Yield ('neurona' | 'keras', Archive) or ('h5', path) after the checks every file gets."""
    path = os.fspath(filepath)
    what = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No model file at {path}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(f"{what} is not a regular file.")
    if info.st_size > limits.MAX_FILE_BYTES:
        raise ModelFileError(
            f"{what} is {info.st_size} bytes, more than the limit of {limits.MAX_FILE_BYTES} "
            "(neurona.saving.limits.MAX_FILE_BYTES)."
        )
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        with Archive(path, what) as archive:
            if neurona_format.MANIFEST in archive.names:
                yield "neurona", archive
            elif "config.json" in archive.names:
                yield "keras", archive
            else:
                archive.refuse_pickles()
                raise ModelFileError(
                    f"{what} is a zip archive but not a neurona or Keras model: it has no "
                    f"{neurona_format.MANIFEST} or config.json (members: {', '.join(archive.names[:5]) or 'none'})."
                )
        return
    if head.startswith(_HDF5_MAGIC):
        yield "h5", path
        return
    if not head:
        raise ModelFileError(f"{what} is empty.")
    if looks_pickled(head):
        raise ModelFileError(f"{what} is a pickle; neurona never unpickles (it could run arbitrary code).")
    raise ModelFileError(
        f"{what} is not a model file neurona reads: expected a .neurona or .keras zip archive or "
        f"a Keras .h5 (HDF5) file; it starts with {head[:8]!r}."
    )


__all__ = ["ModelFileError", "export_onnx", "format_for_path", "limits", "load_model", "load_weights",
           "model_from_json", "model_to_json", "save_model", "save_weights"]
