import numpy as np
import pytest

from neurona import backend, utils
from neurona.layers import Dense, Dropout, Flatten
from neurona.models import Sequential
from neurona.optimizers import Adam


def blobs(samples=600, features=8, classes=3, seed=0):
    """Well-separated Gaussian clusters: a problem any working MLP solves."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, size=(classes, features))
    labels = rng.integers(0, classes, size=samples)
    inputs = centers[labels] + rng.normal(0, 1, size=(samples, features))
    return inputs.astype("float32"), labels


def small_model(classes=3, features=8):
    return Sequential([Dense(16, activation="relu", input_dim=features), Dense(classes, activation="softmax")])


def test_fit_learns_separable_clusters_and_reports_history(kernel_path):
    x, y = blobs()
    model = small_model()
    model.compile(Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=5, batch_size=32, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 5 and history.epoch == [0, 1, 2, 3, 4]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.95
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.95 and loss < 0.3
    assert model.history is history


def test_history_answers_to_keras2_acc_names():
    x, y = blobs()
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0)
    assert history.history["acc"] == history.history["accuracy"]
    assert history.history["val_acc"] == history.history["val_accuracy"]


def test_categorical_and_binary_targets_train_with_matching_accuracy_metric(kernel_path):
    x, y = blobs(classes=2)
    onehot = utils.to_categorical(y, 2)
    model = small_model(classes=2)
    model.compile(Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    assert model.fit(x, onehot, epochs=3, verbose=0).history["accuracy"][-1] > 0.9
    binary = Sequential([Dense(8, activation="relu", input_dim=8), Dense(1, activation="sigmoid")])
    binary.compile(Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    assert binary.fit(x, y, epochs=3, verbose=0).history["accuracy"][-1] > 0.9


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = blobs(samples=100)
    model = small_model()
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    expected = model.evaluate(x[75:], y[75:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected[0], rel=1e-5)


def test_evaluate_without_metrics_returns_the_loss_alone_and_return_dict():
    x, y = blobs(samples=64)
    model = small_model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert set(model.evaluate(x, y, verbose=0, return_dict=True)) == {"loss", "accuracy"}


def test_loss_includes_regularization_penalty(kernel_path):
    x, y = blobs(samples=64)
    plain = small_model()
    regularized = Sequential([Dense(16, activation="relu", input_dim=8, kernel_regularizer="l2"),
                              Dense(3, activation="softmax")])
    regularized.set_weights(plain.get_weights())
    for model in (plain, regularized):
        model.compile("sgd", "sparse_categorical_crossentropy")
    penalty = 0.01 * float(np.sum(np.square(plain.get_weights()[0])))
    assert regularized.evaluate(x, y, verbose=0) == pytest.approx(plain.evaluate(x, y, verbose=0) + penalty, rel=1e-5)


def test_predict_matches_manual_forward_and_batches_do_not_matter(kernel_path):
    x, _ = blobs(samples=50)
    model = small_model()
    kernel1, bias1, kernel2, bias2 = model.get_weights()
    hidden = np.maximum(x @ kernel1 + bias1, 0)
    logits = hidden @ kernel2 + bias2
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, batch_size=7), model.predict(x), rtol=1e-6)
    assert model.predict(x).dtype == np.float32


def test_predict_on_one_sample_without_batch_axis_warns_and_returns_a_batch_of_one():
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(10, activation="softmax")])
    image = np.random.rand(28, 28)
    with pytest.warns(UserWarning, match="batch of one"):
        probs = model.predict(image)
    assert probs.shape == (1, 10)
    np.testing.assert_allclose(probs, model.predict(image[None]))


def test_predict_classes_gives_argmax_or_threshold_with_deprecation_warning():
    x, _ = blobs(samples=20)
    model = small_model()
    with pytest.warns(DeprecationWarning, match="predict_classes"):
        classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes, np.argmax(model.predict(x), axis=1))
    binary = Sequential([Dense(1, activation="sigmoid", input_dim=8)])
    with pytest.warns(DeprecationWarning):
        np.testing.assert_array_equal(binary.predict_classes(x), (binary.predict(x) > 0.5).astype("int32"))


def test_fit_converts_inputs_once_to_floatx_and_keeps_float32_weights():
    x, y = blobs(samples=64)
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x.astype("float64"), y, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_float64_models_train_in_float64(float64, kernel_path):
    x, y = blobs(samples=64)
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in model.get_weights())
    assert model.predict(x).dtype == np.float64
    backend.set_floatx("float32")


def test_dropout_is_active_in_fit_and_off_in_predict(kernel_path):
    x, _ = blobs(samples=10)
    model = Sequential([Dense(32, input_dim=8), Dropout(0.5), Dense(3, activation="softmax")])
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    assert not np.allclose(model(x, training=True), model(x, training=False))


def test_initial_epoch_continues_epoch_numbering():
    x, y = blobs(samples=64)
    model = small_model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


def test_shuffle_false_uses_samples_in_order():
    x, y = blobs(samples=64)
    first, second = small_model(), small_model()
    second.set_weights(first.get_weights())
    for model in (first, second):
        model.compile("sgd", "sparse_categorical_crossentropy")
    np.random.seed(1)
    first.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    np.random.seed(2)
    second.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_train_on_batch_matches_one_epoch_of_one_full_batch(kernel_path):
    x, y = blobs(samples=32)
    first, second = small_model(), small_model()
    second.set_weights(first.get_weights())
    for model in (first, second):
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    first.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    loss, accuracy = second.train_on_batch(x, y)
    assert 0 <= accuracy <= 1 and loss > 0
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_fused_and_unfused_gradients_give_the_same_training_step(float64, kernel_path):
    """softmax + cross-entropy uses (p - y)/n; a separate Activation layer goes through the Jacobians."""
    from neurona.layers import Activation

    x, y = blobs(samples=32)
    fused = Sequential([Dense(3, input_dim=8), Activation("softmax")])
    unfused = Sequential([Dense(3, input_dim=8, activation="softmax"), Activation("linear")])
    unfused.set_weights(fused.get_weights())
    for model in (fused, unfused):
        model.compile("sgd", "sparse_categorical_crossentropy")
        model.train_on_batch(x, y)
    assert fused._uses_fused_gradient() and not unfused._uses_fused_gradient()
    for a, b in zip(fused.get_weights(), unfused.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_the_parameter_pack_is_built_once_and_stays_current():
    import numpy as np

    from neurona.layers import Dense
    from neurona.models import Sequential

    model = Sequential([Dense(3, input_shape=(2,)), Dense(1)])
    model.compile("adam", "mse")
    first = model._trainable_pairs()
    # A second call (a callback restoring optimizer state mid-fit makes one) finds the same
    # vectors: the layers' arrays stay views of what the optimizer updates.
    second = model._trainable_pairs()
    assert first[0][0] is second[0][0] and first[0][1] is second[0][1]
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    assert model._trainable_pairs()[0][0] is first[0][0]
    assert np.shares_memory(model.layers[0].params["kernel"], first[0][0])
