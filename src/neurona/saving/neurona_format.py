"""neurona's own model file: one zip with a JSON manifest and safetensors weights.

Members (in this order; nothing else is accepted):

    neurona.json          the manifest (deflated JSON):
        format: "neurona", format_version: 2, kind: "model" | "weights",
        neurona_version, dtype ("float32", ...),
        model: {"class_name": "Sequential" | "Functional", "config": model.get_config()}
               (a functional model's layers with the calls that feed them; either kind may
               hold models as layers),
        training: {"optimizer", "loss", "metrics"} or null (kind "model" only),
        optimizer_state: {"iterations": int, ...other numbers (Nadam's momentum_product),
                          "slots": [[slot names of trainable parameter j], ...]} or null,
        random_state: {"shuffle_seed": int or null, "epochs_seen": int,
                       "layers": {path: bit-generator state (Dropout's)}}
    weights.safetensors   the arrays (stored, not compressed; see `safetensors`):
        "layers.{i}.{name}"     weight `name` of layer i, trainable or not ('kernel', 'bias',
                                BatchNormalization's 'moving_mean', ...); a layer j of a
                                model nested at i is "layers.{i}.layers.{j}.{name}" (i and j
                                count the `layers` lists of the configs)
        "optimizer.{j}.{slot}"  optimizer slot of trainable weight j (layer order), as the
                                optimizer keeps it (`Optimizer.stored_slot_scales`), so that
                                training resumes bit for bit; version 1 files hold the
                                published rule's values and are converted when read

Weights are safetensors (written by `safetensors.encode`, readable by the `safetensors`
package) rather than .npz, so nothing in the file can even ask for a pickle. Metrics given as
functions are not saved; named ones are.

Reading refuses anything else: unknown format or newer version, unexpected members or
tensors, shapes or dtypes that differ from the built architecture, and everything
`safe_zip`, `safe_json`, `safetensors` and `building` check.
"""

import re
import zipfile

import neurona
from neurona.saving import building, limits, model_state, safe_json, safetensors
from neurona.utils.atomic import atomic_path
from neurona.saving.errors import ModelFileError

MANIFEST = "neurona.json"
WEIGHTS = "weights.safetensors"
FORMAT_VERSION = 2
_LAYER_TENSOR = re.compile(r"^layers\.(\d{1,9}(?:\.layers\.\d{1,9}){0,16})\.([A-Za-z_][A-Za-z0-9_]{0,63})$")
_SLOT_TENSOR = re.compile(r"^optimizer\.(\d{1,9})\.([A-Za-z_][A-Za-z0-9_]{0,63})$")


def save(model, filepath, overwrite=True, weights_only=False):
    """Write `model` (or only its weights) to `filepath`, atomically."""
    manifest = {
        "format": "neurona",
        "format_version": FORMAT_VERSION,
        "kind": "weights" if weights_only else "model",
        "neurona_version": neurona.__version__,
        "dtype": str(model.dtype),
        "model": {"class_name": type(model).__name__, "config": model.get_config()},
    }
    tensors = {f"layers.{model_state.path_text(path)}.{name}": value
               for path, name, value in model_state.weight_entries(model)}
    if not weights_only:
        manifest["training"] = model_state.compile_config(model)
        scalars, slots = model_state.optimizer_state(model)
        slot_names = [list(group) for group in slots or []]
        manifest["optimizer_state"] = None if scalars is None else {**scalars, "slots": slot_names}
        for position, group in enumerate(slots or []):
            tensors.update({f"optimizer.{position}.{name}": value for name, value in group.items()})
        manifest["random_state"] = model_state.random_state(model)
    manifest_bytes = safe_json.dumps(manifest)
    weights_bytes = safetensors.encode(tensors, {"format": "neurona"})
    with atomic_path(filepath, overwrite, durable=True) as temporary:
        with zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr(MANIFEST, manifest_bytes, compress_type=zipfile.ZIP_DEFLATED)
            archive.writestr(WEIGHTS, weights_bytes, compress_type=zipfile.ZIP_STORED)


