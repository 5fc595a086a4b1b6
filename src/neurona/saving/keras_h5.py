"""Keras' legacy HDF5 format (`model.save('mi_modelo.h5')`), read and written with h5py.

Layout (Keras 2 and Keras 3's legacy writer):

    attrs: keras_version, backend, model_config (JSON), training_config (JSON, if compiled)
    model_weights/                 attrs layer_names = [layer names in Keras' order]
        <layer>/                   attrs weight_names = ['<layer>/kernel:0', '<layer>/bias:0']
            <layer>/kernel:0, ...  the arrays (Keras 3 writes 'sequential/<layer>/kernel'), in
                                   Keras' order: trainable, then non-trainable (moving_mean)
        <nested model>/            one group for a model used as a layer: its layers' weights,
                                   '<model>/<layer>/kernel:0', ..., the trainable ones of all
                                   its layers first, then the others (Keras' `model.weights`
                                   for legacy files); read back by the layer name before the
                                   weight's own
    optimizer_weights/             attrs weight_names = [optimizer variables in Keras' order]

A weights-only file (`save_weights('w.h5')`) is the `model_weights` group at the root.
We write the Keras 2 style config (InputLayer with batch_input_shape, dtypes as strings,
functional calls as nested lists), which both Keras 2 and Keras 3 load, and Keras 3's
optimizer variable order (see `keras_optimizer`); Keras 2 then restores the model but starts
a fresh optimizer state.
"""

import numpy as np

import neurona
from neurona.models import Model
from neurona.saving import building, h5_safe, keras_config, keras_optimizer, keras_v3, model_state, safe_json
from neurona.utils.atomic import atomic_path
from neurona.saving.errors import ModelFileError

KERAS_VERSION = "3.0.0"  # the Keras release whose reader this layout targets


def save(model, filepath, overwrite=True):
    """Write `model` as a Keras legacy `.h5` file (architecture, weights, compile settings,
    optimizer variables), atomically."""
    h5py = h5_safe.h5py_module()
    model_config = keras_config.model_to_keras(model, "legacy", str(filepath))
    training_config = keras_config.compile_to_keras(model, "legacy")
    with atomic_path(filepath, overwrite, durable=True) as temporary, h5py.File(temporary, "w") as handle:
        handle.attrs["keras_version"] = KERAS_VERSION.encode()
        handle.attrs["backend"] = b"tensorflow"
        handle.attrs["neurona_version"] = neurona.__version__.encode()
        handle.attrs["model_config"] = safe_json.dumps(model_config)
        if training_config is not None:
            handle.attrs["training_config"] = safe_json.dumps(training_config)
        _write_weights(handle.create_group("model_weights"), model)
        variables = keras_optimizer.keras3_variables(model)
        if variables:
            group = handle.create_group("optimizer_weights")
            _names_attribute(group, "weight_names", [name for name, _ in variables])
            for name, value in variables:
                group.create_dataset(name, data=value)


def save_weights(model, filepath, overwrite=True):
    """Write only the weights, as Keras 2's `save_weights('w.h5')` does."""
    h5py = h5_safe.h5py_module()
    with atomic_path(filepath, overwrite, durable=True) as temporary, h5py.File(temporary, "w") as handle:
        _write_weights(handle, model)


