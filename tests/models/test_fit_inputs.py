"""What fit and evaluate accept: sample and class weights, generators, PyDatasets, validation_freq."""

import math

import numpy as np
import pytest

from neurona import keras, layers
from neurona.models import Sequential


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def model(seed=1, metrics=("accuracy",)):
    m = Sequential([layers.Dense(8, activation="relu", input_shape=(4,), seed=seed),
                    layers.Dense(2, activation="softmax", seed=seed + 1)])
    m.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", list(metrics))
    m.set_training_state(shuffle_seed=3)
    return m


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, weights=None):
        super().__init__()
        self.x, self.y, self.batch_size, self.weights = x, y, batch_size, weights
        self.epochs_ended = 0

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        if self.weights is None:
            return self.x[part].astype(np.float64), self.y[part]
        return self.x[part], self.y[part], self.weights[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_sample_weights_scale_each_samples_loss_and_gradient(data):
    x, y = data
    weights = np.where(y == 1, 3.0, 0.5)
    weighted, repeated = model(), model()
    weighted.fit(x, y, batch_size=96, epochs=3, shuffle=False, sample_weight=weights, verbose=0)
    # The same steps by hand: the loss sum(w * l) / batch has gradient w-scaled rows.
    reference = model()
    pairs = reference._trainable_pairs()  # the gradients' home, before any backward pass
    for _ in range(3):
        outputs = reference._forward(x, training=True)
        grad = reference.loss.fused_gradient(y, outputs, out=outputs) * weights[:, None].astype(np.float32)
        reference._backward(grad, True, reference._layers_needing_input_grad())
        reference.optimizer.apply_gradients(pairs)
    for a, b in zip(weighted.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    unweighted_loss = repeated.evaluate(x, y, verbose=0)[0]
    weighted_loss = repeated.evaluate(x, y, sample_weight=weights, verbose=0)[0]
    losses = repeated.loss.per_sample(y, repeated.predict(x))
    assert weighted_loss == pytest.approx(float(np.sum(losses * weights) / len(x)), rel=1e-5)
    assert unweighted_loss == pytest.approx(float(np.mean(losses)), rel=1e-5)


def test_class_weight_is_sample_weight_by_class(data):
    x, y = data
    by_class, by_sample = model(), model()
    by_class.fit(x, y, epochs=2, batch_size=16, class_weight={0: 1.0, 1: 4.0}, verbose=0)
    by_sample.fit(x, y, epochs=2, batch_size=16, sample_weight=np.where(y == 1, 4.0, 1.0), verbose=0)
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_array_equal(a, b)
    one_hot = model()
    one_hot.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy")
    one_hot.set_training_state(shuffle_seed=3)
    one_hot.fit(x, np.eye(2)[y], epochs=2, batch_size=16, class_weight={1: 4.0}, verbose=0)
    for a, b in zip(one_hot.get_weights(), by_sample.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_pydataset_trains_as_its_arrays_do(data):
    x, y = data
    from_arrays, from_batches = model(), model()
    from_arrays.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    batches = Batches(x, y, 32)
    history = from_batches.fit(batches, epochs=2, shuffle=False, verbose=0, validation_data=Batches(x, y, 48))
    for a, b in zip(from_arrays.get_weights(), from_batches.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert batches.epochs_ended == 2
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert from_batches.evaluate(Batches(x, y, 40), verbose=0) == pytest.approx(from_batches.evaluate(x, y, verbose=0))


def test_a_pydataset_with_weights_and_a_shuffled_batch_order(data):
    x, y = data
    weights = np.linspace(0.5, 2.0, len(x))
    m = model()
    history = m.fit(Batches(x, y, 16, weights), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and np.isfinite(history.history["loss"]).all()


def test_a_generator_with_steps_per_epoch(data):
    x, y = data

    def forever(size):
        while True:
            for start in range(0, len(x), size):
                yield x[start:start + size], y[start:start + size]

    m = model()
    history = m.fit(forever(24), steps_per_epoch=4, epochs=3, verbose=0, validation_data=forever(32),
                    validation_steps=3)
    assert len(history.history["loss"]) == len(history.history["val_loss"]) == 3
    assert m.evaluate(forever(48), steps=2, verbose=0) == pytest.approx(m.evaluate(x, y, verbose=0))


def test_a_generator_that_ends_stops_training_with_a_warning(data):
    x, y = data
    m = model()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = m.fit(((x[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1


def test_an_unbuilt_model_builds_from_the_first_batch(data):
    x, y = data
    m = Sequential([layers.Dense(2, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    m.fit(((x[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)), verbose=0)
    assert m.input_shape == (4,)


def test_validation_freq(data):
    x, y = data
    history = model().fit(x, y, epochs=5, validation_split=0.25, validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 5 and len(history.history["val_loss"]) == 2
    history = model().fit(x, y, epochs=4, validation_data=(x, y), validation_freq=[1, 4], verbose=0)
    assert len(history.history["val_loss"]) == 2
    with pytest.raises(ValueError, match=r"validation_freq must be a positive integer or a list of epochs"):
        model().fit(x, y, validation_data=(x, y), validation_freq=0, verbose=0)


@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: m.fit(x, y, sample_weight=np.ones(5)), r"sample_weight must have one weight per sample: shape \(96,\)\. Received shape \(5,\)"),
    (lambda m, x, y: m.fit(x, y, sample_weight=-np.ones(96)), r"finite weights >= 0"),
    (lambda m, x, y: m.fit(x, y, class_weight=[1, 2]), r"class_weight must be a dict"),
    (lambda m, x, y: m.fit(Batches(x, y, 8), y), r"y must be None when x is a Batches of batches"),
    (lambda m, x, y: m.fit(x, y, steps_per_epoch=3), r"steps_per_epoch applies to generators and PyDatasets"),
    (lambda m, x, y: m.fit(iter([(x, y, None, None)])), r"must yield \(x, y\) or \(x, y, sample_weight\) batches"),
    (lambda m, x, y: m.fit(x, y, validation_data=(x,)), r"validation_data must be a tuple \(x_val, y_val\)"),
])
def test_bad_inputs(call, message, data):
    with pytest.raises(ValueError, match=message):
        call(model(), *data)
