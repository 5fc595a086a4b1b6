import os

import pytest

from neurona.utils.atomic import atomic_folder, atomic_path, atomic_write, write_text_atomic


def files_in(folder):
    """Every file under `folder`, relative, sorted (temporaries included)."""
    return sorted(os.path.relpath(os.path.join(root, name), folder)
                  for root, _, names in os.walk(folder) for name in names)


def test_the_file_appears_complete(tmp_path):
    path = tmp_path / "sub" / "data.bin"
    with atomic_write(path) as handle:
        handle.write(b"abc")
        assert not path.exists()
    assert path.read_bytes() == b"abc"
    assert files_in(tmp_path) == ["sub/data.bin"]


def test_a_failure_leaves_nothing_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_write(path) as handle:
            handle.write(b"half")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert files_in(tmp_path) == ["data.bin"]


def test_a_folder_appears_complete_and_replaces_the_old_one(tmp_path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "stale").write_text("old")
    with atomic_folder(tmp_path / "set") as folder:
        (folder / "a").write_text("1")
        (folder / "b").write_text("2")
        assert files_in(tmp_path / "set") == ["stale"]
    assert files_in(tmp_path) == ["set/a", "set/b"]


def test_a_failed_folder_leaves_nothing(tmp_path):
    with pytest.raises(OSError, match="disk full"):
        with atomic_folder(tmp_path / "set") as folder:
            (folder / "a").write_text("1")
            raise OSError("disk full")
    assert files_in(tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = write_text_atomic(tmp_path / "report.html", "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]


def test_the_temporary_name_never_looks_like_the_target(tmp_path):
    with atomic_path(tmp_path / "plot.png") as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".plot.png.") and temporary.suffix == ".tmp"
        temporary.write_bytes(b"x")
    assert (tmp_path / "plot.png").read_bytes() == b"x"


def test_refuses_a_folder_and_an_existing_file_without_overwrite(tmp_path):
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        with atomic_path(tmp_path):
            pass
    write_text_atomic(tmp_path / "model.bin", "kept")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        with atomic_path(tmp_path / "model.bin", overwrite=False):
            pass
    assert files_in(tmp_path) == ["model.bin"]


def test_durable_write_fsyncs_and_replaces(tmp_path):
    with atomic_write(tmp_path / "model.bin", durable=True) as handle:
        handle.write(b"weights")
    assert (tmp_path / "model.bin").read_bytes() == b"weights"
