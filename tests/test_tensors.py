"""The `tf` spelling of TensorFlow's beginner tutorials: tf.nn, tf.random, tf.constant, .numpy()."""

import numpy as np
import pytest

import neurona as tf
from neurona import layers
from neurona.models import Sequential


def test_models_layers_and_losses_return_values_with_numpy():
    model = Sequential([layers.Flatten(input_shape=(2, 2)), layers.Dense(3)])
    x = np.ones((1, 2, 2), np.float32)
    predictions = model(x).numpy()
    assert type(predictions) is np.ndarray and predictions.shape == (1, 3)
    assert type(model.layers[1](np.ones((1, 4), np.float32)).numpy()) is np.ndarray
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    value = loss_fn(np.array([1]), predictions)
    assert isinstance(value, float) and value.numpy() == pytest.approx(float(value))
    # Still an ndarray for everything NumPy does with it.
    np.testing.assert_array_equal(np.argmax(model(x), axis=-1), np.argmax(predictions, axis=-1))


def test_nn_softmax_and_friends():
    logits = np.array([[2.0, 1.0, 0.1], [1000.0, 0.0, -1000.0]], np.float32)
    probs = tf.nn.softmax(logits).numpy()
    np.testing.assert_allclose(probs.sum(axis=-1), 1, rtol=1e-6)
    np.testing.assert_allclose(probs[0], np.exp(logits[0]) / np.exp(logits[0]).sum(), rtol=1e-6)
    log_probs = tf.nn.log_softmax(logits).numpy()
    np.testing.assert_allclose(log_probs[0], np.log(probs[0]), atol=1e-6)
    np.testing.assert_allclose(log_probs[1], [0.0, -1000.0, -2000.0])  # exact where log(softmax) underflows
    np.testing.assert_allclose(tf.nn.softmax(logits, axis=0).numpy().sum(axis=0), 1, rtol=1e-6)
    np.testing.assert_array_equal(tf.nn.relu(np.array([-1.0, 2.0])).numpy(), [0.0, 2.0])
    np.testing.assert_allclose(tf.nn.sigmoid(np.array([0.0])).numpy(), [0.5])


def test_constant_and_convert_to_tensor():
    t = tf.constant([[1, 2], [3, 4]], dtype="float32")
    assert t.dtype == np.float32 and t.numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.constant([1.5]).dtype == np.float32  # floats default to float32, as in TensorFlow
    assert tf.constant(0.0, shape=(2, 3)).shape == (2, 3)
    assert tf.convert_to_tensor(t) is t


def test_random_set_seed_makes_runs_repeatable():
    def weights():
        tf.random.set_seed(42)
        return Sequential([layers.Dense(3, input_shape=(4,))]).get_weights()

    first, second = weights(), weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
