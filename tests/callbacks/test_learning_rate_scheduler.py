"""LearningRateScheduler against Keras' callback: the learning rate of each epoch."""

import os

import numpy as np
import pytest

from neurona import callbacks
from neurona.optimizers import SGD, Adam, schedules

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # TensorFlow's, under NumPy 2


def halve_after_two(epoch, lr):
    return lr if epoch < 2 else lr * 0.5


def of_the_epoch(epoch):  # Keras' older form: the epoch alone
    return 0.1 / (epoch + 1)


def seen_during_epochs(history_callback_class):
    """A callback class recording the optimizer's learning rate at each epoch's first batch."""

    class Seen(history_callback_class):
        def __init__(self):
            super().__init__()
            self.rates = []

        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0:
                self.rates.append(float(np.asarray(self.model.optimizer.learning_rate)))

    return Seen()


SCHEDULES = {"halve_after_two": (halve_after_two, 0), "of_the_epoch": (of_the_epoch, 0),
             "resumed_at_epoch_2": (halve_after_two, 2)}


@pytest.fixture(scope="module")
def keras_rates():
    """{case: (history learning rates, rates seen in each epoch)} from Keras' callback."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32)
    results = {}
    for case, (schedule, initial_epoch) in SCHEDULES.items():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(keras.optimizers.SGD(learning_rate=0.2), "sparse_categorical_crossentropy")
        seen = seen_during_epochs(keras.callbacks.Callback)
        history = model.fit(x, y, epochs=6, batch_size=8, verbose=0, initial_epoch=initial_epoch,
                            callbacks=[keras.callbacks.LearningRateScheduler(schedule), seen])
        results[case] = (history.history["learning_rate"], seen.rates)
    return results


@pytest.mark.parametrize("case", SCHEDULES)
def test_learning_rate_each_epoch_matches_keras(keras_rates, data, make_model, case):
    schedule, initial_epoch = SCHEDULES[case]
    x, y = data
    model = make_model(SGD(learning_rate=0.2))
    seen = seen_during_epochs(callbacks.Callback)
    history = model.fit(x, y, epochs=6, batch_size=32, verbose=0, initial_epoch=initial_epoch,
                        callbacks=[callbacks.LearningRateScheduler(schedule), seen])
    logged, during = keras_rates[case]
    assert len(history.history["learning_rate"]) == len(logged) == 6 - initial_epoch
    # Keras keeps the rate in a float32 variable.
    np.testing.assert_allclose(history.history["learning_rate"], logged, rtol=1e-6)
    np.testing.assert_allclose(seen.rates, during, rtol=1e-6)


def test_verbose_prints_the_new_rate(data, make_model, capsys):
    x, y = data
    make_model().fit(x, y, epochs=2, verbose=0,
                     callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.01 * (epoch + 1), verbose=1)])
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.02." in capsys.readouterr().out


def test_a_schedule_must_return_a_float(data, make_model):
    x, y = data
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        make_model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 1)])
    with pytest.raises(TypeError, match="callable"):
        callbacks.LearningRateScheduler(0.1)


def test_an_optimizer_with_a_schedule_cannot_be_rescheduled(data, make_model):
    x, y = data
    model = make_model(Adam(learning_rate=schedules.ExponentialDecay(0.01, 10, 0.9)))
    with pytest.raises(TypeError, match="not settable"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.LearningRateScheduler(halve_after_two)])


def test_reduce_lr_on_plateau_logs_a_schedules_current_value(data, make_model):
    x, y = data
    schedule = schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5)
    model = make_model(Adam(learning_rate=schedule))
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0,
                        callbacks=[callbacks.ReduceLROnPlateau(monitor="loss", patience=5)])
    assert history.history["learning_rate"] == pytest.approx([schedule(3), schedule(6)])


def test_a_schedule_may_set_zero_but_not_a_negative_rate(data, make_model):
    x, y = data
    model = make_model(SGD(learning_rate=0.1))
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.0)])
    assert history.history["learning_rate"] == [0.0]
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="non-negative learning_rate"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: -0.1)])
