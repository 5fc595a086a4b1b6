"""Hostile model files: each is refused with one clear error, and nothing is written.

Every case builds its file in a folder of its own, snapshots the folder (names, sizes,
modification times), loads from inside it, and checks that the folder is unchanged.
"""

import io
import json
import pickle
import struct
import zipfile

import numpy as np
import pytest

from neurona.models import Sequential, load_model
from neurona.saving import ModelFileError, limits, safetensors

from .helpers import FIXTURES, small_model, snapshot


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty working folder: relative paths written by mistake would show in its snapshot."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def members(tmp_path_factory):
    """The members of a valid neurona file: {'neurona.json': bytes, 'weights.safetensors': bytes}."""
    model = small_model("adam")
    model.fit(np.random.rand(8, 4, 4), np.arange(8) % 3, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("valid") / "model.neurona"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def with_manifest(members, change):
    manifest = json.loads(members["neurona.json"])
    change(manifest)
    return {**members, "neurona.json": json.dumps(manifest).encode()}


def refused(folder, path, match, load=load_model):
    """Load `path`, expect ModelFileError matching `match`, and the folder untouched."""
    before = snapshot(folder)
    with pytest.raises(ModelFileError, match=match):
        load(path)
    assert snapshot(folder) == before


def test_a_valid_file_loads(folder, members):
    write_zip(folder / "model.neurona", members)
    assert isinstance(load_model(folder / "model.neurona"), Sequential)


# Unknown classes: resolved through registries, never import paths --------------------------

@pytest.mark.parametrize("class_name", ["Lambda", "os.system", "builtins.eval", "__import__"])
def test_an_unknown_layer_is_refused(folder, members, class_name):
    def change(manifest):
        manifest["model"]["config"]["layers"][1]["class_name"] = class_name

    write_zip(folder / "model.neurona", with_manifest(members, change))
    refused(folder, folder / "model.neurona", f"Unknown layer: '{class_name}'")


def test_an_unknown_model_class_is_refused(folder, members):
    write_zip(folder / "model.neurona", with_manifest(members, lambda m: m["model"].update(class_name="keras.Model")))
    refused(folder, folder / "model.neurona", "unknown model class 'keras.Model'")


def test_an_unknown_optimizer_is_refused(folder, members):
    write_zip(folder / "model.neurona",
              with_manifest(members, lambda m: m["training"]["optimizer"].update(class_name="subprocess.Popen")))
    refused(folder, folder / "model.neurona", "Unknown optimizer")


def test_a_layer_config_with_unexpected_arguments_is_refused(folder, members):
    def change(manifest):
        manifest["model"]["config"]["layers"][1]["config"]["__class__"] = "x"

    write_zip(folder / "model.neurona", with_manifest(members, change))
    refused(folder, folder / "model.neurona", r"layer 1 \(Dense\)")


def test_a_keras_file_with_an_unsupported_layer_is_refused(folder):
    with zipfile.ZipFile(FIXTURES / "mlp_dropout.keras") as source:
        entries = {name: source.read(name) for name in source.namelist()}
    config = json.loads(entries["config.json"])
    config["config"]["layers"][2]["class_name"] = "Lambda"
    entries["config.json"] = json.dumps(config).encode()
    write_zip(folder / "model.keras", entries)
    refused(folder, folder / "model.keras", "Keras layer 2 is a Lambda, which neurona does not have")


# Shapes that do not match the architecture -----------------------------------------------

def test_weights_of_another_shape_than_the_architecture_are_refused(folder, members):
    def change(manifest):
        manifest["model"]["config"]["layers"][1]["config"]["units"] = 7

    write_zip(folder / "model.neurona", with_manifest(members, change))
    refused(folder, folder / "model.neurona", r"has shape \(16, 6\) in the file; the architecture expects \(16, 7\)")


def test_a_weight_the_architecture_lacks_is_refused(folder, members):
    header, tensors = _tensors(members)
    tensors["layers.0.kernel"] = np.zeros((2, 2), np.float32)
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": safetensors.encode(tensors)})
    refused(folder, folder / "model.neurona", "holds 1 weights for layer 'flatten'")


def test_a_missing_weight_is_refused(folder, members):
    _, tensors = _tensors(members)
    del tensors["layers.1.bias"]
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": safetensors.encode(tensors)})
    refused(folder, folder / "model.neurona", "needs a weight 'bias'")


def test_optimizer_state_of_another_shape_is_refused(folder, members):
    _, tensors = _tensors(members)
    tensors["optimizer.0.momentum"] = np.zeros((3,), np.float32)
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": safetensors.encode(tensors)})
    refused(folder, folder / "model.neurona", "optimizer slot 'momentum'")


def test_optimizer_slots_of_another_optimizer_are_refused(folder, members):
    write_zip(folder / "model.neurona",
              with_manifest(members, lambda m: m["training"]["optimizer"].update(class_name="Adagrad", config={})))
    refused(folder, folder / "model.neurona", r"Adagrad keeps \['accumulator'\]")


def test_weights_of_another_dtype_are_refused(folder, members):
    _, tensors = _tensors(members)
    tensors["layers.1.kernel"] = tensors["layers.1.kernel"].astype(np.float64)
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": safetensors.encode(tensors)})
    refused(folder, folder / "model.neurona", "stored as float64")


# Truncated, oversized, bombs ---------------------------------------------------------------

def test_a_truncated_file_is_refused(folder, members):
    data = (write_zip(folder / "whole.neurona", members)).read_bytes()
    (folder / "whole.neurona").unlink()
    (folder / "model.neurona").write_bytes(data[: len(data) // 2])
    refused(folder, folder / "model.neurona", "truncated or corrupt")


def test_a_truncated_weights_member_is_refused(folder, members):
    weights = members["weights.safetensors"]
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": weights[:-10]})
    refused(folder, folder / "model.neurona", "truncated")


def test_a_truncated_h5_file_is_refused(folder):
    data = (FIXTURES / "mlp_dropout.h5").read_bytes()
    (folder / "model.h5").write_bytes(data[: len(data) // 2])
    refused(folder, folder / "model.h5", "truncated or corrupt HDF5")


def test_a_file_over_the_size_limit_is_refused(folder, members, monkeypatch):
    write_zip(folder / "model.neurona", members)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    refused(folder, folder / "model.neurona", "more than the limit of 1000")


def test_a_header_declaring_huge_tensors_is_refused(folder, members):
    header = {"layers.1.kernel": {"dtype": "F32", "shape": [100_000, 100_000], "data_offsets": [0, 4 * 10**10]}}
    encoded = json.dumps(header).encode()
    weights = struct.pack("<Q", len(encoded)) + encoded
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": weights})
    refused(folder, folder / "model.neurona", "declares 40000000000 bytes of tensors, more than the limit")


def test_a_header_longer_than_the_file_is_refused(folder, members):
    weights = struct.pack("<Q", 2**40) + b"{}"
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": weights})
    refused(folder, folder / "model.neurona", "declares a header of 1099511627776 bytes, more than the file holds")


def test_a_zip_bomb_is_refused(folder, members):
    bomb = b"\0" * (30 << 20)
    write_zip(folder / "model.neurona", {**members, "weights.safetensors": bomb}, compression=zipfile.ZIP_DEFLATED)
    assert (folder / "model.neurona").stat().st_size < 1 << 20
    refused(folder, folder / "model.neurona", "looks like a zip bomb")


def test_too_many_members_are_refused(folder, members):
    entries = {**members, **{f"extra{i}.json": b"{}" for i in range(limits.MAX_MEMBERS)}}
    write_zip(folder / "model.neurona", entries)
    refused(folder, folder / "model.neurona", "members, more than the limit")


def test_json_nested_too_deeply_is_refused(folder, members):
    write_zip(folder / "model.neurona", {**members, "neurona.json": b"[" * 100_000 + b"]" * 100_000})
    refused(folder, folder / "model.neurona", "nested")


def test_json_with_a_key_twice_is_refused(folder, members):
    text = members["neurona.json"].decode()
    write_zip(folder / "model.neurona", {**members, "neurona.json": ('{"format": "x", ' + text[1:]).encode()})
    refused(folder, folder / "model.neurona", "key 'format' appears twice")


# Names that would escape a folder ----------------------------------------------------------

@pytest.mark.parametrize("name", ["../evil.json", "a/../../evil.json", "/etc/evil.json", "..\\evil.json",
                                  "C:/evil.json", "a//b.json"])
def test_a_path_traversing_member_name_is_refused(folder, members, name):
    write_zip(folder / "model.neurona", {**members, name: b"{}"})
    refused(folder, folder / "model.neurona", "unsafe name")


# Files that are not ours -------------------------------------------------------------------

def test_a_text_file_is_refused(folder):
    (folder / "model.neurona").write_text("Hola, soy un modelo.\n")
    refused(folder, folder / "model.neurona", "is not a model file neurona reads")


def test_random_bytes_are_refused(folder):
    (folder / "model.neurona").write_bytes(np.random.default_rng(0).bytes(4096))
    refused(folder, folder / "model.neurona", "is not a model file neurona reads")


def test_an_empty_file_is_refused(folder):
    (folder / "model.neurona").write_bytes(b"")
    refused(folder, folder / "model.neurona", "is empty")


def test_a_folder_is_refused(folder):
    (folder / "model.neurona").mkdir()
    refused(folder, folder / "model.neurona", "not a regular file")


def test_a_zip_that_is_not_a_model_is_refused(folder):
    write_zip(folder / "model.neurona", {"readme.txt": b"hello", "data.csv": b"1,2\n"})
    refused(folder, folder / "model.neurona", "is a zip archive but not a neurona or Keras model")


def test_another_format_in_our_manifest_is_refused(folder, members):
    write_zip(folder / "model.neurona", with_manifest(members, lambda m: m.update(format="other")))
    refused(folder, folder / "model.neurona", "is not a neurona model file")


def test_a_newer_format_version_is_refused(folder, members):
    write_zip(folder / "model.neurona", with_manifest(members, lambda m: m.update(format_version=99)))
    refused(folder, folder / "model.neurona", "format version 99; this neurona reads up to version 2")


def test_an_h5_file_that_is_not_a_keras_model_is_refused(folder):
    import h5py

    with h5py.File(folder / "data.h5", "w") as handle:
        handle["images"] = np.zeros((2, 2))
    refused(folder, folder / "data.h5", "not a Keras model")


def test_an_h5_link_to_another_file_is_refused(folder):
    import h5py

    with h5py.File(folder / "other.h5", "w") as handle:
        handle["secret"] = np.arange(4.0)
    source = FIXTURES / "mlp_dropout.h5"
    (folder / "model.h5").write_bytes(source.read_bytes())
    with h5py.File(folder / "model.h5", "a") as handle:
        del handle["model_weights/dense"]
        handle["model_weights/dense"] = h5py.ExternalLink("other.h5", "/")
    refused(folder, folder / "model.h5", "link of type ExternalLink.*only hard links are followed")


def test_an_h5_dataset_stored_outside_the_file_is_refused(folder):
    import h5py

    (folder / "raw.bin").write_bytes(np.zeros(80, np.float32).tobytes())
    (folder / "model.h5").write_bytes((FIXTURES / "mlp_dropout.h5").read_bytes())
    with h5py.File(folder / "model.h5", "a") as handle:
        group = handle["model_weights/dense/sequential/dense"]
        del group["kernel"]
        group.create_dataset("kernel", shape=(16, 5), dtype="f4", external=[(str(folder / "raw.bin"), 0, 320)])
    refused(folder, folder / "model.h5", "refers to data outside the file")


# Pickles: never loaded ---------------------------------------------------------------------

def test_an_npz_with_an_object_array_is_refused_as_a_pickle(folder):
    np.savez(folder / "model.npz", weights=np.array([{"a": 1}, None], dtype=object))
    refused(folder, folder / "model.npz", r"holds pickled data \(member 'weights.npy'\); neurona never unpickles")


def test_a_pickle_member_in_our_zip_is_refused(folder, members):
    write_zip(folder / "model.neurona", {**members, "weights.pkl": pickle.dumps({"kernel": [1, 2]})})
    refused(folder, folder / "model.neurona", r"holds pickled data \(member 'weights.pkl'\)")


def test_pickled_bytes_under_any_member_name_are_refused(folder, members):
    write_zip(folder / "model.neurona", {**members, "extra.bin2": pickle.dumps([1, 2, 3])})
    refused(folder, folder / "model.neurona", r"holds pickled data \(member 'extra.bin2'\)")


def test_a_pickle_file_is_refused(folder):
    (folder / "model.neurona").write_bytes(pickle.dumps(Sequential()))
    refused(folder, folder / "model.neurona", "is a pickle; neurona never unpickles")


def test_a_pickle_member_in_a_keras_zip_is_refused(folder):
    with zipfile.ZipFile(FIXTURES / "mlp_dropout.keras") as source:
        entries = {name: source.read(name) for name in source.namelist()}
    write_zip(folder / "model.keras", {**entries, "assets/tokenizer.pkl": pickle.dumps("x")})
    refused(folder, folder / "model.keras", r"holds pickled data \(member 'assets/tokenizer.pkl'\)")


def test_loading_never_calls_the_unpickler(folder, members, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was called")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    write_zip(folder / "model.neurona", members)
    load_model(folder / "model.neurona")
    load_model(FIXTURES / "mlp_dropout.keras")
    load_model(FIXTURES / "mi_modelo.h5")
    np.savez(folder / "model.npz", weights=np.array([object()], dtype=object))
    refused(folder, folder / "model.npz", "pickled")


# load_weights is as careful ----------------------------------------------------------------

def test_load_weights_refuses_hostile_files_and_leaves_the_model_unchanged(folder, members):
    def change(manifest):
        manifest["model"]["config"]["layers"][1]["config"]["units"] = 7

    write_zip(folder / "model.neurona", {**members, "weights.pkl": b"\x80\x04K\x01."})
    model = small_model()
    model.build((4, 4))
    before = model.get_weights()
    refused(folder, folder / "model.neurona", "pickled", load=model.load_weights)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def _tensors(members):
    data = members["weights.safetensors"]
    stream = io.BytesIO(data)
    header = safetensors.read_header(stream, len(data), "weights")
    return header, safetensors.read_tensors(stream, header, "weights")
