import pytest

from neurona.reports._atomic import atomic_path, write_text_atomic


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
