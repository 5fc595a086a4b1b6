import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from neurona.layers import Dense  # noqa: E402
from neurona.models import Sequential  # noqa: E402
from neurona.sklearn import NeuronaClassifier  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 8x8 digits (1,797 images, shipped with it): features scaled to [0, 1]."""
    x, y = load_digits(return_X_y=True)
    return x / 16.0, y


def small(**arguments):
    return NeuronaClassifier(**{"hidden_layer_sizes": (32,), "epochs": 5, "random_state": 0, **arguments})


def test_fit_learns_string_labels_and_sets_its_attributes(digits):
    x, y = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    classifier = small()
    assert classifier.fit(x[:1200], names[y[:1200]]) is classifier
    assert list(classifier.classes_) == sorted(names)
    assert classifier.n_features_in_ == 64
    assert classifier.model_.count_params() == 64 * 32 + 32 + 33 * 10
    assert len(classifier.history_["loss"]) == 5 and classifier.history_["loss"][-1] < classifier.history_["loss"][0]
    predicted = classifier.predict(x[1200:])
    assert predicted.dtype == names.dtype and set(predicted) <= set(names)
    assert classifier.score(x[1200:], names[y[1200:]]) > 0.85
    probs = classifier.predict_proba(x[1200:])
    assert probs.shape == (597, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(classifier.classes_[probs.argmax(axis=1)], predicted)


def test_the_same_random_state_gives_the_same_predictions(digits):
    x, y = digits
    first = small(random_state=7).fit(x[:500], y[:500]).predict_proba(x[500:])
    again = small(random_state=7).fit(x[:500], y[:500]).predict_proba(x[500:])
    other = small(random_state=8).fit(x[:500], y[:500]).predict_proba(x[500:])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_pickle_round_trips_through_the_model_format(digits):
    x, y = digits
    classifier = small().fit(x[:500], y[:500])
    data = pickle.dumps(classifier)
    assert b"neurona.layers" not in data  # the model travels as a model file, not pickled layers
    restored = pickle.loads(data)
    np.testing.assert_array_equal(restored.predict_proba(x[500:]), classifier.predict_proba(x[500:]))
    restored.partial_fit(x[:500], y[:500])  # its optimizer state came along
    assert restored.get_params() == classifier.get_params()


def test_partial_fit_continues_one_epoch_at_a_time(digits):
    x, y = digits
    classifier = small()
    with pytest.raises(ValueError, match="at least 2 classes"):
        small().partial_fit(x[:10], np.zeros(10))
    classifier.partial_fit(x[:300], y[:300], classes=np.arange(10))
    before = classifier.score(x[1000:], y[1000:])
    for _ in range(5):
        classifier.partial_fit(x[:1000], y[:1000])
    assert len(classifier.history_["loss"]) == 1
    assert classifier.score(x[1000:], y[1000:]) > before
    with pytest.raises(ValueError, match="outside classes_"):
        classifier.partial_fit(x[:3], np.array([0, 1, 11]))


def test_clone_keeps_the_parameters_and_drops_the_fit(digits):
    x, y = digits
    classifier = small(validation_split=0.2, early_stopping=True).fit(x[:400], y[:400])
    assert "val_loss" in classifier.history_
    copy = clone(classifier)
    assert copy.get_params() == classifier.get_params() and not hasattr(copy, "model_")


def test_pipeline_with_scaling_and_cross_validation(digits):
    x, y = digits
    pipeline = make_pipeline(StandardScaler(), small(learning_rate=0.01))
    scores = cross_val_score(pipeline, x[:900], y[:900], cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8


def test_grid_search_over_the_classifier(digits):
    """In two worker processes (n_jobs=2): each fit's estimator is cloned and pickled there and back."""
    x, y = digits
    search = GridSearchCV(small(epochs=3), {"hidden_layer_sizes": [(4,), (32,)], "learning_rate": [1e-4, 1e-2]},
                          cv=2, n_jobs=2)
    search.fit(x[:600], y[:600])
    assert search.best_params_ == {"hidden_layer_sizes": (32,), "learning_rate": 1e-2}
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert search.best_estimator_.score(x[600:], y[600:]) > 0.85


def test_a_callable_builds_the_model(digits):
    x, y = digits
    shapes = []

    def build(n_features, n_classes):
        shapes.append((n_features, n_classes))
        return Sequential([Dense(16, activation="tanh"), Dense(n_classes, activation="softmax")])

    classifier = small(model=build).fit(x[:300], y[:300] % 3)
    assert shapes == [(64, 3)]
    assert classifier.predict_proba(x[:5]).shape == (5, 3)


def test_a_layer_list_trains_a_convnet_on_image_shaped_inputs(digits):
    x, y = digits
    images = x.reshape(-1, 8, 8, 1)
    layers = [
        {"class_name": "Conv2D", "config": {"filters": 8, "kernel_size": [3, 3], "activation": "relu"}},
        {"class_name": "Flatten"},
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}},
    ]
    classifier = small(model=layers, learning_rate=0.01).fit(images[:800], y[:800])
    assert classifier.model_.input_shape == (8, 8, 1)
    assert classifier.score(images[800:], y[800:]) > 0.8


def test_bad_models_are_refused(digits):
    x, y = digits
    wrong_outputs = [{"class_name": "Dense", "config": {"units": 4, "activation": "softmax"}}]
    with pytest.raises(ValueError, match=r"outputs have shape \(4,\); 10 classes need \(10,\)"):
        small(model=wrong_outputs).fit(x[:100], y[:100])
    with pytest.raises(TypeError, match="model must be None, a callable"):
        small(model="mlp").fit(x[:100], y[:100])
    with pytest.raises(ValueError, match="epochs must be a positive integer. Received: epochs=0"):
        small(epochs=0).fit(x[:100], y[:100])
