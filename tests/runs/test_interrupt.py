import os
import signal

import numpy as np
import pytest

from neurona.callbacks import LambdaCallback
from neurona.layers import Dense
from neurona.models import Sequential
from neurona.runs.interrupt import StopOnInterrupt


def _kill_self():
    os.kill(os.getpid(), signal.SIGINT)


def test_first_interrupt_is_a_request_the_second_a_keyboard_interrupt(capsys):
    before = signal.getsignal(signal.SIGINT)
    with StopOnInterrupt() as interrupt:
        assert signal.getsignal(signal.SIGINT) != before
        _kill_self()
        assert interrupt.requested
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with pytest.raises(KeyboardInterrupt):
            _kill_self()
    assert signal.getsignal(signal.SIGINT) is before
    assert "stopping after the current batch" in capsys.readouterr().err


def test_leaving_the_block_restores_the_handler():
    before = signal.getsignal(signal.SIGINT)
    with StopOnInterrupt() as interrupt:
        pass
    assert not interrupt.requested
    assert signal.getsignal(signal.SIGINT) is before


def test_training_stops_after_the_batch_that_was_interrupted(capsys):
    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = np.random.rand(64, 3), np.random.randint(0, 2, size=64)
    batches = []
    killer = LambdaCallback(on_train_batch_end=lambda batch, logs: (batches.append(batch), batch == 0 and _kill_self()))
    with StopOnInterrupt() as interrupt:
        history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[killer, interrupt.callback()])
    assert interrupt.requested
    assert batches == [0]
    assert len(history.history["loss"]) == 1
