"""Training resumed from a checkpoint matches training straight through, bit for bit.

4 epochs straight vs 2 epochs + ModelCheckpoint + load_model + fit(initial_epoch=2, epochs=4).
What makes it exact: the optimizer's state (iterations, slots, Nadam's product) travels in
the file, and each epoch's shuffle and Dropout masks derive from a seed the model draws once
and the number of epochs trained (`model.get_training_state()`, saved),
so they depend neither on how many `fit` calls there were nor on NumPy's global state.
"""

import numpy as np
import pytest

from neurona import optimizers
from neurona.callbacks import ModelCheckpoint
from neurona.layers import Dense, Dropout, Flatten
from neurona.models import Sequential, load_model


@pytest.fixture
def data():
    rng = np.random.default_rng(5)
    x = rng.random((96, 4, 4), dtype=np.float32)
    y = (x[:, 0, 0] > 0.5).astype(int) + (x[:, 1, 1] > 0.5)
    return x, y


def make_model(optimizer):
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(16, activation="relu"), Dropout(0.3),
                        Dense(8, activation="tanh"), Dense(3, activation="softmax")])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def straight(data, optimizer, shuffle):
    np.random.seed(7)
    model = make_model(optimizer())
    history = model.fit(*data, epochs=4, batch_size=16, shuffle=shuffle, verbose=0)
    return model, history.history


def resumed(data, optimizer, shuffle, tmp_path, filepath="ckpt.neurona", load_from="ckpt.neurona"):
    np.random.seed(7)
    model = make_model(optimizer())
    model.fit(*data, epochs=2, batch_size=16, shuffle=shuffle, verbose=0,
              callbacks=[ModelCheckpoint(tmp_path / filepath)])
    del model
    np.random.seed(12345)  # another global state: the resume must not depend on it
    model = load_model(tmp_path / load_from)
    history = model.fit(*data, epochs=4, initial_epoch=2, batch_size=16, shuffle=shuffle, verbose=0)
    return model, history.history


def assert_identical(first, second):
    (model_a, history_a), (model_b, history_b) = first, second
    for a, b in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model_a.optimizer.iterations == model_b.optimizer.iterations
    state_a, state_b = model_a.optimizer.get_state(), model_b.optimizer.get_state()
    for slots_a, slots_b in zip(state_a["slots"], state_b["slots"]):
        for name in slots_a:
            np.testing.assert_array_equal(slots_a[name], slots_b[name])
    # The last two epochs' logs are the resumed run's whole history.
    assert {key: values[2:] for key, values in history_a.items()} == dict(history_b)


@pytest.mark.parametrize("name", ["adam", "nadam", "rmsprop", "sgd"])
def test_resuming_without_shuffling_is_bit_identical(name, data, tmp_path):
    make = {"adam": optimizers.Adam, "nadam": optimizers.Nadam, "rmsprop": optimizers.RMSprop,
            "sgd": lambda: optimizers.SGD(momentum=0.9, nesterov=True)}[name]
    assert_identical(straight(data, make, False), resumed(data, make, False, tmp_path))


@pytest.mark.parametrize("name", ["adam", "nadam"])
def test_resuming_with_shuffling_is_bit_identical(name, data, tmp_path):
    make = {"adam": optimizers.Adam, "nadam": optimizers.Nadam}[name]
    assert_identical(straight(data, make, True), resumed(data, make, True, tmp_path))


def test_resuming_from_a_checkpoint_named_per_epoch(data, tmp_path):
    first = straight(data, optimizers.Adam, True)
    second = resumed(data, optimizers.Adam, True, tmp_path, filepath="ckpt-{epoch:02d}.neurona",
                     load_from="ckpt-02.neurona")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ckpt-01.neurona", "ckpt-02.neurona"]
    assert_identical(first, second)


def test_the_shuffle_seed_and_epoch_count_travel_in_the_file(data, tmp_path):
    model = make_model(optimizers.Adam())
    model.fit(*data, epochs=1, verbose=0)
    seed = model.get_training_state()["shuffle_seed"]
    assert isinstance(seed, int)
    model.fit(*data, epochs=1, verbose=0)
    assert model.get_training_state() == {"shuffle_seed": seed, "epochs_seen": 2}
    assert model.epochs_seen == 2
    model.save(tmp_path / "model.neurona")
    loaded = load_model(tmp_path / "model.neurona")
    assert loaded.get_training_state() == {"shuffle_seed": seed, "epochs_seen": 2}


def test_the_training_state_is_set_through_its_method():
    model = make_model(optimizers.Adam())
    assert model.get_training_state() == {"shuffle_seed": None, "epochs_seen": 0}
    model.set_training_state(shuffle_seed=9, epochs_seen=3)
    assert model.get_training_state() == {"shuffle_seed": 9, "epochs_seen": 3}
    model.set_training_state(epochs_seen=4)  # None keeps the seed
    assert model.get_training_state() == {"shuffle_seed": 9, "epochs_seen": 4}
    for bad in ({"shuffle_seed": -1}, {"epochs_seen": 1.5}, {"epochs_seen": True}):
        with pytest.raises(ValueError, match="non-negative integer"):
            model.set_training_state(**bad)


def test_the_compile_config_names_what_compile_received():
    model = make_model(optimizers.Adam(learning_rate=0.01))
    config = model.get_compile_config()
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)
    assert config["loss"] is not None and model.metric_identifiers == config["metrics"]


def test_continuing_without_initial_epoch_matches_one_longer_fit(data, tmp_path):
    """fit(epochs=2); save; load; fit(epochs=2) is fit(epochs=4): the epoch count travels too."""
    first = straight(data, optimizers.Adam, True)
    np.random.seed(7)
    model = make_model(optimizers.Adam())
    model.fit(*data, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "model.neurona")
    model = load_model(tmp_path / "model.neurona")
    history = model.fit(*data, epochs=2, batch_size=16, verbose=0)
    assert_identical(first, (model, history.history))
