"""Keras 3's `.keras` format (and its `.weights.h5`), read and written without Keras.

A `.keras` file is a zip of three members:

    metadata.json      {"keras_version": ..., "date_saved": ...}
    config.json        the model config, with "compile_config" (optimizer, loss, metrics)
    model.weights.h5   HDF5: layers/<name>/vars/0, 1, ...   (each layer's weights)
                             optimizer/vars/0, 1, ...       (iteration, learning_rate, slots)
                             vars/                          (the model's own, none here)

Layers are addressed in the weights by their class name in snake case, numbered in order
of appearance (dense, dense_1, flatten, ...), not by their own names, as Keras does; a
functional model's layers in Keras' order (its InputLayer counts), a nested model's under
its own path (`layers/sequential/layers/dense/vars`). A layer's variables are numbered in
Keras' order, its trainable weights then its others, which for every neurona layer is the
order it creates them in (BatchNormalization: gamma, beta, moving_mean, moving_variance;
Normalization: mean, variance, count, the count an int64). A `.weights.h5` file is
`model.weights.h5` on its own.
"""

import datetime
import io
import zipfile

import neurona
from neurona.models import Model
from neurona.saving import building, h5_safe, keras_config, keras_optimizer, limits, model_state, safe_json
from neurona.utils.atomic import atomic_path
from neurona.saving.errors import ModelFileError

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
KERAS_VERSION = "3.0.0"  # the Keras release whose reader this layout targets


