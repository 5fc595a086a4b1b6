import numpy as np

from neurona import utils
from neurona.layers import Dense, Dropout
from neurona.models import Sequential


def train_twice_from(seed_call):
    results = []
    rng = np.random.default_rng(0)
    x = rng.random((256, 10)).astype("float32")
    y = rng.integers(0, 4, size=256)
    for _ in range(2):
        seed_call()
        model = Sequential([Dense(16, activation="relu", input_dim=10), Dropout(0.3),
                            Dense(4, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0)
        results.append((model.get_weights(), history.history))
    return results


def test_same_seed_gives_bit_identical_weights_and_history():
    (weights_a, history_a), (weights_b, history_b) = train_twice_from(lambda: utils.set_random_seed(7))
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
    assert history_a == history_b


def test_numpy_global_seed_alone_makes_runs_repeatable_as_tutorials_expect():
    (weights_a, _), (weights_b, _) = train_twice_from(lambda: np.random.seed(1))
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_give_different_weights():
    utils.set_random_seed(1)
    first = Sequential([Dense(4, input_dim=3)]).get_weights()[0]
    utils.set_random_seed(2)
    second = Sequential([Dense(4, input_dim=3)]).get_weights()[0]
    assert not np.array_equal(first, second)


def data_and_model():
    rng = np.random.default_rng(3)
    x = rng.random((96, 6)).astype("float32")
    y = rng.integers(0, 3, size=96)
    model = Sequential([Dense(12, activation="relu", input_dim=6), Dropout(0.25), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return x, y, model


def test_fit_in_two_calls_equals_fit_straight_through_dropout_included():
    utils.set_random_seed(5)
    x, y, straight = data_and_model()
    history = straight.fit(x, y, epochs=4, batch_size=16, verbose=0).history
    utils.set_random_seed(5)
    _, _, split = data_and_model()
    first = split.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    second = split.fit(x, y, epochs=4, initial_epoch=2, batch_size=16, verbose=0).history
    for a, b in zip(straight.get_weights(), split.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history["loss"] == first["loss"] + second["loss"]


def test_resuming_on_a_copy_with_weights_optimizer_state_and_seed_is_exact():
    utils.set_random_seed(6)
    x, y, straight = data_and_model()
    straight.fit(x, y, epochs=4, batch_size=16, verbose=0)

    utils.set_random_seed(6)
    _, _, first_half = data_and_model()
    first_half.fit(x, y, epochs=2, batch_size=16, verbose=0)
    _, _, resumed = data_and_model()
    resumed.set_weights(first_half.get_weights())
    resumed.optimizer.set_state(first_half.optimizer.get_state())
    resumed._shuffle_seed = first_half._shuffle_seed
    resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=16, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_successive_one_epoch_fits_see_different_shuffles():
    x, y, model = data_and_model()
    orders = []
    for _ in range(3):
        model.fit(x, y, epochs=1, batch_size=96, verbose=0)
        orders.append(model._epochs_seen)
    assert orders == [1, 2, 3]
