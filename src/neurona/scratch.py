"""An L-layer network written as plain functions, as in the tutorial "Construir una red neuronal
en Python desde cero" (cat / non-cat images).

This module mirrors that tutorial step by step rather than the layer/model API:

    parameters = initialize_parameters(layer_dims)         # 1. initialise
    AL, caches = forward(X, parameters)                    # 2. [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID
    J = cost(AL, Y)                                        # 3. binary cross-entropy
    grads = backward(AL, Y, caches)                        # 4. backpropagation
    parameters = update_parameters(parameters, grads, lr)  # 5. gradient-descent step

or all at once with `train`, then `predict`. The tutorial's Spanish names are aliases of the
same functions (`inicializa_coef_deep`, `modelo_forward`, `funcion_coste`, `modelo_backward`,
`actualiza_coefs`, `entrenamiento`), so its code runs unchanged.

Column-major convention (the tutorial's, opposite to the rest of neurona): one example is one
*column*. `X` has shape (n_x, m), features by examples; labels `Y` and activations `A_l` have
shape (n_l, m); `W_l` is (n_l, n_{l-1}) and `b_l` is (n_l, 1), so a layer is `Z = W @ A + b`.
For images, `X = images.reshape(m, -1).T / 255`.

The arithmetic is the engine's: ReLU and sigmoid come from `neurona.activations` and the
cross-entropy and its gradient from `neurona.losses` (which work row-major, so arrays are
transposed on the way in and out). Only the linear step is written here. As in the engine's
losses, probabilities are clipped to [epsilon, 1 - epsilon] inside the logarithm, so a
saturated output gives a large finite cost instead of inf.

Parameters default to float64, as in the tutorial, whatever `neurona.backend.floatx()` is.
"""

import numpy as np

from neurona import activations, losses

__all__ = [
    "initialize_parameters", "forward", "cost", "backward", "update_parameters", "train",
    "predict",
    "inicializa_coef_deep", "modelo_forward", "funcion_coste", "modelo_backward",
    "actualiza_coefs", "entrenamiento",
]

_BCE = losses.BinaryCrossentropy()


# --------------------------------------------------------------------------- initialisation

def initialize_parameters(layer_dims, seed=1, dtype="float64"):
    """Weights W_l = randn(n_l, n_{l-1}) / sqrt(n_{l-1}) and biases b_l = 0.

    Args:
        layer_dims: sizes [n_x, n_1, ..., n_L], input size first; at least two entries.
        seed: the numbers are those of `np.random.seed(seed)` followed by `np.random.randn` for
            W1, W2, ... in order, drawn from a private `RandomState` so NumPy's global state is
            left alone. `None` draws from the global state instead (as the tutorial does after
            its own `np.random.seed(1)`).
        dtype: float type of the parameters (float64 by default, as in the tutorial).

    Returns:
        dict {'W1': (n_1, n_0), 'b1': (n_1, 1), ..., 'WL': (n_L, n_{L-1}), 'bL': (n_L, 1)}.
    """
    dims = _check_layer_dims(layer_dims)
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"initialize_parameters expects a float dtype. Received: dtype={dtype}.")
    randn = np.random.randn if seed is None else np.random.RandomState(seed).randn
    parameters = {}
    for l in range(1, len(dims)):
        weights = randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
        parameters[f"W{l}"] = weights.astype(dtype, copy=False)
        parameters[f"b{l}"] = np.zeros((dims[l], 1), dtype=dtype)
    return parameters


# --------------------------------------------------------------------------- forward pass

def forward(X, parameters):
    """Forward pass [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    Args:
        X: inputs, shape (n_x, m), one example per column.
        parameters: dict from `initialize_parameters` ('W1', 'b1', ..., 'WL', 'bL').

    Returns:
        (AL, caches): AL the output probabilities, shape (n_L, m); caches a list with one
        entry per layer, `((A_prev, W, b), (Z, A))`, which `backward` consumes.
    """
    num_layers = _num_layers(parameters)
    X = _check_X(X, parameters["W1"].shape[1], parameters["W1"].dtype,
                 what="the number of inputs of W1")
    return _forward(X, parameters, num_layers)