def load(archive, compile=True):
    """The model held in an opened `Archive` of ours."""
    manifest, header, stream_reader = _open(archive)
    what = archive.what
    expected, slots_declared = _split_tensor_names(header, what)
    model, leaves = building.build_model(_model_entry(manifest, what), manifest["dtype"], expected, what)
    _check_dtypes(leaves, header, what)
    optimizer_state = manifest.get("optimizer_state") if manifest["kind"] == "model" else None
    if optimizer_state is not None:
        _check_slots(model, optimizer_state, slots_declared, header, what)
    elif slots_declared:
        raise ModelFileError(f"{what} holds optimizer tensors but no optimizer_state.")
    tensors = stream_reader()
    building.assign_weights(leaves, _layer_values(leaves, tensors), what)

    training = manifest.get("training") if manifest["kind"] == "model" else None
    if compile and training is not None:
        model_state.compile_from_config(model, training, what)
        if optimizer_state is not None:
            expected_slots = set(model.optimizer.slot_names)
            for position, names in enumerate(optimizer_state["slots"]):
                if set(names) != expected_slots:
                    raise ModelFileError(
                        f"{what}: optimizer_state lists slots {names} for parameter {position}; "
                        f"{type(model.optimizer).__name__} keeps {sorted(expected_slots)}."
                    )
            scalars = {key: value for key, value in optimizer_state.items() if key != "slots"}
            slots = [
                {name: tensors[f"optimizer.{position}.{name}"] for name in names}
                for position, names in enumerate(optimizer_state["slots"])
            ]
            try:
                published = manifest["format_version"] == 1
                model_state.set_optimizer_state(model, scalars, slots, published=published)
            except (ValueError, TypeError, KeyError) as error:
                raise ModelFileError(f"{what}: invalid optimizer state: {error}") from None
    if manifest["kind"] == "model" and manifest.get("random_state") is not None:
        model_state.set_random_state(model, manifest["random_state"], what)
    return model


def load_weights(model, archive):
    """Copy the weights held in an opened `Archive` of ours into `model` (built, same layers)."""
    manifest, header, stream_reader = _open(archive)
    what = archive.what
    expected, _ = _split_tensor_names(header, what)
    source = [(path, names) for path, names in sorted(expected.items()) if names]
    leaves = model_state.leaf_paths(model)
    target = building.layers_with_weights(leaves, len(source), what, model)
    for (_, names), (_, layer) in zip(source, target):
        if set(names) != set(layer.params):
            raise ModelFileError(
                f"{what}: layer {layer.name!r} expects weights {list(layer.params)}, the file holds {sorted(names)}."
            )
        building.check_shapes(layer, [names[name] for name in layer.params], what)
    tensors = stream_reader()
    values = {
        target_path: [tensors[f"layers.{model_state.path_text(source_path)}.{name}"] for name in layer.params]
        for (source_path, _), (target_path, layer) in zip(source, target)
    }
    building.assign_weights(dict(leaves), values, what)


def _open(archive):
    what = archive.what
    unexpected = [name for name in archive.names if name not in (MANIFEST, WEIGHTS)]
    if unexpected:
        archive.refuse_pickles()
        raise ModelFileError(
            f"{what} holds an unexpected member {unexpected[0]!r}; a neurona file holds only {MANIFEST} and {WEIGHTS}."
        )
    if WEIGHTS not in archive.names:
        raise ModelFileError(f"{what} has no {WEIGHTS} member.")
    manifest = safe_json.loads(archive.read(MANIFEST, limits.MAX_JSON_BYTES), f"{MANIFEST} in {what}")
    _check_manifest(manifest, what)
    what_weights = f"{WEIGHTS} in {what}"
    with archive.open(WEIGHTS) as stream:
        header = safetensors.read_header(stream, archive.size(WEIGHTS), what_weights)

    def read_all():
        # Called only once the architecture has accepted every declared shape.
        with archive.open(WEIGHTS) as stream:
            stream.read_exact(header.data_start)
            return safetensors.read_tensors(stream, header, what_weights)

    return manifest, header, read_all


