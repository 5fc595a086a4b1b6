import pytest

from neurona.datasets.atomic import atomic_folder, atomic_write

from .builders import files_in


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