def _forward(X, parameters, num_layers):
    caches = []
    A = X
    for l in range(1, num_layers + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        activation = activations.sigmoid if l == num_layers else activations.relu
        A_next = activation.forward(Z)
        caches.append(((A, W, b), (Z, A_next)))
        A = A_next
    return A, caches


# --------------------------------------------------------------------------- cost

def cost(AL, Y):
    """Binary cross-entropy -1/m * sum(Y log AL + (1 - Y) log(1 - AL)), as a Python float.

    Args:
        AL: output probabilities, shape (1, m).
        Y: labels 0/1, shape (1, m).
    """
    AL = np.asarray(AL)
    Y = _check_Y(Y, AL.shape[-1] if AL.ndim == 2 else None, AL.dtype)
    if AL.shape != Y.shape:
        raise ValueError(
            f"cost expects AL and Y of the same shape (1, m). Received AL {AL.shape} and Y {Y.shape}."
        )
    return _cost(AL, Y)


def _cost(AL, Y):
    # losses work on (batch, outputs): transpose the column-major arrays.
    return float(np.mean(_BCE.per_sample(Y.T, AL.T)))


# --------------------------------------------------------------------------- backward pass

def backward(AL, Y, caches):
    """Gradients of `cost(AL, Y)` with respect to every parameter (backpropagation).

    Args:
        AL: output of `forward`, shape (1, m).
        Y: labels, shape (1, m).
        caches: the caches returned by `forward` together with AL.

    Returns:
        dict with 'dW{l}' (shape of W_l), 'db{l}' (shape of b_l) and 'dA{l-1}' (gradient
        with respect to the layer's input A_{l-1}, shape (n_{l-1}, m)) for l = 1..L.
    """
    AL = np.asarray(AL)
    Y = _check_Y(Y, AL.shape[-1] if AL.ndim == 2 else None, AL.dtype)
    if AL.shape != Y.shape:
        raise ValueError(
            f"backward expects AL and Y of the same shape (1, m). Received AL {AL.shape} and Y {Y.shape}."
        )
    return _backward(AL, Y, caches)


def _backward(AL, Y, caches):
    grads = {}
    num_layers = len(caches)
    # Output layer: dCost/dZ_L through the loss' gradient and the sigmoid's derivative,
    # i.e. dAL = -(Y/AL - (1-Y)/(1-AL)) / m, then dZ = dAL * s(1 - s) as in the tutorial.
    dA = _BCE.gradient(Y.T, AL.T).T
    for l in range(num_layers, 0, -1):
        (A_prev, W, _), (Z, A) = caches[l - 1]
        activation = activations.sigmoid if l == num_layers else activations.relu
        dZ = activation.backward(dA, Z, A)
        # The loss' gradient already carries the 1/m of the batch mean.
        grads[f"dW{l}"] = dZ @ A_prev.T
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        dA = W.T @ dZ
        grads[f"dA{l - 1}"] = dA
    return grads


# --------------------------------------------------------------------------- update

def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step: p <- p - learning_rate * dp for every W and b.

    Returns a new dict (the arrays passed in are not modified); reassign the result, as the
    tutorial does: `parameters = update_parameters(parameters, grads, learning_rate)`.
    """
    num_layers = _num_layers(parameters)
    updated = {}
    for l in range(1, num_layers + 1):
        for name in (f"W{l}", f"b{l}"):
            if "d" + name not in grads:
                raise ValueError(f"update_parameters expects grads['d{name}']. Received keys {sorted(grads)}.")
            updated[name] = parameters[name] - learning_rate * grads["d" + name]
    return updated


# --------------------------------------------------------------------------- training

def train(X, Y, layer_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, seed=1,
          dtype="float64", on_iteration=None):
    """Gradient descent on the L-layer network [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID.

    Args:
        X: inputs, shape (layer_dims[0], m), one example per column.
        Y: labels 0/1, shape (1, m).
        layer_dims: [n_x, n_1, ..., n_L]; layer_dims[0] must equal X.shape[0].
        learning_rate: gradient-descent step size.
        num_iterations: number of full-batch steps.
        print_cost: print "Cost after iteration {i}: {cost}" every 100 iterations and at the last.
        seed: initialisation seed (see `initialize_parameters`).
        dtype: float type of parameters and computation (float64 by default).
        on_iteration: optional `f(i, cost, AL)` called after each update (AL: the outputs
            (1, m) the cost was computed from); returning True stops training there.

    Returns:
        (parameters, costs): the learnt parameters and the cost before the update of
        iterations 0, 100, 200, ... (one entry every 100 iterations, as in the tutorial).
    """
    return _train(X, Y, layer_dims, learning_rate, num_iterations, print_cost, seed, dtype,
                  "Cost after iteration {i}: {cost}", on_iteration)


def _train(X, Y, layer_dims, learning_rate, num_iterations, print_cost, seed, dtype, message,
           on_iteration=None):
    dims = _check_layer_dims(layer_dims)
    dtype = np.dtype(dtype)
    X = _check_X(X, dims[0], dtype, what="layer_dims[0]")
    Y = _check_Y(Y, X.shape[1], dtype)
    if dims[-1] != 1:
        raise ValueError(
            f"train expects a single sigmoid output, layer_dims[-1] == 1 to match Y of shape (1, m). "
            f"Received layer_dims[-1] = {dims[-1]}."
        )
    if isinstance(num_iterations, bool) or int(num_iterations) != num_iterations or num_iterations < 0:
        raise ValueError(f"train expects num_iterations to be an integer >= 0. Received: {num_iterations!r}.")
    num_iterations = int(num_iterations)

    parameters = initialize_parameters(dims, seed=seed, dtype=dtype)
    num_layers = len(dims) - 1
    costs = []
    for i in range(num_iterations):
        AL, caches = _forward(X, parameters, num_layers)
        current = _cost(AL, Y)
        grads = _backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print(message.format(i=i, cost=current))
        if i % 100 == 0:
            costs.append(current)
        if on_iteration is not None and on_iteration(i, current, AL):
            break
    return parameters, costs


# --------------------------------------------------------------------------- prediction

def predict(X, parameters):
    """Class predictions, 1 where the output probability is above 0.5: int array of shape (1, m).

    Args:
        X: inputs, shape (n_x, m).
        parameters: learnt parameters, e.g. from `train`.
    """
    AL, _ = forward(X, parameters)
    return (AL > 0.5).astype(np.int64)


# --------------------------------------------------------------------------- tutorial names

inicializa_coef_deep = initialize_parameters
modelo_forward = forward
funcion_coste = cost
modelo_backward = backward
actualiza_coefs = update_parameters


def to_model(parameters, name=None):
    """A Sequential of Dense layers computing what `scratch.forward` computes with `parameters`.

    Layer l gets kernel = W_l.T (n_{l-1}, n_l) and bias = b_l.ravel() (n_l,), ReLU for the
    hidden layers and sigmoid for the last, in the parameters' dtype. The model takes rows
    (m, n_x) where scratch takes columns (n_x, m): `model.predict(X.T) ≈ forward(X, p)[0].T`.

    Args:
        parameters: {'W1': (n_1, n_0), 'b1': (n_1, 1), ..., 'WL', 'bL'}.

    Returns:
        A built, uncompiled Sequential.
    """
    from neurona.layers import Dense
    from neurona.models import Sequential

    num_layers = 0
    while f"W{num_layers + 1}" in parameters:
        num_layers += 1
    if num_layers == 0:
        raise ValueError(f"parameters must hold 'W1', 'b1', ..., 'WL', 'bL'. Received keys {sorted(parameters)}.")
    dtype = str(np.asarray(parameters["W1"]).dtype)
    model = Sequential(name=name)
    for l in range(1, num_layers + 1):
        W, b = np.asarray(parameters[f"W{l}"]), np.asarray(parameters[f"b{l}"])
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"b{l} must have shape ({W.shape[0]}, 1) to match W{l} {W.shape}. Received {b.shape}.")
        extra = {"input_shape": (W.shape[1],)} if l == 1 else {}
        layer = Dense(W.shape[0], activation="sigmoid" if l == num_layers else "relu", dtype=dtype, **extra)
        model.add(layer)
        layer.set_weights([W.T, b.ravel()])
    return model


def entrenamiento(X, Y, layers_dims, learning_rate=0.0075, num_iters=3000, imprime_coste=False,
                  seed=1, dtype="float64"):
    """`train` with the tutorial's names: `num_iters`, `imprime_coste`; returns (parametros, costes).

    Prints "Coste después de la iteración {i}: {coste}" every 100 iterations and at the last
    when `imprime_coste` is True. X is (n_x, m) and Y is (1, m), as in `train`.
    """
    return _train(X, Y, layers_dims, learning_rate, num_iters, imprime_coste, seed, dtype,
                  "Coste después de la iteración {i}: {cost}")


# --------------------------------------------------------------------------- checks

def _check_layer_dims(layer_dims):
    try:
        dims = [int(n) for n in layer_dims]
    except (TypeError, ValueError):
        raise ValueError(
            f"layer_dims must be a list of positive integers [n_x, n_1, ..., n_L]. Received: {layer_dims!r}."
        ) from None
    if len(dims) < 2 or any(n < 1 for n in dims) or any(int(n) != n for n in layer_dims):
        raise ValueError(
            "layer_dims must list at least two positive integers [n_x, n_1, ..., n_L]. "
            f"Received: {list(layer_dims)!r}."
        )
    return dims


def _num_layers(parameters):
    num_layers = 0
    while f"W{num_layers + 1}" in parameters:
        num_layers += 1
    if num_layers == 0 or any(f"b{l}" not in parameters for l in range(1, num_layers + 1)):
        raise ValueError(
            f"parameters must hold 'W1', 'b1', ..., 'WL', 'bL'. Received keys {sorted(parameters)}."
        )
    return num_layers


def _check_X(X, num_features, dtype, what):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D with shape (features, examples) = ({num_features}, m), one example per "
            f"column. Received X of shape {X.shape}. For images use images.reshape(m, -1).T."
        )
    if X.shape[0] != num_features:
        hint = " (X looks transposed: use X.T)" if X.shape[1] == num_features else ""
        raise ValueError(
            f"X must have {what} = {num_features} rows (features, examples). "
            f"Received X of shape {X.shape}{hint}."
        )
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise ValueError(f"X must be numeric. Received dtype {X.dtype}.")
    X = X.astype(dtype, copy=False)
    if not np.all(np.isfinite(X)):
        raise ValueError(
            f"X must be finite. Received X containing {int(np.isnan(X).sum())} NaN and "
            f"{int(np.isinf(X).sum())} inf values."
        )
    return X


def _check_Y(Y, num_examples, dtype):
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[0] != 1 or (num_examples is not None and Y.shape[1] != num_examples):
        expected = "m" if num_examples is None else num_examples
        hint = " Use Y.reshape(1, -1)." if Y.size == num_examples else ""
        raise ValueError(
            f"Y must have shape (1, {expected}), one label per example (column of X). "
            f"Received Y of shape {Y.shape}.{hint}"
        )
    if not (np.issubdtype(Y.dtype, np.number) or Y.dtype == bool):
        raise ValueError(f"Y must be numeric labels 0/1. Received dtype {Y.dtype}.")
    Y = Y.astype(dtype, copy=False)
    if not np.all(np.isfinite(Y)):
        raise ValueError("Y must hold labels in [0, 1]. Received Y containing NaN or inf.")
    if Y.size and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(f"Y must hold labels in [0, 1]. Received values from {Y.min()} to {Y.max()}.")
    return Y
