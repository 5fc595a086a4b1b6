"""Keras' legacy HDF5 format (`model.save('mi_modelo.h5')`), read and written with h5py.

Layout (Keras 2 and Keras 3's legacy writer):

    attrs: keras_version, backend, model_config (JSON), training_config (JSON, if compiled)
    model_weights/                 attrs layer_names = [layer names in order]
        <layer>/                   attrs weight_names = ['<layer>/kernel:0', '<layer>/bias:0']
            <layer>/kernel:0, ...  the arrays (Keras 3 writes 'sequential/<layer>/kernel'), in
                                   Keras' order: trainable, then non-trainable (moving_mean)
    optimizer_weights/             attrs weight_names = [optimizer variables in Keras' order]

A weights-only file (`save_weights('w.h5')`) is the `model_weights` group at the root.
We write the Keras 2 style config (InputLayer with batch_input_shape, dtypes as strings),
which both Keras 2 and Keras 3 load, and Keras 3's optimizer variable order (see
`keras_optimizer`); Keras 2 then restores the model but starts a fresh optimizer state.
"""

import numpy as np

import neurona
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
    _names_attribute(group, "layer_names", [layer.name for layer in model.layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = KERAS_VERSION.encode()
    for layer in model.layers:
        layer_group = group.create_group(layer.name)
        weight_names = [f"{layer.name}/{name}:0" for name in layer.params]
        _names_attribute(layer_group, "weight_names", weight_names)
        for weight_name, value in zip(weight_names, layer.params.values()):
            layer_group.create_dataset(weight_name, data=value)


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
        config, dtype, _ = keras_config.model_from_keras(safe_json.loads(text, f"the model_config of {what}"), what)
        weights_group = h5_safe.child(handle, "model_weights", what, kind="group")
        if weights_group is None:
            raise ModelFileError(f"{what} has no model_weights group.")
        datasets = _layer_datasets(weights_group, what)
        expected = _expected(config, datasets, what)
        model = building.build_sequential(config, dtype, expected, what)
        values = {index: [h5_safe.read_dataset(dataset, what) for dataset in datasets[layer.name]]
                  for index, layer in enumerate(model.layers) if layer.params}
        building.assign_weights(model, values, what)
        if compile:
            _compile(model, handle, what)
    return model


def load_weights(model, path):
    """Copy the weights of a Keras HDF5 file into `model`, layer by layer in order, as Keras
    does: a legacy `.h5` (whole model or weights only) or Keras 3's `.weights.h5`."""
    what = str(path)
    with h5_safe.open_file(path, what) as handle:
        group = h5_safe.child(handle, "model_weights", what, kind="group") or handle
        if "layer_names" not in group.attrs and h5_safe.child(handle, "layers", what) is not None:
            return keras_v3.assign_layer_weights(model, handle, keras_v3.keras_classes_of(model), what)
        keras_v3.assign_datasets(model, [datasets for datasets in _layer_datasets(group, what).values() if datasets],
                                 what)


def _layer_datasets(group, what):
    """{layer name: [datasets in weight_names order]} for the layers listed in layer_names."""
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
            result[layer_name].append(dataset)
    return result


def _expected(config, datasets, what):
    h5_safe.check_total([dataset for layer_datasets in datasets.values() for dataset in layer_datasets], what)
    expected = {}
    for index, layer_config in enumerate(config["layers"]):
        name = layer_config["config"].get("name")
        if name in datasets:
            expected[index] = [h5_safe.dataset_shape(dataset, what) for dataset in datasets[name]]
    return expected


def _compile(model, handle, what):
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
        keras_optimizer.restore_keras3(model, values, what)
    else:
        keras_optimizer.restore_keras2(model, dict(zip(names, values)), what)
