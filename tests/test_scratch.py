"""neurona.scratch: the tutorial's from-scratch L-layer network (column-major, functional)."""

import re

import numpy as np
import pytest

from neurona import backend, scratch


def _small_problem(seed=0, dims=(4, 5, 3, 1), m=7):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(np.float64)
    return X, Y, list(dims)


def _load_catvnoncat(data_dir):
    pytest.importorskip("h5py")
    from neurona.datasets import catvnoncat

    (train_x, train_y), (test_x, test_y) = catvnoncat.load_data()
    flatten = lambda images: images.reshape(images.shape[0], -1).T / 255  # noqa: E731
    return flatten(train_x), train_y.reshape(1, -1), flatten(test_x), test_y.reshape(1, -1)


# --------------------------------------------------------------------------- initialisation

def test_initialization_reproduces_legacy_global_seed():
    dims = [6, 4, 3, 1]
    np.random.seed(1)
    expected = [np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1]) for l in range(1, 4)]
    state_before = np.random.get_state()[1].copy()

    parameters = scratch.initialize_parameters(dims, seed=1)

    assert sorted(parameters) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    for l in range(1, 4):
        assert parameters[f"W{l}"].dtype == np.float64
        np.testing.assert_array_equal(parameters[f"W{l}"], expected[l - 1])
        np.testing.assert_array_equal(parameters[f"b{l}"], np.zeros((dims[l], 1)))
    # The private RandomState leaves NumPy's global state alone.
    np.testing.assert_array_equal(np.random.get_state()[1], state_before)


def test_initialization_seed_none_uses_global_state_and_dtype():
    np.random.seed(1)
    from_global = scratch.initialize_parameters([5, 3, 1], seed=None)
    np.testing.assert_array_equal(from_global["W1"], scratch.initialize_parameters([5, 3, 1])["W1"])

    backend.set_floatx("float32")  # float64 by default whatever floatx says
    assert scratch.initialize_parameters([5, 3, 1])["W1"].dtype == np.float64
    as32 = scratch.initialize_parameters([5, 3, 1], dtype="float32")
    assert as32["W1"].dtype == np.float32 and as32["b1"].dtype == np.float32


# --------------------------------------------------------------------------- shapes

def test_shapes_of_forward_backward_update_predict():
    X, Y, dims = _small_problem()
    m = X.shape[1]
    parameters = scratch.initialize_parameters(dims)
    AL, caches = scratch.forward(X, parameters)
    assert AL.shape == (1, m)
    assert np.all((AL > 0) & (AL < 1))
    assert len(caches) == len(dims) - 1
    for l, ((A_prev, W, b), (Z, A)) in enumerate(caches, start=1):
        assert A_prev.shape == (dims[l - 1], m)
        assert W.shape == (dims[l], dims[l - 1]) and b.shape == (dims[l], 1)
        assert Z.shape == A.shape == (dims[l], m)

    grads = scratch.backward(AL, Y, caches)
    for l in range(1, len(dims)):
        assert grads[f"dW{l}"].shape == parameters[f"W{l}"].shape
        assert grads[f"db{l}"].shape == parameters[f"b{l}"].shape
        assert grads[f"dA{l - 1}"].shape == (dims[l - 1], m)

    before = {k: v.copy() for k, v in parameters.items()}
    updated = scratch.update_parameters(parameters, grads, 0.1)
    for name, value in parameters.items():
        np.testing.assert_array_equal(value, before[name])  # inputs untouched
        np.testing.assert_allclose(updated[name], value - 0.1 * grads["d" + name])

    predictions = scratch.predict(X, parameters)
    assert predictions.shape == (1, m)
    assert set(np.unique(predictions)) <= {0, 1}
    np.testing.assert_array_equal(predictions, (AL > 0.5).astype(int))


def test_cost_is_mean_binary_cross_entropy_as_float():
    AL = np.array([[0.8, 0.9, 0.4, 0.2]])
    Y = np.array([[1, 1, 0, 0]])
    expected = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    value = scratch.cost(AL, Y)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- gradients

def test_backward_matches_central_differences():
    X, Y, dims = _small_problem(seed=3, dims=(5, 4, 3, 1), m=6)
    parameters = scratch.initialize_parameters(dims, seed=2)
    AL, caches = scratch.forward(X, parameters)
    # Away from ReLU's kink: every hidden pre-activation is far larger than the step moves it.
    for (_, (Z, _)) in caches[:-1]:
        assert np.min(np.abs(Z)) > 1e-3
    grads = scratch.backward(AL, Y, caches)

    step = 1e-6
    analytic, numeric = [], []
    for name in sorted(parameters):
        for index in np.ndindex(parameters[name].shape):
            plus = {k: v.copy() for k, v in parameters.items()}
            minus = {k: v.copy() for k, v in parameters.items()}
            plus[name][index] += step
            minus[name][index] -= step
            cost_plus = scratch.cost(scratch.forward(X, plus)[0], Y)
            cost_minus = scratch.cost(scratch.forward(X, minus)[0], Y)
            numeric.append((cost_plus - cost_minus) / (2 * step))
            analytic.append(grads["d" + name][index])
    analytic, numeric = np.array(analytic), np.array(numeric)
    relative = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert relative < 1e-7, relative


# --------------------------------------------------------------------------- tutorial names

def test_spanish_aliases_are_the_same_functions():
    assert scratch.inicializa_coef_deep is scratch.initialize_parameters
    assert scratch.modelo_forward is scratch.forward
    assert scratch.funcion_coste is scratch.cost
    assert scratch.modelo_backward is scratch.backward
    assert scratch.actualiza_coefs is scratch.update_parameters


