import numpy as np
import pytest

from layer_checks import check_layer_gradients
from gradient_check import assert_gradient_close, numeric_gradient
from neurona import keras, layers


@pytest.fixture
def rng():
    return np.random.default_rng(4)


MERGES = [
    (layers.Add, 3, lambda xs: xs[0] + xs[1] + xs[2]),
    (layers.Subtract, 2, lambda xs: xs[0] - xs[1]),
    (layers.Multiply, 3, lambda xs: xs[0] * xs[1] * xs[2]),
    (layers.Average, 3, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
    (layers.Maximum, 2, lambda xs: np.maximum(xs[0], xs[1])),
    (layers.Minimum, 3, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2])),
]


@pytest.mark.parametrize("kind, count, expected", MERGES, ids=[m[0].__name__ for m in MERGES])
def test_values(kind, count, expected, rng):
    xs = [rng.normal(size=(4, 3, 2)).astype(np.float32) for _ in range(count)]
    np.testing.assert_allclose(kind()(xs), expected(xs), rtol=1e-6)


@pytest.mark.usefixtures("float64")
@pytest.mark.parametrize("kind, count, expected", MERGES + [(lambda: layers.Concatenate(axis=1), 3, None),
                                                          (lambda: layers.Concatenate(), 2, None)],
                         ids=[m[0].__name__ for m in MERGES] + ["Concatenate-axis1", "Concatenate-last"])
def test_gradients(kind, count, expected, rng):
    layer = kind()
    xs = [rng.normal(size=(3, 2 + i if isinstance(layer, layers.Concatenate) and layer.axis == 1 else 2, 4))
          for i in range(count)]
    layer.build([x.shape[1:] for x in xs])
    out = layer.forward(xs)
    r = rng.normal(size=out.shape)
    grads = layer.backward(r)
    assert len(grads) == count
    for x, grad in zip(xs, grads):
        assert_gradient_close(numeric_gradient(lambda: float(np.sum(layer.forward(xs) * r)), x), grad)


def test_concatenate_shapes():
    a, b = keras.Input(shape=(4, 3)), keras.Input(shape=(4, 5))
    assert layers.concatenate([a, b]).shape == (None, 4, 8)
    assert layers.Concatenate(axis=1)([keras.Input(shape=(2, 3)), keras.Input(shape=(5, 3))]).shape == (None, 7, 3)
    with pytest.raises(ValueError, match=r"Concatenate layer .* expects inputs whose shapes agree except along axis=-1"):
        layers.concatenate([keras.Input(shape=(4, 3)), keras.Input(shape=(5, 3))])


def test_function_forms_make_the_layers():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    for function, kind in [(layers.add, layers.Add), (layers.subtract, layers.Subtract),
                           (layers.multiply, layers.Multiply), (layers.average, layers.Average),
                           (layers.maximum, layers.Maximum), (layers.minimum, layers.Minimum)]:
        tensor = function([a, b])
        assert isinstance(tensor.layer, kind) and tensor.shape == (None, 3)


@pytest.mark.parametrize("make, inputs, message", [
    (layers.Add, [(3,), (4,)], r"Add layer 'm' expects inputs of one shape\. Received shapes \[\(None, 3\), \(None, 4\)\]"),
    (layers.Add, [(3,)], r"Add layer 'm' expects at least 2 inputs\. Received 1"),
    (layers.Subtract, [(3,)] * 3, r"Subtract layer 'm' expects exactly 2 inputs\. Received 3"),
])
def test_bad_inputs(make, inputs, message):
    with pytest.raises(ValueError, match=message):
        make(name="m")([keras.Input(shape=shape) for shape in inputs])
