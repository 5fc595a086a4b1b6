"""Functional models: graphs of layers, shared layers, nested models, feature extraction."""

import numpy as np
import pytest

from gradient_check import assert_gradient_close, numeric_gradient
from neurona import keras, layers
from neurona.models import Functional, Model, Sequential


@pytest.fixture
def rng():
    return np.random.default_rng(9)


def residual_graph(seed=0):
    """input → dense → (shared dense twice) → add → concatenate → dense softmax."""
    inputs = keras.Input(shape=(5,))
    h = layers.Dense(6, activation="tanh", seed=seed)(inputs)
    shared = layers.Dense(6, activation="tanh", seed=seed + 1)
    a = shared(h)
    b = shared(a)
    merged = layers.add([h, b])
    joined = layers.concatenate([merged, a])
    outputs = layers.Dense(3, activation="softmax", seed=seed + 2)(joined)
    return keras.Model(inputs, outputs, name="residual")


def test_model_with_inputs_and_outputs_is_functional():
    model = residual_graph()
    assert isinstance(model, Functional) and isinstance(model, Model)
    assert model.input_shape == (5,) and model.output_shape == (3,)
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer", "Dense", "Dense", "Add", "Concatenate", "Dense"]
    # The shared layer's weights count once.
    assert model.count_params() == 36 + 42 + 39


@pytest.mark.usefixtures("float64")
def test_gradients_through_a_graph_with_a_shared_layer_and_a_residual_add(rng):
    model = residual_graph()
    x = rng.normal(size=(4, 5))
    r = rng.normal(size=(4, 3))
    leaves = model._leaf_layers()

    def objective():
        return float(np.sum(model._forward(x, training=True) * r))

    model._forward(x, training=True)
    grad_input = model._backward(r, False, model._layers_needing_input_grad(), need_input_grad=True)
    grads = [{name: grad.copy() for name, grad in layer.grads.items()} for layer in leaves]

    assert_gradient_close(numeric_gradient(objective, x), grad_input)
    for layer, layer_grads in zip(leaves, grads):
        for name in layer.trainable_names:
            assert_gradient_close(numeric_gradient(objective, layer.params[name]), layer_grads[name])