def _write_weights(group, model):
    layers = [layer for layer, _ in keras_config.keras_layers(model)]
    _names_attribute(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = KERAS_VERSION.encode()
    for layer in layers:
        layer_group = group.create_group(layer.name)
        weights = _nested_weights(layer) if isinstance(layer, Model) else [
            (f"{layer.name}/{name}:0", value) for name, value in keras_config.keras_weights(layer)]
        _names_attribute(layer_group, "weight_names", [name for name, _ in weights])
        for weight_name, value in weights:
            layer_group.create_dataset(weight_name, data=value)


def _nested_weights(model):
    """[(name, array)] of a model used as a layer, as Keras lists them (trainable first)."""
    leaves = keras_config.keras_leaf_layers(model)
    stored = [(layer, name, value) for layer in leaves for name, value in keras_config.keras_weights(layer)]
    order = sorted(range(len(stored)), key=lambda i: (stored[i][1] not in stored[i][0].trainable_names, i))
    return [(f"{model.name}/{stored[i][0].name}/{stored[i][1]}:0", stored[i][2]) for i in order]


def _names_attribute(group, key, names):
    group.attrs[key] = np.array([name.encode() for name in names], dtype="S") if names else np.zeros(0)


def load(path, compile=True):
    """The model in a Keras legacy `.h5` file."""
    what = str(path)
    with h5_safe.open_file(path, what) as handle:
        text = h5_safe.text_attribute(handle, "model_config", what)
        if text is None:
            raise ModelFileError(
                f"{what} is an HDF5 file but not a Keras model (it has no model_config); "
                "for a weights-only file use model.load_weights."
            )
        entry, dtype, keras_leaves = keras_config.model_from_keras(
            safe_json.loads(text, f"the model_config of {what}"), what)
        weights_group = h5_safe.child(handle, "model_weights", what, kind="group")
        if weights_group is None:
            raise ModelFileError(f"{what} has no model_weights group.")
        datasets = _leaf_datasets(keras_leaves, _layer_datasets(weights_group, what), what)
        h5_safe.check_total([dataset for layer in datasets.values() for dataset in layer], what)
        expected = {path: [h5_safe.dataset_shape(dataset, what) for dataset in layer]
                    for path, layer in datasets.items() if layer}
        model, leaves = building.build_model(entry, dtype, expected, what)
        values = {path: keras_config.weights_from_keras(
                      leaves[path], [h5_safe.read_dataset(dataset, what) for dataset in layer])
                  for path, layer in datasets.items() if layer}
        building.assign_weights(leaves, values, what)
        if compile:
            _compile(model, handle, what, [leaves[leaf.path] for leaf in keras_leaves])
    return model


def load_weights(model, path):
    """Copy the weights of a Keras HDF5 file into `model`, layer by layer in order, as Keras
    does: a legacy `.h5` (whole model or weights only) or Keras 3's `.weights.h5`."""
    what = str(path)
    with h5_safe.open_file(path, what) as handle:
        group = h5_safe.child(handle, "model_weights", what, kind="group") or handle
        if "layer_names" not in group.attrs and h5_safe.child(handle, "layers", what) is not None:
            return keras_v3.assign_layer_weights(model, handle, None, what)
        source = [[dataset for _, dataset in datasets] for datasets in _layer_datasets(group, what).values()]
        keras_v3.assign_datasets(model, [datasets for datasets in source if datasets], what)


def _leaf_datasets(keras_leaves, groups, what):
    """{path: [datasets]} for each layer of the file's model: its group's, or for a layer of a
    nested model the datasets of the model's group whose name has the layer's name before the
    weight's own ('inner/dense/kernel:0')."""
    result, nested = {}, {}
    for leaf in keras_leaves:
        found = groups.get(leaf.group, [])
        if leaf.inner is None:
            result[leaf.path] = [dataset for _, dataset in found]
            continue
        if leaf.group not in nested:
            by_layer = {}
            for weight_name, dataset in found:
                parts = weight_name.split("/")
                by_layer.setdefault(parts[-2] if len(parts) >= 2 else "", []).append(dataset)
            nested[leaf.group] = by_layer
        result[leaf.path] = nested[leaf.group].get(leaf.inner, [])
    inner_names = {}
    for leaf in keras_leaves:
        if leaf.inner is not None and inner_names.setdefault((leaf.group, leaf.inner), leaf.path) != leaf.path:
            raise ModelFileError(f"{what}: model {leaf.group!r} holds two layers named {leaf.inner!r}; their "
                                 "weights in an .h5 file cannot be told apart.")
    return result


def _layer_datasets(group, what):
    """{layer name: [(weight name, dataset)] in weight_names order} for the layers listed in
    layer_names."""
    result = {}
    for layer_name in h5_safe.list_attribute(group, "layer_names", what):
        layer_group = h5_safe.child(group, layer_name, what, kind="group")
        if layer_group is None:
            raise ModelFileError(f"{what}: layer {layer_name!r} is listed but has no group.")
        result[layer_name] = []
        for weight_name in h5_safe.list_attribute(layer_group, "weight_names", what):
            dataset = h5_safe.child(layer_group, weight_name, what, kind="dataset")
            if dataset is None:
                raise ModelFileError(f"{what}: weight {weight_name!r} of layer {layer_name!r} is missing.")
            result[layer_name].append((weight_name, dataset))
    return result


def _compile(model, handle, what, leaves):
    text = h5_safe.text_attribute(handle, "training_config", what)
    if text is None:
        return
    compile_config = keras_config.compile_from_keras(safe_json.loads(text, f"the training_config of {what}"), what)
    if compile_config is None:
        return
    model_state.compile_from_config(model, compile_config, what)
    group = h5_safe.child(handle, "optimizer_weights", what, kind="group")
    if group is None:
        return
    names = h5_safe.list_attribute(group, "weight_names", what)
    datasets = []
    for name in names:
        dataset = h5_safe.child(group, name, what, kind="dataset")
        if dataset is None:
            raise ModelFileError(f"{what}: optimizer variable {name!r} is missing.")
        datasets.append(dataset)
    version = h5_safe.text_attribute(handle, "keras_version", what) or ""
    values = [h5_safe.read_dataset(dataset, what) for dataset in datasets]
    if version.startswith("3."):
        keras_optimizer.restore_keras3(model, values, what, leaves)
    else:
        keras_optimizer.restore_keras2(model, dict(zip(names, values)), what)
