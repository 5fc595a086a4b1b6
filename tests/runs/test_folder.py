import datetime
import json
import math

import pytest

from neurona.runs import folder

NOW = datetime.datetime(2025, 1, 2, 3, 4, 5)


def test_new_run_dir_is_timestamped_and_unique(tmp_path):
    first = folder.new_run_dir("mnist-mlp", tmp_path, now=NOW)
    assert first == tmp_path / "20250102-030405-mnist-mlp"
    first.mkdir()
    second = folder.new_run_dir("mnist-mlp", tmp_path, now=NOW)
    assert second.name == "20250102-030405-mnist-mlp-2"
    folder.partial_dir(second).mkdir()
    assert folder.new_run_dir("mnist-mlp", tmp_path, now=NOW).name == "20250102-030405-mnist-mlp-3"


def test_a_run_is_written_under_partial_then_renamed(tmp_path):
    run_dir = tmp_path / "runs" / "r1"
    partial = folder.start(run_dir)
    assert partial.name == "r1.partial" and partial.is_dir()
    (partial / "config.json").write_text("{}")
    assert not run_dir.exists()
    folder.finish(partial, run_dir)
    assert (run_dir / "config.json").is_file() and not partial.exists()


def test_an_empty_folder_can_take_a_run(tmp_path):
    run_dir = tmp_path / "empty"
    run_dir.mkdir()
    folder.check_writable(run_dir)
    partial = folder.start(run_dir)
    (partial / "config.json").write_text("{}")
    folder.finish(partial, run_dir)
    assert (run_dir / "config.json").is_file()


def test_an_existing_run_is_kept_unless_overwritten(tmp_path):
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    (run_dir / "config.json").write_text("{}")
    with pytest.raises(FileExistsError, match="already exists: choose another --out, or add --overwrite"):
        folder.check_writable(run_dir)
    folder.check_writable(run_dir, overwrite=True)
    partial = folder.start(run_dir)
    (partial / "new.txt").write_text("new")
    with pytest.raises(FileExistsError, match="appeared while training"):
        folder.finish(partial, run_dir)
    folder.finish(partial, run_dir, overwrite=True)
    assert (run_dir / "new.txt").is_file()


def test_overwrite_replaces_only_run_folders(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an empty folder or a run folder"):
        folder.check_writable(tmp_path, overwrite=True)
    (tmp_path / "config.json").write_text("{}")
    folder.check_writable(tmp_path, overwrite=True)


def test_write_json_turns_nan_into_null(tmp_path):
    path = folder.write_json(tmp_path / "m.json", {"loss": math.nan, "list": [1.0, math.inf]})
    assert json.loads(path.read_text()) == {"loss": None, "list": [1.0, None]}


def test_locate_a_run_folder_or_its_model_file(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "model.keras").write_bytes(b"PK")
    (run_dir / "config.json").write_text(json.dumps({"dataset": "mnist"}))
    (run_dir / "metrics.json").write_text(json.dumps({"dataset": {"class_names": ["a", "b"], "image_shape": [8, 8]}}))
    for path in (run_dir, run_dir / "model.keras"):
        info = folder.locate(path)
        assert info.model_path == run_dir / "model.keras"
        assert info.run_dir == run_dir
        assert info.dataset_name == "mnist"
        assert info.class_names == ["a", "b"]
        assert info.image_shape == (8, 8)


def test_locate_a_lone_model_file(tmp_path):
    (tmp_path / "m.neurona").write_bytes(b"PK")
    info = folder.locate(tmp_path / "m.neurona")
    assert info.run_dir is None and info.config is None and info.dataset_name is None and info.class_names is None


def test_locate_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="No run folder or model file at"):
        folder.locate(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match=r"has no model file \(model.neurona, model.keras, model.h5\)"):
        folder.locate(tmp_path)