def _check_manifest(manifest, what):
    if not isinstance(manifest, dict) or manifest.get("format") != "neurona":
        raise ModelFileError(f"{what} is not a neurona model file (its {MANIFEST} does not say format 'neurona').")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{what}: format_version must be a positive integer. Received: {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{what} was written in neurona format version {version}; this neurona reads up to "
            f"version {FORMAT_VERSION}. Upgrade neurona to load it."
        )
    if manifest.get("kind") not in ("model", "weights"):
        raise ModelFileError(f"{what}: kind must be 'model' or 'weights'. Received: {manifest.get('kind')!r}")


def _model_entry(manifest, what):
    model = manifest.get("model")
    if not isinstance(model, dict) or model.get("class_name") not in building.MODEL_CLASSES:
        name = model.get("class_name") if isinstance(model, dict) else model
        raise ModelFileError(f"{what}: unknown model class {name!r}; expected 'Sequential' or 'Functional'.")
    if not isinstance(model.get("config"), dict):
        raise ModelFileError(f"{what}: the model configuration must be a JSON object.")
    return model


def _split_tensor_names(header, what):
    """({layer path: {name: shape}}, {(position, slot): shape}) from the tensor names."""
    layers, slots = {}, {}
    for name, shape in header.shapes().items():
        match = _LAYER_TENSOR.match(name)
        if match:
            path = tuple(int(index) for index in match.group(1).split(".layers."))
            layers.setdefault(path, {})[match.group(2)] = shape
            continue
        match = _SLOT_TENSOR.match(name)
        if match:
            slots[(int(match.group(1)), match.group(2))] = shape
            continue
        raise ModelFileError(f"{what} holds an unexpected tensor {name!r}.")
    return layers, slots


def _check_dtypes(leaves, header, what):
    for path, layer in leaves.items():
        for name, value in layer.params.items():
            dtype = header.tensors[f"layers.{model_state.path_text(path)}.{name}"][0]
            if dtype.newbyteorder("=") != value.dtype:
                raise ModelFileError(
                    f"{what}: weight {name!r} of layer {layer.name!r} is stored as {dtype}; "
                    f"the model's dtype is {value.dtype}."
                )


def _check_slots(model, state, declared, header, what):
    if not isinstance(state, dict) or not isinstance(state.get("slots"), list):
        raise ModelFileError(f"{what}: optimizer_state must be an object with a list of slots.")
    for key, value in state.items():
        if key != "slots" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ModelFileError(f"{what}: optimizer_state.{key} must be a number. Received: {value!r}")
    if not isinstance(state.get("iterations"), int) or state["iterations"] < 0:
        raise ModelFileError(f"{what}: optimizer_state.iterations must be a non-negative integer.")
    params = model_state.trainable_entries(model)
    groups = state["slots"]
    if groups and len(groups) != len(params):
        raise ModelFileError(
            f"{what} holds optimizer state for {len(groups)} parameters; the model has {len(params)} trainable ones."
        )
    listed = set()
    for position, (names, (path, name, value)) in enumerate(zip(groups, params)):
        if not (isinstance(names, list) and all(isinstance(slot, str) for slot in names)):
            raise ModelFileError(f"{what}: optimizer_state.slots[{position}] must be a list of names.")
        for slot in names:
            shape = declared.get((position, slot))
            if shape != value.shape:
                raise ModelFileError(
                    f"{what}: optimizer slot {slot!r} of weight {name!r} (layer {model_state.path_text(path)}) has "
                    f"shape {shape} in the file; the weight has shape {value.shape}."
                )
            if header.tensors[f"optimizer.{position}.{slot}"][0].newbyteorder("=") != value.dtype:
                raise ModelFileError(
                    f"{what}: optimizer slot {slot!r} of weight {name!r} has another dtype than the weight."
                )
            listed.add((position, slot))
    if set(declared) != listed:
        position, slot = sorted(set(declared) - listed)[0]
        raise ModelFileError(
            f"{what} holds optimizer tensor 'optimizer.{position}.{slot}' that optimizer_state does not list."
        )


def _layer_values(leaves, tensors):
    return {
        path: [tensors[f"layers.{model_state.path_text(path)}.{name}"] for name in layer.params]
        for path, layer in leaves.items()
    }
