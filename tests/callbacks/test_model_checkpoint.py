import json
import zipfile

import numpy as np
import pytest

from neurona.callbacks import LambdaCallback, ModelCheckpoint
from neurona.models import load_model


def scripted(values, key="val_loss"):
    """Writes values[epoch] into the epoch logs under `key`, before the checkpoint reads them."""
    return LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update({key: values[epoch]}))


def test_saves_after_every_epoch_and_the_file_holds_the_last(data, make_model, tmp_path):
    model = make_model()
    model.fit(*data, epochs=3, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "ckpt.neurona")])
    loaded = load_model(tmp_path / "ckpt.neurona")
    np.testing.assert_array_equal(loaded.predict(data[0]), model.predict(data[0]))
    assert loaded.optimizer.iterations == model.optimizer.iterations


def test_format_fields_name_one_file_per_epoch(data, make_model, tmp_path):
    model = make_model()
    path = str(tmp_path / "model-{epoch:02d}-{val_loss:.2f}.neurona")
    history = model.fit(*data, epochs=2, verbose=0, validation_split=0.25, callbacks=[ModelCheckpoint(path)])
    losses = history.history["val_loss"]
    expected = sorted(f"model-{epoch + 1:02d}-{loss:.2f}.neurona" for epoch, loss in enumerate(losses))
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_save_best_only_saves_when_the_monitored_value_improves(data, make_model, tmp_path):
    model = make_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.neurona"), monitor="val_loss", save_best_only=True)
    model.fit(*data, epochs=4, verbose=0, callbacks=[scripted([0.5, 0.7, 0.3, 0.3]), checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1.neurona", "e3.neurona"]
    assert checkpoint.best == 0.3


@pytest.mark.parametrize("monitor, values, saved", [
    ("val_accuracy", [0.5, 0.4, 0.9], ["e1.neurona", "e3.neurona"]),  # auto: accuracy grows
    ("val_acc", [0.5, 0.6, 0.1], ["e1.neurona", "e2.neurona"]),
    ("val_loss", [0.5, 0.4, 0.9], ["e1.neurona", "e2.neurona"]),  # auto: losses shrink
])
def test_mode_auto_follows_the_monitored_name(monitor, values, saved, data, make_model, tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.neurona"), monitor=monitor, save_best_only=True)
    make_model().fit(*data, epochs=3, verbose=0, callbacks=[scripted(values, monitor), checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == saved


def test_mode_max_and_an_initial_threshold(data, make_model, tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.neurona"), monitor="score", mode="max",
                                 save_best_only=True, initial_value_threshold=0.55)
    make_model().fit(*data, epochs=3, verbose=0, callbacks=[scripted([0.5, 0.6, 0.58], "score"), checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e2.neurona"]


def test_accuracy_is_found_under_its_keras_2_name(data, make_model, tmp_path):
    checkpoint = ModelCheckpoint(tmp_path / "best.neurona", monitor="acc", save_best_only=True)
    make_model().fit(*data, epochs=1, verbose=0, callbacks=[checkpoint])
    assert (tmp_path / "best.neurona").is_file()


def test_a_missing_monitored_value_warns_with_the_available_keys(data, make_model, tmp_path):
    checkpoint = ModelCheckpoint(tmp_path / "best.neurona", monitor="val_loss", save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available.*loss,accuracy"):
        make_model().fit(*data, epochs=1, verbose=0, callbacks=[checkpoint])
    assert not list(tmp_path.iterdir())


def test_save_weights_only_writes_a_weights_file(data, make_model, tmp_path):
    model = make_model()
    model.fit(*data, epochs=1, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "w.neurona", save_weights_only=True)])
    with zipfile.ZipFile(tmp_path / "w.neurona") as archive:
        assert json.loads(archive.read("neurona.json"))["kind"] == "weights"
    fresh = make_model()
    fresh.build((4,))
    fresh.load_weights(tmp_path / "w.neurona")
    np.testing.assert_array_equal(fresh.predict(data[0]), model.predict(data[0]))


@pytest.mark.parametrize("name, weights_only", [("ckpt.keras", False), ("ckpt.h5", False),
                                                ("ckpt.weights.h5", True), ("ckpt.h5", True)])
def test_keras_formats_work_as_checkpoints(name, weights_only, data, make_model, tmp_path):
    model = make_model()
    model.fit(*data, epochs=1, verbose=0,
              callbacks=[ModelCheckpoint(tmp_path / name, save_weights_only=weights_only)])
    if weights_only:
        restored = make_model()
        restored.build((4,))
        restored.load_weights(tmp_path / name)
    else:
        restored = load_model(tmp_path / name)
    np.testing.assert_array_equal(restored.predict(data[0]), model.predict(data[0]))


def test_save_weights_only_refuses_a_keras_name():
    with pytest.raises(ValueError, match="save_weights_only=True cannot write a .keras file"):
        ModelCheckpoint("ckpt.keras", save_weights_only=True)


def test_an_integer_save_freq_saves_every_n_batches(data, make_model, tmp_path):
    # 96 samples, batch 32: 3 batches an epoch, 6 in all; a save every 2 batches.
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.neurona"), save_freq=2)
    make_model().fit(*data, epochs=2, batch_size=32, verbose=0, callbacks=[checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1-b2.neurona", "e2-b1.neurona", "e2-b3.neurona"]


@pytest.mark.parametrize("save_freq", ["batch", 0, -1, 1.5, True])
def test_an_invalid_save_freq_is_refused(save_freq):
    with pytest.raises(ValueError, match="save_freq must be 'epoch' or a positive integer"):
        ModelCheckpoint("ckpt.neurona", save_freq=save_freq)


def test_an_unknown_format_field_names_the_available_ones(data, make_model, tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "{val_los}.neurona"))
    with pytest.raises(ValueError, match="Failed to format this callback filepath.*accuracy, epoch, loss"):
        make_model().fit(*data, epochs=1, verbose=0, callbacks=[checkpoint])


def test_an_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'best' is unknown"):
        checkpoint = ModelCheckpoint("ckpt.neurona", monitor="val_accuracy", mode="best")
    assert checkpoint.monitor_op is np.greater


def test_verbose_says_what_it_does(data, make_model, tmp_path, capsys):
    checkpoint = ModelCheckpoint(tmp_path / "best.neurona", save_best_only=True, verbose=1)
    make_model().fit(*data, epochs=2, verbose=0, callbacks=[scripted([0.5, 0.6]), checkpoint])
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to 0.50000, saving model to" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out
