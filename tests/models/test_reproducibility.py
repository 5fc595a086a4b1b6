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