def save(model, filepath, overwrite=True):
    """Write `model` as a Keras 3 `.keras` file, atomically."""
    config = keras_config.model_to_keras(model, "keras3", str(filepath))
    config["compile_config"] = keras_config.compile_to_keras(model, "keras3")
    metadata = {"keras_version": KERAS_VERSION, "neurona_version": neurona.__version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = _weights_bytes(model)
    with atomic_path(filepath, overwrite, durable=True) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        archive.writestr(METADATA, safe_json.dumps(metadata))
        archive.writestr(CONFIG, safe_json.dumps(config))
        archive.writestr(WEIGHTS, weights)


def save_weights(model, filepath, overwrite=True):
    """Write Keras 3's `.weights.h5`: the layers' and the optimizer's variables."""
    weights = _weights_bytes(model)
    with atomic_path(filepath, overwrite, durable=True) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(weights)


def _weights_bytes(model):
    h5py = h5_safe.h5py_module()
    leaves = keras_config.keras_leaves(model)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        for path, layer in leaves:
            group = handle.create_group(f"layers/{path}/vars")
            group.attrs["name"] = layer.name
            if not isinstance(layer, Model):
                for position, (_, value) in enumerate(keras_config.keras_weights(layer)):
                    group.create_dataset(str(position), data=value)
        variables = keras_optimizer.keras3_variables(model, [layer for _, layer in leaves])
        if variables:
            group = handle.create_group("optimizer/vars")
            group.attrs["name"] = keras_optimizer.keras_name(model.optimizer)
            for position, (_, value) in enumerate(variables):
                group.create_dataset(str(position), data=value)
        handle.create_group("vars").attrs["name"] = model.name
    return buffer.getvalue()


def load(archive, compile=True):
    """The model in an opened `.keras` Archive."""
    what = archive.what
    _check_members(archive)
    config = safe_json.loads(archive.read(CONFIG, limits.MAX_JSON_BYTES), f"{CONFIG} in {what}")
    entry, dtype, keras_leaves = keras_config.model_from_keras(config, what)
    weights_what = f"{WEIGHTS} in {what}"
    with h5_safe.open_file(archive.read(WEIGHTS, limits.MAX_UNCOMPRESSED_BYTES), weights_what) as handle:
        datasets = _layer_datasets(handle, [leaf.weights_path for leaf in keras_leaves], weights_what)
        h5_safe.check_total([dataset for layer in datasets for dataset in layer], weights_what)
        expected = {leaf.path: [h5_safe.dataset_shape(dataset, weights_what) for dataset in layer]
                    for leaf, layer in zip(keras_leaves, datasets) if layer}
        model, leaves = building.build_model(entry, dtype, expected, what)
        values = {leaf.path: keras_config.weights_from_keras(
                      leaves[leaf.path], [h5_safe.read_dataset(dataset, weights_what) for dataset in layer])
                  for leaf, layer in zip(keras_leaves, datasets) if layer}
        building.assign_weights(leaves, values, what)
        keras_compile = config.get("compile_config")
        if compile and isinstance(keras_compile, dict) and keras_compile:  # {}: Keras' model was not compiled
            compile_config = keras_config.compile_from_keras(keras_compile, what)
            if compile_config is not None:
                model_state.compile_from_config(model, compile_config, what)
                optimizer_values = _optimizer_values(handle, weights_what)
                if optimizer_values:
                    keras_optimizer.restore_keras3(model, optimizer_values, what,
                                                   [leaves[leaf.path] for leaf in keras_leaves])
    return model


def load_weights(model, archive):
    """Copy the layer weights of an opened `.keras` Archive into `model`, layer by layer."""
    what = archive.what
    _check_members(archive)
    config = safe_json.loads(archive.read(CONFIG, limits.MAX_JSON_BYTES), f"{CONFIG} in {what}")
    _, _, keras_leaves = keras_config.model_from_keras(config, what)
    with h5_safe.open_file(archive.read(WEIGHTS, limits.MAX_UNCOMPRESSED_BYTES), f"{WEIGHTS} in {what}") as handle:
        assign_layer_weights(model, handle, [leaf.weights_path for leaf in keras_leaves], what)


def assign_layer_weights(model, handle, paths, what):
    """Copy `layers/<path>/vars/*` of an open weights file into `model`, layer by layer in
    Keras' order (`paths`: where the file's layers keep their variables; None: the paths of
    `model`'s own layers, for a `.weights.h5` file)."""
    if paths is None:
        paths = [path for path, layer in keras_config.keras_leaves(model) if not isinstance(layer, Model)]
    assign_datasets(model, [layer for layer in _layer_datasets(handle, paths, what) if layer], what)


def assign_datasets(model, source, what):
    """Give the model's layers with weights, in Keras' order, the HDF5 datasets of `source`
    (one list per layer), checking every shape before reading any value."""
    by_layer = {id(layer): path for path, layer in model_state.leaf_paths(model)}
    ordered = [(by_layer[id(layer)], layer) for layer in keras_config.keras_leaf_layers(model)]
    target = building.layers_with_weights(ordered, len(source), what, model)
    for datasets, (_, layer) in zip(source, target):
        shapes = [h5_safe.dataset_shape(dataset, what) for dataset in datasets]
        building.check_shapes(layer, shapes, what)
    values = {path: keras_config.weights_from_keras(layer, [h5_safe.read_dataset(dataset, what)
                                                            for dataset in datasets])
              for datasets, (path, layer) in zip(source, target)}
    building.assign_weights(dict(ordered), values, what)


def _check_members(archive):
    unexpected = [name for name in archive.names if name not in (CONFIG, METADATA, WEIGHTS)]
    if unexpected:
        archive.refuse_pickles()
        raise ModelFileError(
            f"{archive.what} holds a member neurona does not read: {unexpected[0]!r} "
            f"(a .keras file it imports holds {CONFIG}, {METADATA} and {WEIGHTS})."
        )
    if WEIGHTS not in archive.names:
        raise ModelFileError(f"{archive.what} has no {WEIGHTS} member.")


def _layer_datasets(handle, paths, what):
    """[[datasets of layer i in variable order]] for each layer, at Keras' weight paths."""
    root = h5_safe.child(handle, "layers", what, kind="group")
    if root is None:
        # Keras 2.13 wrote .keras files with this group name instead.
        root = h5_safe.child(handle, "_layer_checkpoint_dependencies", what, kind="group")
    result = []
    for path in paths:
        group = h5_safe.child(root, f"{path}/vars", what, kind="group") if root is not None else None
        result.append(_numbered(group, what) if group is not None else [])
    return result


def _optimizer_values(handle, what):
    group = h5_safe.child(handle, "optimizer/vars", what, kind="group")
    if group is None:
        return []
    return [h5_safe.read_dataset(dataset, what) for dataset in _numbered(group, what)]


def _numbered(group, what):
    keys = h5_safe.names(group, what)
    if sorted(keys, key=lambda key: int(key) if key.isdigit() else -1) != [str(i) for i in range(len(keys))]:
        raise ModelFileError(f"{what}: {group.name} must hold datasets named 0..{len(keys) - 1}. Received {keys[:5]}.")
    return [h5_safe.child(group, str(i), what, kind="dataset") for i in range(len(keys))]
