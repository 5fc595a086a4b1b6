import numpy as np
import pytest

from neurona import callbacks


class FakeOptimizer:
    learning_rate = 0.1


class FakeModel:
    def __init__(self):
        self.optimizer = FakeOptimizer()


def run(callback, values, monitor="val_loss"):
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        logs = {monitor: value}
        callback.on_epoch_end(epoch, logs)
        rates.append(model.optimizer.learning_rate)
        assert logs["learning_rate"] == pytest.approx(rates[-2] if len(rates) > 1 else 0.1)
    return rates


def test_reduces_after_patience_epochs_without_improvement():
    rates = run(callbacks.ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 0.9, 0.95, 0.95, 0.95, 0.95])
    assert rates == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025])


def test_cooldown_and_min_lr():
    rates = run(callbacks.ReduceLROnPlateau(factor=0.1, patience=1, cooldown=2, min_lr=0.005),
                [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    # Reduced at epoch 1; the cooldown counts down at epochs 2 and 3, and epoch 3 counts again,
    # as in Keras; then the rate sits at min_lr.
    assert rates == pytest.approx([0.1, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005])


def test_min_delta_and_max_mode():
    rates = run(callbacks.ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1, min_delta=0.01),
                [0.5, 0.505, 0.6], monitor="val_accuracy")
    assert rates == pytest.approx([0.1, 0.05, 0.05])


def test_factor_must_be_below_one():
    with pytest.raises(ValueError, match=r"factor in \(0, 1\)\. Received: factor=1\.5"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_in_fit_it_lowers_the_optimizer_rate():
    from neurona import layers
    from neurona.models import Sequential

    rng = np.random.default_rng(0)
    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    history = model.fit(rng.normal(size=(32, 2)), rng.normal(size=(32, 1)), epochs=4, verbose=0,
                        callbacks=[callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5,
                                                               min_delta=10.0)])
    # The first epoch improves on nothing-yet; each later one misses min_delta and halves it.
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005, 0.0025])
    assert model.optimizer.learning_rate == pytest.approx(0.00125)
