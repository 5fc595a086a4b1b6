import numpy as np
import pytest

from neurona.callbacks import EarlyStopping, LambdaCallback
from neurona.optimizers import SGD


def scripted(values, key="score"):
    """A callback that writes values[epoch] into the epoch logs under `key` (before later callbacks)."""
    return LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update({key: values[epoch]}))


class StubModel:
    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


def run(callback, values, key="val_loss", model=None):
    """Drive the hooks as fit does, one epoch per value; returns the epochs run."""
    model = model or StubModel()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        callback.on_epoch_end(epoch, {key: value})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return epochs


# Integration: through a real fit -----------------------------------------------------------------


def test_stops_after_patience_epochs_without_improvement(make_model, data):
    x, y = data
    stopper = EarlyStopping(monitor="score", patience=2)
    history = make_model().fit(x, y, epochs=20, verbose=0,
                               callbacks=[scripted([5, 4, 3, 3.5, 3.2, 1, 1, 1]), stopper])
    # Best at epoch 2; epochs 3 and 4 do not improve: training stops at the end of epoch 4.
    assert history.epoch == [0, 1, 2, 3, 4]
    assert stopper.stopped_epoch == 4
    assert stopper.best == 3
    assert stopper.best_epoch == 2
    assert stopper.wait == 2


def test_stops_on_real_loss_that_does_not_improve(make_model, data):
    """A learning rate too small to move the loss by min_delta: stops after `patience` epochs."""
    x, y = data
    stopper = EarlyStopping(monitor="loss", min_delta=1e-3, patience=2)
    history = make_model(SGD(learning_rate=1e-9)).fit(x, y, epochs=10, verbose=0, callbacks=[stopper])
    assert len(history.history["loss"]) == 3
    assert stopper.stopped_epoch == 2
    assert stopper.best == history.history["loss"][0]


def test_does_not_stop_while_val_loss_improves(make_model, data):
    x, y = data
    stopper = EarlyStopping(patience=3)  # monitor='val_loss'
    history = make_model().fit(x, y, epochs=4, verbose=0, validation_split=0.25, callbacks=[stopper])
    assert len(history.history["val_loss"]) == 4
    assert stopper.stopped_epoch == 0
    assert stopper.best == min(history.history["val_loss"])


def test_restore_best_weights_restores_the_best_epoch(make_model, data):
    x, y = data
    model = make_model()
    captured = []
    capture = LambdaCallback(on_epoch_end=lambda epoch, logs: captured.append(model.get_weights()))
    stopper = EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=20, verbose=0,
                        callbacks=[capture, scripted([0.9, 0.5, 0.7, 0.6, 0.1]), stopper])
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.best_epoch == 1
    restored = model.get_weights()
    for actual, expected in zip(restored, captured[1]):
        np.testing.assert_array_equal(actual, expected)
    # ...and these are not the last epoch's weights (training did move them).
    assert any(not np.array_equal(a, b) for a, b in zip(restored, captured[-1]))


def test_without_restore_keeps_the_last_weights(make_model, data):
    x, y = data
    model = make_model()
    captured = []
    capture = LambdaCallback(on_epoch_end=lambda epoch, logs: captured.append(model.get_weights()))
    stopper = EarlyStopping(monitor="score", patience=1)
    model.fit(x, y, epochs=20, verbose=0, callbacks=[capture, scripted([0.9, 0.5, 0.7]), stopper])
    assert len(captured) == 3
    for actual, expected in zip(model.get_weights(), captured[-1]):
        np.testing.assert_array_equal(actual, expected)


def test_missing_monitor_warns_listing_available_keys_and_does_not_stop(make_model, data):
    x, y = data
    stopper = EarlyStopping(monitor="val_los", patience=0)
    with pytest.warns(UserWarning, match="val_los") as record:
        history = make_model().fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[stopper])
    assert len(history.epoch) == 3
    assert stopper.stopped_epoch == 0
    message = str(record[0].message)
    assert "Available metrics are: loss,accuracy,val_loss,val_accuracy" in message


def test_monitor_accepts_acc_alias(make_model, data):
    x, y = data
    stopper = EarlyStopping(monitor="val_acc", patience=100)
    history = make_model().fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[stopper])
    assert stopper.monitor_op is np.greater
    assert stopper.best == max(history.history["val_accuracy"])


def test_verbose_prints_stop_and_restore(make_model, data, capsys):
    x, y = data
    stopper = EarlyStopping(monitor="score", patience=1, verbose=1, restore_best_weights=True)
    make_model().fit(x, y, epochs=20, verbose=0, callbacks=[scripted([3, 2, 2.5, 2.4]), stopper])
    out = capsys.readouterr().out
    assert "Epoch 3: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


