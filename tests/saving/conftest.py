import numpy as np
import pytest


@pytest.fixture
def data():
    """48 samples of 4x4 inputs, 3 classes."""
    rng = np.random.default_rng(0)
    x = rng.random((48, 4, 4), dtype=np.float32)
    y = rng.integers(0, 3, 48)
    return x, y
