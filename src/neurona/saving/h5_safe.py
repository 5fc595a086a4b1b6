"""HDF5 read from untrusted files (h5py imported only here, and only when needed).

Only hard links are followed (no soft or external links into other files), datasets must be
numeric, stored in the file itself (no external raw files, no virtual datasets), and use no
filter other than deflate, shuffle and Fletcher-32 (an unknown filter would make HDF5 look
for a plugin). Each dataset's size is checked against a byte budget, and against its stored
size (a tiny chunk inflating to gigabytes is refused), before it is read. Attributes holding
JSON are size-checked before they are read.
"""

import io

import numpy as np

from neurona.saving import limits
from neurona.saving.errors import ModelFileError

_ALLOWED_FILTERS = {1, 2, 3}  # deflate, shuffle, fletcher32
_ONE_MIB = 1 << 20


def h5py_module():
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "Reading and writing Keras .h5 and .keras files needs h5py: pip install 'neurona[data]'."
        ) from None
    return h5py


def open_file(source, what):
    """An h5py.File opened read-only from a path or bytes."""
    h5py = h5py_module()
    try:
        if isinstance(source, (bytes, bytearray)):
            return h5py.File(io.BytesIO(source), "r")
        return h5py.File(source, "r")
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(f"{what} is truncated or corrupt HDF5: {error}.") from None


def child(group, path, what, kind=None):
    """group[path], following hard links only; None when absent. `kind`: 'group' or 'dataset'."""
    h5py = h5py_module()
    current = group
    for part in path.split("/"):
        if not part or not isinstance(current, h5py.Group):
            return None
        try:
            link = current.get(part, getlink=True)
        except (KeyError, ValueError, OSError, RuntimeError):
            return None
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise ModelFileError(
                f"{what}: {path!r} is a link of type {type(link).__name__} (to elsewhere in the file or "
                "to another file); only hard links are followed."
            )
        try:
            current = current[part]
        except (KeyError, ValueError, OSError, RuntimeError) as error:
            raise ModelFileError(f"{what}: {path!r} cannot be read: {error}.") from None
    if kind == "group" and not isinstance(current, h5py.Group):
        raise ModelFileError(f"{what}: {path!r} is not a group.")
    if kind == "dataset" and not isinstance(current, h5py.Dataset):
        raise ModelFileError(f"{what}: {path!r} is not a dataset.")
    return current


def names(group, what):
    """Member names of a group, refusing more than the tensor limit."""
    if len(group) > limits.MAX_TENSORS:
        raise ModelFileError(f"{what}: a group holds {len(group)} members, more than {limits.MAX_TENSORS}.")
    return list(group.keys())


def dataset_shape(dataset, what):
    """The shape of a dataset after checking everything except its size budget."""
    name = dataset.name
    if dataset.dtype.kind not in "fiu" or dataset.dtype.itemsize > 8:
        raise ModelFileError(f"{what}: dataset {name!r} has dtype {dataset.dtype}; only numbers are read.")
    if dataset.is_virtual or dataset.external:
        raise ModelFileError(f"{what}: dataset {name!r} refers to data outside the file; refused.")
    plist = dataset.id.get_create_plist()
    filters = {plist.get_filter(index)[0] for index in range(plist.get_nfilters())}
    if not filters <= _ALLOWED_FILTERS:
        raise ModelFileError(
            f"{what}: dataset {name!r} uses HDF5 filters {sorted(filters)}; only deflate, shuffle and "
            "fletcher32 are read."
        )
    nbytes = int(np.prod(dataset.shape, dtype=object)) * dataset.dtype.itemsize
    stored = dataset.id.get_storage_size()
    if nbytes > _ONE_MIB and nbytes > limits.MAX_COMPRESSION_RATIO * max(stored, 1):
        raise ModelFileError(
            f"{what}: dataset {name!r} would inflate from {stored} to {nbytes} bytes; refusing what looks like a bomb."
        )
    return tuple(int(dim) for dim in dataset.shape)


def check_total(datasets, what):
    """Refuse datasets whose declared sizes add up to more than the uncompressed limit."""
    total = sum(int(np.prod(dataset.shape, dtype=object)) * dataset.dtype.itemsize for dataset in datasets)
    if total > limits.MAX_UNCOMPRESSED_BYTES:
        raise ModelFileError(
            f"{what} declares {total} bytes of weights, more than the limit of {limits.MAX_UNCOMPRESSED_BYTES} "
            "(neurona.saving.limits.MAX_UNCOMPRESSED_BYTES)."
        )


def read_dataset(dataset, what):
    """The dataset's values as a NumPy array (checked with `dataset_shape` first)."""
    dataset_shape(dataset, what)
    try:
        return np.array(dataset[()])
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(f"{what}: dataset {dataset.name!r} cannot be read: {error}.") from None


def text_attribute(obj, name, what):
    """A string attribute (JSON text, a version), or None when absent."""
    value = _attribute(obj, name, what)
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        raise ModelFileError(f"{what}: attribute {name!r} is not text.")
    return value


def list_attribute(obj, name, what):
    """A list-of-strings attribute (Keras' layer_names, weight_names, possibly chunked), or []."""
    if name in obj.attrs:
        values = _attribute(obj, name, what)
    else:
        values, chunk = [], 0
        while f"{name}{chunk}" in obj.attrs and chunk < limits.MAX_TENSORS:
            values.extend(list(_attribute(obj, f"{name}{chunk}", what)))
            chunk += 1
    if isinstance(values, (str, bytes)):
        raise ModelFileError(f"{what}: attribute {name!r} must be a list of names.")
    result = []
    for value in np.asarray(values).reshape(-1).tolist() if len(values) else []:
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if not isinstance(value, str):
            raise ModelFileError(f"{what}: attribute {name!r} must hold names. Received {value!r}.")
        result.append(value)
    return result


def _attribute(obj, name, what):
    if name not in obj.attrs:
        return None
    try:
        attribute = obj.attrs.get_id(name)
        size = int(np.prod(attribute.shape or (), dtype=object)) * attribute.dtype.itemsize
        if size > limits.MAX_JSON_BYTES:
            raise ModelFileError(f"{what}: attribute {name!r} is larger than {limits.MAX_JSON_BYTES} bytes.")
        if attribute.dtype.kind == "O" and attribute.dtype.metadata is None:
            raise ModelFileError(f"{what}: attribute {name!r} holds opaque objects.")
        return obj.attrs[name]
    except ModelFileError:
        raise
    except (OSError, ValueError, RuntimeError, TypeError) as error:
        raise ModelFileError(f"{what}: attribute {name!r} cannot be read: {error}.") from None
