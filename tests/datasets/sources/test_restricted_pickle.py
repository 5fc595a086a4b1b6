import collections
import io
import os
import pickle

import numpy as np
import pytest

from neurona.datasets.sources.restricted_pickle import NumpyOnlyUnpickler, UnpicklingError, load_numpy_pickle


class RunsACommand:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_numpy_arrays_in_tuples_load():
    value = ((np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2])), [np.zeros(2, np.uint8)])
    for protocol in (2, 4):
        loaded = load_numpy_pickle(io.BytesIO(pickle.dumps(value, protocol=protocol)))
        np.testing.assert_array_equal(loaded[0][0], value[0][0])
        assert loaded[0][0].dtype == np.float32 and loaded[1][0].dtype == np.uint8


def test_a_pickle_that_would_run_os_system_is_refused():
    data = pickle.dumps(RunsACommand(), protocol=2)
    with pytest.raises(UnpicklingError, match=r"refused to load (posix|nt|os)\.system: only NumPy arrays are allowed"):
        NumpyOnlyUnpickler(io.BytesIO(data)).load()


@pytest.mark.parametrize("value, name", [
    ({1, 2}, "(__builtin__|builtins).set"), (np.float64(1.5), "numpy._core.multiarray.scalar"),
    (collections.OrderedDict(), "collections.OrderedDict"),
])
def test_other_globals_are_refused(value, name):
    with pytest.raises(UnpicklingError, match=f"refused to load {name}"):
        load_numpy_pickle(io.BytesIO(pickle.dumps(value, protocol=2)))


def test_object_arrays_are_refused():
    data = pickle.dumps(np.array([1, "a"], dtype=object), protocol=2)
    with pytest.raises(UnpicklingError, match="refused an object array"):
        load_numpy_pickle(io.BytesIO(data))