# Unit: hooks driven directly ---------------------------------------------------------------------


@pytest.mark.parametrize("monitor, op", [
    ("val_loss", np.less), ("loss", np.less), ("mae", np.less), ("val_mean_squared_error", np.less),
    ("accuracy", np.greater), ("val_accuracy", np.greater), ("acc", np.greater), ("val_acc", np.greater),
    ("categorical_accuracy", np.greater), ("val_sparse_categorical_accuracy", np.greater),
])
def test_auto_mode_is_inferred_from_the_name(monitor, op):
    assert EarlyStopping(monitor=monitor).monitor_op is op


def test_explicit_mode_and_unknown_mode():
    assert EarlyStopping(monitor="val_accuracy", mode="min").monitor_op is np.less
    assert EarlyStopping(monitor="loss", mode="max").monitor_op is np.greater
    with pytest.warns(UserWarning, match="mode bigger is unknown"):
        stopper = EarlyStopping(monitor="val_acc", mode="bigger")
    assert stopper.mode == "auto" and stopper.monitor_op is np.greater


def test_max_mode_stops_when_accuracy_stops_rising():
    stopper = EarlyStopping(monitor="val_accuracy", patience=1)
    assert run(stopper, [0.5, 0.6, 0.55, 0.6], key="val_accuracy") == 3
    assert stopper.best == 0.6 and stopper.stopped_epoch == 2


def test_patience_zero_stops_at_first_non_improvement_but_never_at_epoch_zero():
    stopper = EarlyStopping(patience=0)
    assert run(stopper, [1.0, 0.9, 0.95, 0.5]) == 3
    stopper = EarlyStopping(patience=0, baseline=0.1)
    assert run(stopper, [1.0, 2.0]) == 2  # epoch 0 never stops training


def test_min_delta_requires_a_large_enough_improvement():
    stopper = EarlyStopping(min_delta=-0.1, patience=2)  # the sign is ignored
    assert stopper.min_delta == 0.1
    # 0.95 and 0.91 improve by less than 0.1: epochs 1 and 2 count as no improvement.
    assert run(stopper, [1.0, 0.95, 0.91, 0.5]) == 3
    assert stopper.best == 1.0


def test_baseline_must_be_beaten_to_reset_patience():
    values = [0.9, 0.8, 0.85, 0.7, 0.6]
    # Without a baseline, epochs 0 and 1 improve: only epoch 2 counts, patience is not exhausted.
    assert run(EarlyStopping(patience=2), values) == 5
    # With one that is never beaten, the improving epochs 0 and 1 count too (as in Keras).
    stopper = EarlyStopping(patience=2, baseline=0.5)
    assert run(stopper, values) == 3
    assert stopper.best == 0.8
    stopper = EarlyStopping(patience=2, baseline=0.5)
    assert run(stopper, [0.9, 0.4, 0.45, 0.42, 0.3]) == 4  # beats the baseline at epoch 1


def test_start_from_epoch_is_a_warm_up():
    stopper = EarlyStopping(patience=1, start_from_epoch=3)
    assert run(stopper, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == 5
    assert stopper.best == 4.0 and stopper.stopped_epoch == 4


def test_restore_when_training_ends_without_stopping():
    """As in Keras 3, the best weights are restored at train end even without an early stop."""
    model = StubModel()
    stopper = EarlyStopping(patience=10, restore_best_weights=True)
    run(stopper, [3.0, 1.0, 2.0], model=model)
    assert stopper.stopped_epoch == 0
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_restore_without_any_improvement_uses_the_first_monitored_epoch():
    model = StubModel()
    stopper = EarlyStopping(patience=2, baseline=0.0, restore_best_weights=True, start_from_epoch=1)
    assert run(stopper, [9.0, 5.0, 6.0, 7.0, 8.0], model=model) == 3
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_instance_can_be_reused_across_fits():
    stopper = EarlyStopping(patience=1)
    run(stopper, [1.0, 0.1, 0.2])
    assert stopper.best == 0.1 and stopper.stopped_epoch == 2
    run(stopper, [5.0, 4.0, 3.0])
    assert stopper.best == 3.0 and stopper.stopped_epoch == 0 and stopper.wait == 0


def test_nan_monitored_value_is_no_improvement():
    stopper = EarlyStopping(monitor="loss", patience=1)
    assert run(stopper, [1.0, float("nan"), 0.5], key="loss") == 2
