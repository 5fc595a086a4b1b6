"""neurona's own file: its layout as documented, and atomic saves."""

import json
import os
import stat
import struct
import zipfile

import numpy as np
import pytest

from neurona.models import load_model
from neurona.saving import format_for_path, neurona_format, safetensors

from .helpers import small_model, snapshot


@pytest.fixture
def saved(data, tmp_path):
    model = small_model("nadam")
    model.fit(*data, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / "model.neurona"
    model.save(path)
    return model, path


def read_safetensors_by_hand(data):
    """The format as the safetensors spec states it, independently of our reader."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    dtypes = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8"}
    body = data[8 + length:]
    return {name: np.frombuffer(body[entry["data_offsets"][0]:entry["data_offsets"][1]],
                                dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])
            for name, entry in header.items()}


def test_the_file_is_a_zip_of_a_manifest_and_stored_safetensors(saved):
    model, path = saved
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["neurona.json", "weights.safetensors"]
        assert archive.getinfo("weights.safetensors").compress_type == zipfile.ZIP_STORED
        manifest = json.loads(archive.read("neurona.json"))
        tensors = read_safetensors_by_hand(archive.read("weights.safetensors"))
    assert manifest["format"] == "neurona"
    assert manifest["format_version"] == 2
    assert manifest["kind"] == "model"
    assert manifest["dtype"] == "float32"
    assert manifest["model"] == {"class_name": "Sequential", "config": json.loads(json.dumps(model.get_config()))}
    assert manifest["training"]["optimizer"]["class_name"] == "Nadam"
    assert manifest["training"]["metrics"] == ["accuracy"]
    assert manifest["optimizer_state"]["iterations"] == model.optimizer.iterations
    assert manifest["optimizer_state"]["momentum_product"] == model.optimizer.momentum_product
    assert manifest["optimizer_state"]["slots"] == [["momentum", "velocity"]] * 4
    assert set(manifest["random_state"]["layers"]) == {"2"}  # the Dropout layer's generator
    np.testing.assert_array_equal(tensors["layers.1.kernel"], model.layers[1].params["kernel"])
    np.testing.assert_array_equal(tensors["layers.3.bias"], model.layers[3].params["bias"])
    assert tensors["optimizer.0.momentum"].shape == (16, 6)
    assert sorted(tensors) == ["layers.1.bias", "layers.1.kernel", "layers.3.bias", "layers.3.kernel",
                               *[f"optimizer.{j}.{slot}" for j in range(4) for slot in ("momentum", "velocity")]]


def test_a_weights_file_holds_no_training_state(data, tmp_path):
    model = small_model("adam")
    model.fit(*data, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.neurona")
    with zipfile.ZipFile(tmp_path / "w.neurona") as archive:
        manifest = json.loads(archive.read("neurona.json"))
        tensors = read_safetensors_by_hand(archive.read("weights.safetensors"))
    assert manifest["kind"] == "weights"
    assert "training" not in manifest and "optimizer_state" not in manifest
    assert sorted(tensors) == ["layers.1.bias", "layers.1.kernel", "layers.3.bias", "layers.3.kernel"]


def test_a_weights_file_is_not_a_model_to_train(data, tmp_path):
    model = small_model("adam")
    model.build((4, 4))
    model.save_weights(tmp_path / "w.neurona")
    loaded = load_model(tmp_path / "w.neurona")
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(data[0]), model.predict(data[0]))


@pytest.mark.parametrize("name, form", [("m.keras", "keras"), ("m.H5", "h5"), ("m.hdf5", "h5"),
                                        ("m.neurona", "neurona"), ("m", "neurona"), ("m.bin", "neurona")])
def test_the_suffix_picks_the_format(name, form):
    assert format_for_path(name) == form


def test_saving_replaces_the_file_atomically_and_leaves_no_temporary(saved):
    model, path = saved
    model.save(path)
    assert sorted(os.listdir(path.parent)) == ["model.neurona"]


def test_a_saved_file_gets_the_mode_a_plain_open_gives(saved, tmp_path):
    _, path = saved
    (tmp_path / "plain").write_bytes(b"")
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE((tmp_path / "plain").stat().st_mode)


def test_overwrite_false_refuses_an_existing_file(saved):
    model, path = saved
    before = snapshot(path.parent)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save(path, overwrite=False)
    assert snapshot(path.parent) == before


@pytest.mark.parametrize("suffix", ["neurona", "keras", "h5"])
def test_a_failed_save_keeps_the_previous_file_and_leaves_nothing_behind(suffix, data, tmp_path, monkeypatch):
    model = small_model("adam")
    model.build((4, 4))
    path = tmp_path / f"model.{suffix}"
    model.save(path)
    before = snapshot(tmp_path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    # Fails after the temporary file exists: at the rename for every format.
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert snapshot(tmp_path) == before
    monkeypatch.undo()
    load_model(path)


def test_saving_creates_missing_folders(saved, tmp_path):
    model, _ = saved
    model.save(tmp_path / "a" / "b" / "model.neurona")
    assert (tmp_path / "a" / "b" / "model.neurona").is_file()


def test_saving_to_a_folder_is_refused(saved, tmp_path):
    model, _ = saved
    (tmp_path / "folder.neurona").mkdir()
    with pytest.raises(IsADirectoryError):
        model.save(tmp_path / "folder.neurona")


def test_the_weights_member_is_plain_safetensors(saved):
    _, path = saved
    with zipfile.ZipFile(path) as archive:
        data = archive.read("weights.safetensors")
    (length,) = struct.unpack("<Q", data[:8])
    assert length % 8 == 0  # header padded so the tensors start aligned
    assert json.loads(data[8:8 + length])["__metadata__"] == {"format": "neurona"}


def test_the_manifest_names_this_format_version(saved):
    assert neurona_format.FORMAT_VERSION == 2
    with zipfile.ZipFile(saved[1]) as archive:
        assert json.loads(archive.read("neurona.json"))["neurona_version"]


def test_safetensors_round_trips_every_dtype_and_shape():
    tensors = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": np.array(2.5, dtype=np.float64),
        "c": np.zeros((0, 4), dtype=np.float16),
        "d": np.array([1, -2], dtype=np.int64),
    }
    import io

    data = safetensors.encode(tensors, {"k": "v"})
    stream = io.BytesIO(data)
    header = safetensors.read_header(stream, len(data), "test")
    assert header.metadata == {"k": "v"}
    loaded = safetensors.read_tensors(stream, header, "test")
    for name, value in tensors.items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name], value)
        assert loaded[name].flags.writeable


@pytest.mark.parametrize("entry, message", [
    ({"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}, "needs 8 bytes"),
    ({"dtype": "O", "shape": [1], "data_offsets": [0, 8]}, "has dtype 'O'"),
    ({"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}, "invalid shape"),
    ({"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}, "starts at byte 4, expected 0"),
    ({"dtype": "F32", "shape": [1]}, "exactly dtype, shape and data_offsets"),
])
def test_safetensors_headers_are_checked(entry, message):
    import io

    from neurona.saving import ModelFileError

    header = json.dumps({"t": entry}).encode()
    data = struct.pack("<Q", len(header)) + header + b"\0" * 8
    with pytest.raises(ModelFileError, match=message):
        safetensors.read_header(io.BytesIO(data), len(data), "test")


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_a_version_1_file_with_published_slots_loads_converted(data, tmp_path, optimizer):
    """Version 1 kept optimizer slots as the published rule defines them; version 2 keeps
    them as the optimizer stores them (Adam's and RMSprop's averages divided by 1 - decay)."""
    model = small_model(optimizer)
    model.fit(*data, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / "model.neurona"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("neurona.json"))
        tensors = read_safetensors_by_hand(archive.read("weights.safetensors"))
    scales = model.optimizer.stored_slot_scales()
    assert scales
    published = {}
    for name, value in tensors.items():
        slot = name.split(".")[-1]
        published[name] = (value * scales[slot]).astype(value.dtype) if name.startswith("optimizer.") and slot in scales else value
    manifest["format_version"] = 1
    old = tmp_path / "version1.neurona"
    with zipfile.ZipFile(old, "w") as archive:
        archive.writestr("neurona.json", json.dumps(manifest))
        archive.writestr("weights.safetensors", safetensors.encode(published, {"format": "neurona"}))

    loaded = load_model(old)
    for ours, theirs in zip(loaded.optimizer.get_state()["slots"], model.optimizer.get_state()["slots"]):
        assert set(ours) == set(theirs)
        for name in ours:
            np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-6)
