import io
import re
import sys
import types

import numpy as np
import pytest

from neurona.callbacks import LambdaCallback
from neurona.layers import Dense
from neurona.models import Sequential
from neurona.utils import progbar as progbar_module
from neurona.utils.progbar import Progbar, _duration, _number, _per_step


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def fake_clock(monkeypatch):
    """Replace the progbar's clock with one the test advances by hand."""
    clock = types.SimpleNamespace(now=1000.0)
    monkeypatch.setattr(progbar_module, "time", types.SimpleNamespace(perf_counter=lambda: clock.now))
    return clock


def fit(verbose, epochs=3, **kwargs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)
    model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, model.fit(x, y, epochs=epochs, batch_size=8, verbose=verbose, **kwargs)


# Through fit, output not a terminal ----------------------------------------------------------------


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
def test_fit_prints_one_line_per_epoch_when_not_a_terminal(verbose, capsys):
    fit(verbose)
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = out.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    results = lines[1::2]
    assert len(lines) == 6 and len(results) == 3
    for line in results:
        pattern = r"12/12 - \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$"
        assert re.match(pattern, line), line


def test_fit_result_line_shows_validation_metrics_and_history_values(capsys):
    _, history = fit(2, epochs=2, validation_split=0.25)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    for epoch, line in enumerate(lines[1::2]):
        assert line.startswith("9/9 - ")
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            assert f" - {key}: {history.history[key][epoch]:.4f}" in line


def test_fit_verbose_0_prints_nothing(capsys):
    fit(0)
    assert capsys.readouterr().out == ""


def test_fit_stopped_within_an_epoch_ends_the_line_at_the_steps_done(capsys):
    def stop(batch, logs):
        if batch == 4:
            model.stop_training = True

    model = Sequential([Dense(3, activation="softmax", input_dim=4)])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.zeros((96, 4), "float32")
    model.fit(x, np.zeros(96, "int64"), epochs=3, batch_size=8, verbose=1,
              callbacks=[LambdaCallback(on_train_batch_end=stop)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/3" and len(lines) == 2
    assert lines[1].startswith("5/5 - ")


# Through fit, on a terminal ------------------------------------------------------------------------


def test_fit_on_a_terminal_redraws_the_bar_in_place(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    fit(1, epochs=2)
    monkeypatch.undo()
    out = tty.getvalue()
    assert out.startswith("Epoch 1/2\n\r")
    assert out.count("Epoch ") == 2 and out.count("\n") == 4
    # Each epoch ends with a full bar and the metrics, then a newline.
    finals = re.findall(r"\r(12/12 \[=+\] - [^\r\n]*)\n", out)
    assert len(finals) == 2
    for line in finals:
        assert "[" + "=" * 30 + "]" in line and "loss: " in line and "accuracy: " in line


def test_fit_verbose_2_on_a_terminal_prints_only_the_final_lines(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    fit(2)
    monkeypatch.undo()
    out = tty.getvalue()
    assert "\r" not in out and "[" not in out
    assert len(out.splitlines()) == 6


# Progbar itself ------------------------------------------------------------------------------------


def test_terminal_updates_are_throttled():
    tty = FakeTTY()
    bar = Progbar(10_000, stream=tty)  # interval 0.1 s
    for step in range(1, 10_000):
        bar.update(step, {"loss": 1.0 / step})
    partial_draws = tty.getvalue().count("\r")
    bar.update(10_000, {"loss": 1e-4})
    out = tty.getvalue()
    assert 1 <= partial_draws < 100  # 9,999 fast updates, a handful of redraws
    assert out.count("\r") == partial_draws + 1 and out.endswith("\n") and out.count("\n") == 1
    assert out.startswith("\r    1/10000 [")
    last = out.split("\r")[-1]
    assert last.startswith("10000/10000 [" + "=" * 30 + "] - ") and last.endswith(" - loss: 1.0000e-04\n")


def test_throttling_follows_the_interval(fake_clock):
    tty = FakeTTY()
    bar = Progbar(1000, stream=tty, interval=0.1)
    for step in range(1, 1000):
        fake_clock.now += 0.001  # one update per millisecond: 0.999 s in all
        bar.update(step)
    draws = tty.getvalue().count("\r")
    assert 9 <= draws <= 11
    bar.update(1000)
    assert tty.getvalue().count("\r") == draws + 1


def test_interval_zero_draws_every_update(fake_clock):
    tty = FakeTTY()
    bar = Progbar(5, stream=tty, interval=0)
    for step in range(1, 6):
        bar.update(step)
    assert tty.getvalue().count("\r") == 5


def test_redraw_shows_bar_eta_and_pads_over_a_longer_line(fake_clock):
    tty = FakeTTY()
    bar = Progbar(4, width=8, stream=tty, interval=0)
    fake_clock.now += 2.0
    bar.update(1, {"loss": 12345.678})
    fake_clock.now += 2.0
    bar.update(2, {"loss": 0.5})
    first, second = tty.getvalue().split("\r")[1:]
    assert first == "1/4 [=>......] - ETA: 6s - loss: 12345.6780"
    assert second.startswith("2/4 [===>....] - ETA: 4s - loss: 0.5000")
    assert len(second) == len(first)  # padded with spaces over the previous, longer line
    bar.update(4)
    assert tty.getvalue().endswith("\n")


def test_not_a_terminal_writes_one_line_at_the_end():
    stream = io.StringIO()
    bar = Progbar(50, stream=stream)
    for step in range(1, 50):
        bar.update(step, {"loss": 0.25})
    assert stream.getvalue() == ""
    bar.update(50, {"loss": 0.25, "accuracy": 0.75})
    out = stream.getvalue()
    assert out.count("\n") == 1
    assert re.fullmatch(r"50/50 - \d+s \d+(us|ms|s)/step - loss: 0\.2500 - accuracy: 0\.7500\n", out)


def test_updates_after_the_end_are_ignored():
    stream = io.StringIO()
    bar = Progbar(3, stream=stream, verbose=2)
    bar.update(3)
    bar.update(3)
    bar.update(2, finalize=True)
    assert stream.getvalue().count("\n") == 1


def test_unknown_target_needs_finalize():
    stream = FakeTTY()
    bar = Progbar(None, stream=stream, interval=0)
    bar.update(7, {"loss": 1})
    bar.update(9, finalize=True)
    partial, final = stream.getvalue().split("\r")[1:]
    assert partial == "7 - loss: 1.0000"  # no bar and no ETA without a target
    assert re.fullmatch(r"9 - \d+s \d+(us|ms|s)/step *\n", final)


def test_default_stream_is_looked_up_at_each_write(capsys):
    bar = Progbar(1)
    bar.update(1)
    assert capsys.readouterr().out.startswith("1/1 - ")


def test_number_formats():
    assert _duration(5.4) == "5s"
    assert _duration(65) == "1:05"
    assert _duration(3725) == "1:02:05"
    assert _per_step(2.2) == "2s/step"
    assert _per_step(0.0123) == "12ms/step"
    assert _per_step(0.0000123) == "12us/step"
    assert _number(0.5) == "0.5000"
    assert _number(0) == "0.0000"
    assert _number(0.00012) == "1.2000e-04"
    assert _number(np.float32(2)) == "2.0000"
    assert _number(float("nan")) == "nan"


def test_a_metric_with_several_thresholds_shows_its_mean(capsys):
    import numpy as np

    from neurona.utils.progbar import Progbar

    bar = Progbar(1, verbose=2)
    bar.update(1, {"precision": np.array([0.25, 0.75])})
    assert "precision: 0.5000" in capsys.readouterr().out
