import pytest

from neurona.callbacks import Callback, LambdaCallback


def test_hooks_are_called_with_the_right_epochs_and_batches(make_model, data):
    x, y = data
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("train_end", sorted(logs))),
    )
    make_model().fit(x, y, epochs=3, batch_size=48, verbose=0, initial_epoch=1, callbacks=[callback],
                     validation_split=0.5)

    expected = [("train_begin", None)]
    for epoch in (1, 2):
        expected.append(("epoch_begin", epoch))
        for batch in range(1):  # 48 training samples after the split, batch_size 48
            expected += [("batch_begin", batch), ("batch_end", batch, ["accuracy", "loss"])]
        expected.append(("epoch_end", epoch, ["accuracy", "loss", "val_accuracy", "val_loss"]))
    expected.append(("train_end", ["accuracy", "loss", "val_accuracy", "val_loss"]))
    assert calls == expected


def test_batch_indices_restart_each_epoch(make_model, data):
    x, y = data
    batches = []
    callback = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    make_model().fit(x, y, epochs=2, batch_size=40, verbose=0, callbacks=[callback])
    assert batches == [0, 1, 2, 0, 1, 2]  # 96 samples in batches of 40


def test_keras2_batch_keywords_are_aliases(make_model, data):
    x, y = data
    begins, ends = [], []
    callback = LambdaCallback(on_batch_begin=lambda batch, logs: begins.append(batch),
                              on_batch_end=lambda batch, logs: ends.append(logs["loss"]))
    make_model().fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[callback])
    assert begins == [0, 1, 2]
    assert len(ends) == 3


def test_other_hooks_by_keyword_and_unset_hooks_are_noops(make_model, data):
    x, y = data
    seen = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch),
                              on_test_begin=lambda logs: None)
    assert isinstance(callback, Callback)
    callback.on_train_begin()  # not given: the base class' no-op
    make_model().fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert seen == [0, 1]


def test_bad_arguments_are_rejected():
    with pytest.raises(TypeError, match="on_epoch_ends"):
        LambdaCallback(on_epoch_ends=lambda epoch, logs: None)
    with pytest.raises(TypeError, match="on_batch_end"):
        LambdaCallback(on_train_batch_end=print, on_batch_end=print)
    with pytest.raises(TypeError, match="callable"):
        LambdaCallback(on_epoch_end=3)


def test_subclass_hooks_without_logs_default_get_logs(make_model, data):
    """As in Keras, `logs` is always passed, so `def on_epoch_begin(self, epoch, logs)` works."""
    x, y = data
    seen = []

    class Strict(Callback):
        def on_train_begin(self, logs):
            seen.append(("train_begin", logs))

        def on_epoch_begin(self, epoch, logs):
            seen.append(("epoch_begin", epoch, logs))

        def on_train_batch_begin(self, batch, logs):
            seen.append(("batch_begin", batch, logs))

    make_model().fit(x, y, epochs=1, batch_size=96, verbose=0, callbacks=[Strict()])
    assert seen == [("train_begin", None), ("epoch_begin", 0, None), ("batch_begin", 0, None)]


def test_keras2_on_batch_end_override_is_called_by_fit():
    import numpy as np

    from neurona.callbacks import Callback
    from neurona.layers import Dense
    from neurona.models import Sequential

    class CountBatches(Callback):
        def __init__(self):
            super().__init__()
            self.batches = []

        def on_batch_end(self, batch, logs=None):
            self.batches.append((batch, sorted(logs)))

    counter = CountBatches()
    model = Sequential([Dense(2, activation="softmax", input_dim=3)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(np.ones((10, 3)), np.zeros(10), batch_size=4, callbacks=[counter], verbose=0)
    assert counter.batches == [(0, ["loss"]), (1, ["loss"]), (2, ["loss"])]
