import numpy as np
import pytest

from neurona.callbacks import History


def test_fit_returns_history_with_one_value_per_epoch(make_model, data):
    x, y = data
    model = make_model()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
    assert isinstance(history, History)
    assert history is model.history
    assert history.epoch == [0, 1, 2]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for values in history.history.values():
        assert len(values) == 3
        assert all(np.isfinite(values))


def test_acc_and_accuracy_alias_each_other(make_model, data):
    x, y = data
    history = make_model().fit(x, y, epochs=2, batch_size=16, verbose=0, validation_data=(x[:20], y[:20]))
    h = history.history
    assert h["acc"] is h["accuracy"]
    assert h["val_acc"] is h["val_accuracy"]
    assert "acc" in h and "val_acc" in h
    assert h.get("val_acc") == h["val_accuracy"]
    assert h.get("nonexistent") is None
    with pytest.raises(KeyError):
        h["val_nonexistent"]
    # The aliases are read-only views: the stored keys stay Keras 3's.
    assert sorted(h.keys()) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_accuracy_alias_works_the_other_way(make_model, data):
    """compile(metrics=['acc']) records 'acc'; 'accuracy' reads it (Keras 3 code on a Keras 2 model)."""
    x, y = data
    model = make_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    h = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25).history
    assert "acc" in dict(h)
    assert h["accuracy"] is h["acc"]
    assert h["val_accuracy"] is h["val_acc"]


def test_history_epochs_follow_initial_epoch_and_reset_between_fits(make_model, data):
    x, y = data
    model = make_model()
    model.fit(x, y, epochs=2, verbose=0)
    history = model.fit(x, y, epochs=5, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3, 4]
    assert len(history.history["loss"]) == 3


def test_history_stops_with_training(make_model, data):
    from neurona.callbacks import LambdaCallback

    x, y = data
    model = make_model()

    def stop(epoch, logs):
        if epoch == 1:
            model.stop_training = True

    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[LambdaCallback(on_epoch_end=stop)])
    assert history.epoch == [0, 1]
    assert len(history.history["accuracy"]) == 2