def test_a_residual_model_trains_to_the_weights_of_the_same_net_by_hand(rng):
    inputs = keras.Input(shape=(4,))
    h = layers.Dense(4, activation="tanh", seed=1)(inputs)
    outputs = layers.Dense(1, seed=2)(layers.add([inputs, h]))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    w1, b1, w2, b2 = [w.astype(np.float64) for w in model.get_weights()]
    x = rng.normal(size=(16, 4)).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    model.fit(x, y, batch_size=16, epochs=5, shuffle=False, verbose=0)

    for _ in range(5):  # the same steps written out: z = x + tanh(x w1 + b1); out = z w2 + b2
        t = np.tanh(x @ w1 + b1)
        z = x + t
        out = z @ w2 + b2
        g_out = 2 * (out - y) / out.size
        g_w2, g_b2 = z.T @ g_out, g_out.sum(0)
        g_pre = (g_out @ w2.T) * (1 - t ** 2)
        g_w1, g_b1 = x.T @ g_pre, g_pre.sum(0)
        w1, b1, w2, b2 = w1 - 0.1 * g_w1, b1 - 0.1 * g_b1, w2 - 0.1 * g_w2, b2 - 0.1 * g_b2
    for ours, theirs in zip(model.get_weights(), [w1, b1, w2, b2]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_fit_evaluate_predict_on_a_graph_with_the_fused_output(rng):
    model = residual_graph()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    assert model._uses_fused_gradient() and model._fused_loss_kernel(True)
    x = rng.normal(size=(200, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1)
    history = model.fit(x, y, batch_size=20, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x[:7]).shape == (7, 3)
    assert len(model.evaluate(x, y, verbose=0)) == 2


def test_feature_extraction_from_a_sequential(rng):
    trained = Sequential([keras.Input(shape=(5,)), layers.Dense(4, activation="relu"), layers.Dense(2)])
    extractor = keras.Model(inputs=trained.inputs, outputs=[layer.output for layer in trained.layers])
    x = rng.normal(size=(3, 5)).astype(np.float32)
    hidden, final = extractor.predict(x)
    np.testing.assert_allclose(hidden, trained.layers[0](x), rtol=1e-6)
    np.testing.assert_allclose(final, trained.predict(x), rtol=1e-6)


def test_a_sequential_nested_in_a_sequential(rng):
    inner = Sequential([layers.Dense(4, activation="relu", input_shape=(5,), seed=3), layers.Dense(3, seed=4)])
    outer = Sequential([inner, layers.Activation("softmax")])
    flat = Sequential([layers.Dense(4, activation="relu", input_shape=(5,)), layers.Dense(3),
                       layers.Activation("softmax")])
    flat.set_weights(outer.get_weights())
    assert outer.count_params() == flat.count_params() == 24 + 15
    x = rng.normal(size=(64, 5)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    np.testing.assert_allclose(outer.predict(x), flat.predict(x), rtol=1e-6)
    for model in (outer, flat):
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(outer.get_weights(), flat.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_a_model_called_as_a_layer_in_a_graph(rng):
    inner = residual_graph()
    inputs = keras.Input(shape=(5,))
    outputs = layers.Dense(2, activation="softmax")(inner(inputs))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    before = inner.get_weights()
    model.fit(rng.normal(size=(32, 5)), rng.integers(0, 2, 32), epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, inner.get_weights()))


def test_freezing_a_model_freezes_its_layers(rng):
    inner = Sequential([layers.Dense(3, input_shape=(4,))])
    inner.trainable = False
    outer = Sequential([inner, layers.Dense(2, activation="softmax")])
    outer.compile("adam", "sparse_categorical_crossentropy")
    before = inner.get_weights()
    outer.fit(rng.normal(size=(32, 4)), rng.integers(0, 2, 32), epochs=2, verbose=0)
    for a, b in zip(before, inner.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert outer.count_trainable_params() == 8


def test_get_layer():
    model = residual_graph()
    assert model.get_layer(index=1) is model.layers[1]
    assert model.get_layer(name=model.layers[3].name) is model.layers[3]
    with pytest.raises(ValueError, match=r"No layer named 'nope' in model 'residual'"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match=r"index=9 is out of range"):
        model.get_layer(index=9)


def test_a_subclassed_model_with_its_own_call_is_refused():
    class Custom(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(TypeError, match=r"supports Sequential models and functional ones, keras\.Model\(inputs, outputs\)"):
        Custom()


def test_a_disconnected_graph_names_the_missing_input():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
    total = layers.add([a, b])
    with pytest.raises(ValueError, match=r"Graph disconnected: the tensor 'b' .* is not one of the model's inputs"):
        keras.Model(a, total)


def test_multiple_outputs_predict_but_do_not_train(rng):
    inputs = keras.Input(shape=(3,))
    first = layers.Dense(2)(inputs)
    model = keras.Model(inputs, [first, layers.Dense(1)(first)])
    outputs = model.predict(rng.normal(size=(4, 3)))
    assert [o.shape for o in outputs] == [(4, 2), (4, 1)]
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"has 2 outputs; neurona trains and evaluates models with one output"):
        model.fit(rng.normal(size=(4, 3)), rng.normal(size=(4, 1)), verbose=0)


def test_config_round_trip_rebuilds_the_same_graph(rng):
    import json

    model = residual_graph()
    config = json.loads(json.dumps(model.get_config()))
    again = Functional.from_config(config)
    assert [type(layer).__name__ for layer in again.layers] == [type(layer).__name__ for layer in model.layers]
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    again.set_weights(model.get_weights())
    x = rng.normal(size=(6, 5)).astype(np.float32)
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)
    assert again.get_config() == config


def test_config_of_a_sequential_holding_a_model(rng):
    inner = Sequential([layers.Dense(4, input_shape=(5,)), layers.Dense(3)])
    outer = Sequential([inner, layers.Activation("softmax")])
    again = Sequential.from_config(outer.get_config())
    assert isinstance(again.layers[0], Sequential)
    again.set_weights(outer.get_weights())
    x = rng.normal(size=(2, 5)).astype(np.float32)
    np.testing.assert_allclose(again.predict(x), outer.predict(x), rtol=1e-6)
