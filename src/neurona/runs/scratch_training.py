"""Seed 001's trainer: `neurona.scratch`'s functional API, then the result as a normal model.

`train_scratch` runs `neurona.scratch.train` on row-major data and records the cost and the
training accuracy of every iteration, stopping on request; `neurona.scratch.to_model` then
turns the learnt parameters into an equivalent `Sequential`, so the run folder holds a model
file like any other run.
"""

import numpy as np

from neurona import optimizers, scratch


def train_scratch(x, y, layer_dims, learning_rate, iterations, seed=1, dtype="float64",
                  should_stop=None, print_fn=None):
    """`neurona.scratch.train` on row-major data, recording a per-iteration history.

    Args:
        x: inputs (m, n_x), one example per row (transposed here to the tutorial's (n_x, m)).
        y: labels 0/1, (m,).
        layer_dims: [n_x, n_1, ..., 1].
        learning_rate, iterations, seed, dtype: as `neurona.scratch.train`.
        should_stop: a function called after each iteration; True ends training there.
        print_fn: called with "Cost after iteration {i}: {cost}" every 100 iterations and at the last.

    Returns:
        (parameters, history): parameters as `scratch.train` returns them; history
        {'loss': [cost before each update], 'accuracy': [training accuracy before it]}.
    """
    X = np.asarray(x, dtype=dtype).T
    Y = np.asarray(y, dtype=dtype).reshape(1, -1)
    history = {"loss": [], "accuracy": []}

    def record(i, cost, AL):
        history["loss"].append(cost)
        history["accuracy"].append(float(np.mean((AL > 0.5) == Y)))
        if print_fn is not None and (i % 100 == 0 or i == iterations - 1):
            print_fn(f"Cost after iteration {i}: {cost}")
        return should_stop is not None and should_stop()

    parameters, _ = scratch.train(X, Y, layer_dims, learning_rate, iterations, seed=seed, dtype=dtype,
                                  on_iteration=record)
    return parameters, history


def compile_like_scratch(model, learning_rate):
    """Compile `model` as seed 001 trains: SGD at `learning_rate`, binary cross-entropy, accuracy."""
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model
