import math
import re
import warnings

import numpy as np
import pytest

from neurona.callbacks import LambdaCallback, TerminateOnNaN
from neurona.optimizers import SGD

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def diverging_fit(make_model, data, callbacks, epochs=5):
    """SGD with a huge learning rate on large inputs: the loss overflows to NaN within a few batches."""
    x, y = data
    model = make_model(SGD(learning_rate=1e6))
    with np.errstate(all="ignore"):
        history = model.fit(x * 1e3, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0,
                            callbacks=callbacks)
    return model, history


def test_stops_training_at_the_first_nan_batch_and_names_it(make_model, data):
    losses = []
    record_losses = LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append((batch, logs["loss"])))
    with pytest.warns(UserWarning, match="invalid loss") as record:
        model, history = diverging_fit(make_model, data, [record_losses, TerminateOnNaN()])

    bad = [(batch, loss) for batch, loss in losses if not math.isfinite(loss)]
    assert bad, "the loss was expected to diverge"
    first_bad_batch = bad[0][0]
    # Training stopped right after that batch, within the first epoch.
    assert losses[-1][0] == first_bad_batch and len(bad) == 1
    assert history.epoch == [0]
    assert model.stop_training is True
    messages = [str(w.message) for w in record if issubclass(w.category, UserWarning)]
    assert len(messages) == 1
    assert re.fullmatch(rf"Batch {first_bad_batch}: invalid loss (nan|inf|-inf), terminating training",
                        messages[0])


def test_without_the_callback_training_runs_on(make_model, data):
    _, history = diverging_fit(make_model, data, [], epochs=3)
    assert history.epoch == [0, 1, 2]
    assert not math.isfinite(history.history["loss"][-1])


def test_epoch_end_and_train_end_still_run_after_a_nan(make_model, data):
    ended = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: ended.append(epoch),
                              on_train_end=lambda logs: ended.append("train_end"))
    with pytest.warns(UserWarning, match="terminating training"):
        diverging_fit(make_model, data, [TerminateOnNaN(), callback])
    assert ended == [0, "train_end"]


def test_raise_error(make_model, data):
    with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch \d+"):
        diverging_fit(make_model, data, [TerminateOnNaN(raise_error=True)])


class _Model:
    stop_training = False


@pytest.mark.parametrize("loss", [float("nan"), float("inf"), -float("inf"), np.float32("nan")])
def test_invalid_losses(loss):
    callback = TerminateOnNaN()
    callback.set_model(_Model())
    with pytest.warns(UserWarning, match=r"^Batch 7: invalid loss (nan|inf|-inf), terminating training$"):
        callback.on_train_batch_end(7, {"loss": loss})
    assert callback.model.stop_training


@pytest.mark.parametrize("logs", [{"loss": 1e30}, {"loss": 0.0}, {}, None, {"accuracy": float("nan")}])
def test_finite_or_missing_loss_is_fine(logs):
    callback = TerminateOnNaN()
    callback.set_model(_Model())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        callback.on_train_batch_end(0, logs)
        callback.on_batch_end(0, logs)  # the Keras 2 spelling reaches the same hook
    assert not callback.model.stop_training


def test_finite_training_is_untouched(make_model, data):
    x, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = make_model().fit(x, y, epochs=3, verbose=0, callbacks=[TerminateOnNaN()])
    assert history.epoch == [0, 1, 2]
