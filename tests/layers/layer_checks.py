"""Gradient checks for any layer: input and every trainable weight against central differences."""

import numpy as np

from gradient_check import assert_gradient_close, numeric_gradient


def check_layer_gradients(layer, x, rng, training=True, tolerance=1e-7):
    """d sum(forward(x) * r) / d(x, weights), analytic against numeric, in float64."""
    outputs = layer.forward(x, training=training)
    r = rng.normal(size=outputs.shape)

    def objective():
        return float(np.sum(layer.forward(x, training=training) * r)) + layer.regularization_loss()

    layer.forward(x, training=training)
    grad_input = np.array(layer.backward(r))
    grads = {name: np.array(grad) for name, grad in layer.grads.items()}
    assert_gradient_close(numeric_gradient(objective, x), grad_input, tolerance)
    assert set(grads) == set(layer.trainable_names)
    for name in layer.trainable_names:
        assert_gradient_close(numeric_gradient(objective, layer.params[name]), grads[name], tolerance)
    return grad_input, grads


def distinct_values(rng, shape, spacing=0.01):
    """Values at least `spacing` apart, in random order: no ties for max pooling to break."""
    count = int(np.prod(shape))
    return (rng.permutation(count) * spacing - count * spacing / 2).reshape(shape) + rng.uniform(0, spacing / 10, shape)
