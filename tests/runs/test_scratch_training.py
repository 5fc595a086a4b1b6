import numpy as np
import pytest

from neurona import scratch
from neurona.runs.scratch_training import compile_like_scratch, train_scratch
from neurona.scratch import to_model


@pytest.fixture
def blobs():
    """(x (60, 12), y (60,)): two separable clouds, float64."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=60)
    x = rng.normal(size=(60, 12)) + y[:, None] * 1.5
    return x, y


def test_learns_exactly_what_scratch_train_learns(blobs):
    x, y = blobs
    expected, costs = scratch.train(x.T, y.reshape(1, -1), [12, 5, 3, 1], learning_rate=0.05, num_iterations=201)
    parameters, history = train_scratch(x, y, [12, 5, 3, 1], learning_rate=0.05, iterations=201)
    assert sorted(parameters) == sorted(expected)
    for key in expected:
        assert np.array_equal(parameters[key], expected[key]), key
    assert history["loss"][::100] == costs
    assert len(history["accuracy"]) == 201
    assert history["accuracy"][-1] > 0.8


def test_prints_the_tutorial_lines_and_stops_on_request(blobs):
    x, y = blobs
    lines = []
    calls = iter(range(1000))
    parameters, history = train_scratch(x, y, [12, 4, 1], 0.05, 500, print_fn=lines.append,
                                        should_stop=lambda: next(calls) >= 149)
    assert len(history["loss"]) == 150
    assert lines[0].startswith("Cost after iteration 0: ")
    assert [line.split(":")[0] for line in lines] == ["Cost after iteration 0", "Cost after iteration 100"]


def test_to_model_computes_what_forward_computes(blobs):
    x, y = blobs
    parameters, _ = train_scratch(x, y, [12, 5, 3, 1], 0.05, 50)
    model = to_model(parameters, name="cat")
    assert model.input_shape == (12,) and model.output_shape == (1,)
    assert model.dtype == np.float64
    assert [layer.activation.name for layer in model.layers] == ["relu", "relu", "sigmoid"]
    assert np.array_equal(model.layers[0].params["kernel"], parameters["W1"].T)
    assert np.array_equal(model.layers[2].params["bias"], parameters["b3"].ravel())
    AL, _ = scratch.forward(x.T, parameters)
    np.testing.assert_allclose(model.predict(x), AL.T, rtol=1e-12, atol=1e-15)
    compile_like_scratch(model, 0.05)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(scratch.cost(AL, y.reshape(1, -1)), rel=1e-9)
    assert accuracy == pytest.approx(np.mean((AL > 0.5) == y))


def test_to_model_refuses_what_is_not_scratch_parameters():
    with pytest.raises(ValueError, match="'W1', 'b1'"):
        to_model({"weights": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"b1 must have shape \(3, 1\)"):
        to_model({"W1": np.zeros((3, 4)), "b1": np.zeros(3)})
