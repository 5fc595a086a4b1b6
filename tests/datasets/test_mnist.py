import numpy as np

from neurona.datasets import catvnoncat, fashion_mnist, mnist


def test_load_data_keeps_keras_shapes_and_dtypes(data_dir):
    for module in (mnist, fashion_mnist):
        (x_train, y_train), (x_test, y_test) = module.load_data()
        shapes = (x_train.shape, y_train.shape, x_test.shape, y_test.shape)
        assert shapes == ((60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
        assert {x_train.dtype, y_train.dtype, x_test.dtype, y_test.dtype} == {np.dtype(np.uint8)}
        assert y_train.max() == 9 and x_train.max() == 255
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot" and mnist.CLASS_NAMES[3] == "3"


def test_catvnoncat_load_data(data_dir):
    (x_train, y_train), (x_test, y_test) = catvnoncat.load_data()
    assert x_train.shape == (209, 64, 64, 3) and y_test.shape == (50,) and set(np.unique(y_train)) == {0, 1}
    assert catvnoncat.CLASS_NAMES == ("non-cat", "cat")
