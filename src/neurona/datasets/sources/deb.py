"""Read files out of a Debian package (.deb) without installing it.

A .deb is an `ar` archive holding debian-binary, control.tar.* and data.tar.*; the files to
install are in data.tar.(gz|xz|bz2|zst). Python's tarfile reads all but zstd; for that
`dpkg-deb --fsys-tarfile` is used when present.
"""

import io
import shutil
import subprocess
import tarfile

from neurona.datasets.errors import DataFormatError

_AR_MAGIC = b"!<arch>\n"
_AR_HEADER_SIZE = 60


def ar_members(data, origin):
    """{name: bytes} of the members of an `ar` archive (the container of a .deb)."""
    if not data.startswith(_AR_MAGIC):
        raise DataFormatError(f"{origin}: not a Debian package (no ar header).")
    members, offset = {}, len(_AR_MAGIC)
    while offset < len(data):
        header = data[offset:offset + _AR_HEADER_SIZE]
        if len(header) < _AR_HEADER_SIZE or header[58:60] != b"`\n":
            raise DataFormatError(f"{origin}: truncated or corrupt ar member header at byte {offset}.")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip() or 0)
        start = offset + _AR_HEADER_SIZE
        if start + size > len(data):
            raise DataFormatError(f"{origin}: member {name} is truncated.")
        members[name] = data[start:start + size]
        offset = start + size + size % 2  # members are aligned to even offsets
    return members


def extract_folder(deb_path, folder, destination):
    """Copy the regular files directly inside `folder` of the package (e.g.
    "usr/share/datasets/fashion-mnist") into `destination`; returns their names.

    Only plain files are written, under their base names: no paths or links from the archive.
    """
    data_tar = _data_tar(deb_path)
    folder = folder.strip("/")
    names = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data_tar), mode="r:*") as archive:
            for member in archive:
                path = member.name.removeprefix("./")
                parent, _, base = path.rpartition("/")
                if member.isfile() and parent == folder:
                    (destination / base).write_bytes(archive.extractfile(member).read())
                    names.append(base)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataFormatError(f"{deb_path}: its data.tar cannot be read ({error}).") from error
    return names


def _data_tar(deb_path):
    members = ar_members(deb_path.read_bytes(), deb_path)
    name = next((name for name in members if name.startswith("data.tar")), None)
    if name is None:
        raise DataFormatError(f"{deb_path}: no data.tar member (found: {', '.join(members)}).")
    if not name.endswith(".zst"):
        return members[name]
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        raise DataFormatError(f"{deb_path}: data.tar.zst needs dpkg-deb, which is not installed.")
    result = subprocess.run([dpkg_deb, "--fsys-tarfile", str(deb_path)], capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise DataFormatError(f"{deb_path}: dpkg-deb --fsys-tarfile failed ({message}).")
    return result.stdout
