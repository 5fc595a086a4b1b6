import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

TRAIN_SAMPLES, TEST_SAMPLES = 3000, 1000


@pytest.fixture
def small_datasets(monkeypatch, data_dir):
    """mnist/fashion_mnist.load_data() cut to the first few thousand samples, so a tutorial's
    code runs unchanged in seconds."""
    from neurona.datasets import fashion_mnist, mnist

    for module in (mnist, fashion_mnist):
        (x_train, y_train), (x_test, y_test) = module.load_data()
        subset = ((x_train[:TRAIN_SAMPLES], y_train[:TRAIN_SAMPLES]), (x_test[:TEST_SAMPLES], y_test[:TEST_SAMPLES]))
        monkeypatch.setattr(module, "load_data", lambda subset=subset: subset)


@pytest.fixture
def tiny_mnist(monkeypatch, data_dir):
    """mnist.load_data() cut to the first 256 training and 200 test images: a convnet's fifteen
    epochs of 128 are then thirty steps."""
    from neurona.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    subset = ((x_train[:256], y_train[:256]), (x_test[:200], y_test[:200]))
    monkeypatch.setattr(mnist, "load_data", lambda: subset)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