def test_entrenamiento_takes_tutorial_keywords_and_matches_train(capsys):
    X, Y, dims = _small_problem(m=12)
    parametros, costes = scratch.entrenamiento(X, Y, dims, learning_rate=0.05, num_iters=201,
                                               imprime_coste=True)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed] == [
        "Coste después de la iteración 0",
        "Coste después de la iteración 100",
        "Coste después de la iteración 200",
    ]
    assert len(costes) == 3 and all(isinstance(c, float) for c in costes)
    assert float(printed[0].split(": ")[1]) == costes[0]

    parameters, costs = scratch.train(X, Y, dims, learning_rate=0.05, num_iterations=201,
                                      print_cost=True)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Cost after iteration 0: ")
    assert costs == costes
    for name in parameters:
        np.testing.assert_array_equal(parameters[name], parametros[name])


def test_train_prints_last_iteration_and_is_quiet_by_default(capsys):
    X, Y, dims = _small_problem()
    _, costs = scratch.train(X, Y, dims, num_iterations=150, print_cost=True)
    lines = capsys.readouterr().out.splitlines()
    assert [int(re.search(r"iteration (\d+)", line).group(1)) for line in lines] == [0, 100, 149]
    assert len(costs) == 2
    scratch.train(X, Y, dims, num_iterations=150)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- bad input

def test_bad_inputs_raise_with_expected_and_received():
    X, Y, dims = _small_problem()
    m = X.shape[1]
    with pytest.raises(ValueError, match=r"X must be 2-D.*Received X of shape \(28,\)"):
        scratch.train(X.ravel(), Y, dims)
    with pytest.raises(ValueError, match=rf"Y must have shape \(1, {m}\).*Received Y of shape \({m},\)"):
        scratch.train(X, Y.ravel(), dims)
    with pytest.raises(ValueError, match=rf"Y must have shape \(1, {m}\).*Received Y of shape \(1, {m - 1}\)"):
        scratch.train(X, Y[:, 1:], dims)
    with pytest.raises(ValueError, match=r"layer_dims\[0\] = 3 rows.*Received X of shape \(4, 7\)"):
        scratch.train(X, Y, [3, 5, 1])
    with pytest.raises(ValueError, match=r"looks transposed"):
        scratch.train(X.T, Y, dims)
    bad = X.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"X must be finite.*1 NaN"):
        scratch.train(bad, Y, dims)
    with pytest.raises(ValueError, match=r"X must be finite.*1 NaN"):
        scratch.forward(bad, scratch.initialize_parameters(dims))
    with pytest.raises(ValueError, match=r"number of inputs of W1 = 4 rows.*Received X of shape \(3, 7\)"):
        scratch.forward(X[:3], scratch.initialize_parameters(dims))
    with pytest.raises(ValueError, match=r"Y must hold labels in \[0, 1\].*from 0.0 to 2.0"):
        scratch.train(X, Y * 2, dims)
    with pytest.raises(ValueError, match=r"layer_dims\[-1\] == 1.*Received layer_dims\[-1\] = 2"):
        scratch.train(X, Y, [4, 3, 2])
    with pytest.raises(ValueError, match=r"at least two positive integers.*Received: \[4\]"):
        scratch.initialize_parameters([4])
    with pytest.raises(ValueError, match=r"Y must have shape \(1, 3\).*Received Y of shape \(1, 2\)"):
        scratch.cost(np.full((1, 3), 0.5), np.ones((1, 2)))


# --------------------------------------------------------------------------- the tutorial's data

def test_cat_noncat_first_100_iterations_match_tutorial(data_dir):
    X_train, Y_train, _, _ = _load_catvnoncat(data_dir)
    assert X_train.shape == (12288, 209) and Y_train.shape == (1, 209)
    _, costs = scratch.train(X_train, Y_train, [12288, 20, 7, 5, 1], learning_rate=0.0075,
                             num_iterations=101)
    assert costs[0] == pytest.approx(0.7717493284237686, abs=1e-4)
    assert costs[1] == pytest.approx(0.6720534400822913, abs=1e-3)


@pytest.mark.slow
def test_cat_noncat_full_training_matches_tutorial(data_dir, capsys):
    X_train, Y_train, X_test, Y_test = _load_catvnoncat(data_dir)
    parametros, costes = scratch.entrenamiento(X_train, Y_train, [12288, 20, 7, 5, 1],
                                               learning_rate=0.0075, num_iters=2500,
                                               imprime_coste=True)
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("Coste después de la iteración 2499: ")
    final_cost = float(last.split(": ")[1])

    assert len(costes) == 25
    assert costes[0] == pytest.approx(0.7717493284237686, abs=1e-4)
    assert final_cost == pytest.approx(0.088439943441702, abs=1e-3)
    accuracy = np.mean(scratch.predict(X_test, parametros) == Y_test)
    assert accuracy == pytest.approx(0.80)


def test_on_iteration_sees_each_cost_and_can_stop_training():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 40))
    Y = (X[:1] > 0).astype(float)
    seen = []
    parameters, costs = scratch.train(X, Y, [6, 4, 1], learning_rate=0.1, num_iterations=50,
                                      on_iteration=lambda i, cost, AL: seen.append((i, cost, AL.shape)) or i == 9)
    assert [i for i, _, _ in seen] == list(range(10)) and seen[0][2] == (1, 40)
    assert seen[0][1] == costs[0]


def test_to_model_gives_a_sequential_predicting_what_forward_computes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 40))
    parameters = scratch.initialize_parameters([6, 4, 3, 1])
    model = scratch.to_model(parameters)
    AL, _ = scratch.forward(X, parameters)
    np.testing.assert_allclose(model.predict(X.T), AL.T, rtol=1e-12)
