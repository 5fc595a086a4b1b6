"""Learning-rate schedules and AdamW in model files: neurona's format, .keras and .h5.

The schedule travels inside the optimizer's config; the step count it is evaluated at is the
optimizer's `iterations`, which travels with the optimizer's state. So training resumed from
a file continues on the same learning rates as training straight through.
"""

import json
import os
import zipfile

import numpy as np
import pytest

from neurona import optimizers
from neurona.layers import Dense, Flatten
from neurona.models import Sequential, load_model
from neurona.optimizers import schedules

from .test_resume import assert_identical, resumed, straight

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def cosine_adamw():
    return optimizers.AdamW(learning_rate=schedules.CosineDecay(0.0, decay_steps=20, alpha=0.1,
                                                                warmup_target=0.02, warmup_steps=5),
                            weight_decay=0.05)


def one_cycle_sgd():
    return optimizers.SGD(learning_rate=schedules.OneCycle(0.2, total_steps=30), momentum=0.9)


def exponential_adam():
    return optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.01, decay_steps=4, decay_rate=0.8,
                                                                    staircase=True))


MAKERS = {"cosine_adamw": cosine_adamw, "one_cycle_sgd": one_cycle_sgd, "exponential_adam": exponential_adam}


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("shuffle", [False, True])
def test_training_resumed_from_a_neurona_file_continues_exactly(name, shuffle, data, tmp_path):
    first = straight(data, MAKERS[name], shuffle)
    second = resumed(data, MAKERS[name], shuffle, tmp_path)
    assert_identical(first, second)
    model = second[0]
    assert model.optimizer.iterations == 24  # 96 samples, batch 16, 4 epochs
    assert type(model.optimizer.learning_rate_schedule) is type(MAKERS[name]().learning_rate_schedule)
    assert model.optimizer.learning_rate == model.optimizer.learning_rate_schedule(24)


@pytest.fixture
def data():
    rng = np.random.default_rng(5)
    x = rng.random((96, 4, 4), dtype=np.float32)
    y = (x[:, 0, 0] > 0.5).astype(int) + (x[:, 1, 1] > 0.5)
    return x, y


def trained(make, data, epochs=2):
    """A model without Dropout (Keras' files do not hold neurona's per-epoch seeds)."""
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(16, activation="relu"), Dense(3, activation="softmax")])
    model.compile(make(), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(*data, epochs=epochs, batch_size=16, verbose=0)
    return model


@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("name", ["cosine_adamw", "exponential_adam"])
def test_keras_files_hold_the_schedule_as_keras_writes_it(name, suffix, data, tmp_path):
    model = trained(MAKERS[name], data)
    path = tmp_path / f"model.{suffix}"
    model.save(path)
    loaded = load_model(path)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 12
    for a, b in zip(loaded.optimizer.get_state()["slots"], model.optimizer.get_state()["slots"]):
        for slot in a:
            np.testing.assert_allclose(a[slot], b[slot], rtol=1e-6, atol=1e-12)
    if suffix == "keras":
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
        learning_rate = config["compile_config"]["optimizer"]["config"]["learning_rate"]
        expected_class = type(model.optimizer.learning_rate_schedule).__name__
        assert learning_rate == {"module": "keras.optimizers.schedules", "class_name": expected_class,
                                 "config": model.optimizer.learning_rate_schedule.get_config(),
                                 "registered_name": None}
    # Both continue on the same schedule values from the same step.
    model.fit(*data, epochs=1, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(*data, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", ["keras", "h5"])
def test_one_cycle_cannot_go_into_a_keras_file(suffix, data, tmp_path):
    model = trained(one_cycle_sgd, data, epochs=1)
    with pytest.raises(ValueError, match="OneCycle is neurona's own"):
        model.save(tmp_path / f"model.{suffix}")
    assert not (tmp_path / f"model.{suffix}").exists()


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("keras")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_keras_reads_ours_and_we_read_keras(keras, data, tmp_path):
    """Keras loads the .keras file neurona writes with its schedule and step count, and
    neurona loads the one Keras writes."""
    model = trained(cosine_adamw, data)
    for suffix in ("keras", "h5"):
        model.save(tmp_path / f"ours.{suffix}")
        theirs = keras.models.load_model(tmp_path / f"ours.{suffix}")
        assert type(theirs.optimizer).__name__ == "AdamW"
        schedule = theirs.optimizer._learning_rate
        assert type(schedule).__name__ == "CosineDecay"
        assert schedule.get_config() == model.optimizer.learning_rate_schedule.get_config()
        assert int(theirs.optimizer.iterations) == 12
        assert float(theirs.optimizer.learning_rate) == pytest.approx(model.optimizer.learning_rate, rel=1e-6)

    x, y = data
    keras_model = keras.Sequential([keras.Input((4, 4)), keras.layers.Flatten(), keras.layers.Dense(3, "softmax")])
    keras_model.compile(keras.optimizers.AdamW(learning_rate=keras.optimizers.schedules.PolynomialDecay(
        0.05, decay_steps=10, cycle=True), weight_decay=0.01), "sparse_categorical_crossentropy")
    keras_model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    keras_model.save(tmp_path / "theirs.keras")
    loaded = load_model(tmp_path / "theirs.keras")
    assert isinstance(loaded.optimizer, optimizers.AdamW) and loaded.optimizer.weight_decay == 0.01
    assert isinstance(loaded.optimizer.learning_rate_schedule, schedules.PolynomialDecay)
    assert loaded.optimizer.learning_rate_schedule.cycle is True
    assert loaded.optimizer.iterations == 6
    assert loaded.optimizer.learning_rate == pytest.approx(float(keras_model.optimizer.learning_rate), rel=1e-6)


@pytest.mark.parametrize("suffix", ["neurona", "keras", "h5"])
def test_label_smoothing_travels_with_the_loss(suffix, data, tmp_path):
    from neurona import losses

    x, y = data
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(3, activation="softmax")])
    model.compile("adam", losses.CategoricalCrossentropy(label_smoothing=0.2), metrics=["accuracy"])
    model.fit(x, np.eye(3)[y], epochs=1, verbose=0)
    model.save(tmp_path / f"model.{suffix}")
    loaded = load_model(tmp_path / f"model.{suffix}")
    assert isinstance(loaded.loss, losses.CategoricalCrossentropy)
    assert loaded.loss.get_config() == {"from_logits": False, "label_smoothing": 0.2}


def test_a_keras_optimizer_with_weight_decay_loads_compiled(tmp_path):
    from .test_keras_import import _edited_keras

    path = _edited_keras(tmp_path, lambda c: c["compile_config"]["optimizer"]["config"].update(weight_decay=0.01))
    model = load_model(path)
    assert model.compiled and model.optimizer.weight_decay == 0.01


def test_a_keras_schedule_neurona_lacks_loads_the_model_uncompiled(tmp_path):
    from .test_keras_import import _edited_keras

    schedule = {"module": "keras.optimizers.schedules", "class_name": "WarmupLinear", "config": {},
                "registered_name": None}
    path = _edited_keras(tmp_path, lambda c: c["compile_config"]["optimizer"]["config"].update(learning_rate=schedule))
    with pytest.warns(UserWarning, match="the learning-rate schedule WarmupLinear is not available in neurona"):
        assert not load_model(path).compiled
