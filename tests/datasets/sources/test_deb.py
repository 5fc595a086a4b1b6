import pytest

from neurona.datasets import DataFormatError
from neurona.datasets.sources.deb import ar_members, extract_folder

from ..builders import build_deb, files_in


@pytest.mark.parametrize("compression", ["xz", "gz", ""])
def test_files_of_one_folder_are_extracted(tmp_path, compression):
    deb = build_deb(tmp_path / "p.deb", {"a.gz": b"abc", "odd": b"12345"}, folder="usr/share/x", compression=compression)
    out = tmp_path / "out"
    out.mkdir()
    assert sorted(extract_folder(deb, "usr/share/x", out)) == ["a.gz", "odd"]
    assert (out / "odd").read_bytes() == b"12345" and files_in(out) == ["a.gz", "odd"]


def test_ar_members_and_errors(tmp_path):
    deb = build_deb(tmp_path / "p.deb", {"a": b"1"})
    data = deb.read_bytes()
    assert list(ar_members(data, "p.deb")) == ["debian-binary", "control.tar.gz", "data.tar.xz"]
    with pytest.raises(DataFormatError, match="p.deb: not a Debian package"):
        ar_members(b"PK\x03\x04", "p.deb")
    with pytest.raises(DataFormatError, match="p.deb: member data.tar.xz is truncated"):
        ar_members(data[:-10], "p.deb")
