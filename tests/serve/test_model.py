"""What is served: the model card, one model copy per worker, and the saliency's gradient."""

import numpy as np
import pytest

from neurona import backend, layers, models
from neurona.serve.model import ModelCard, Predictor, file_sha256, load_predictors


def _mlp(seed=3, last_activation="softmax", outputs=10):
    model = models.Sequential([layers.Input((784,)), layers.Dense(16, activation="tanh", seed=seed),
                               layers.Dense(outputs, activation=last_activation, seed=seed + 1)])
    model.build((784,))
    return model


def _card(image_shape=(28, 28)):
    return ModelCard("m", None, "0" * 64, (784,), image_shape, [str(i) for i in range(10)], True, None, {})


@pytest.mark.parametrize("last_activation", ["softmax", None])
def test_score_gradient_matches_central_differences(float64, last_activation):
    model = _mlp(last_activation=last_activation)
    predictor = Predictor(model, _card())
    image = np.random.default_rng(0).integers(0, 256, size=(28, 28), dtype=np.uint8)
    gradient = predictor.score_gradient(image, 4)
    x = image.reshape(1, 784).astype(np.float64) / 255

    def score(values):  # the logit of class 4 (the softmax left out), or the linear output
        return model._forward(values, training=False, apply_activation=False)[0, 4]

    eps = 1e-5
    for index in np.random.default_rng(1).choice(784, size=25, replace=False):
        plus, minus = x.copy(), x.copy()
        plus[0, index] += eps
        minus[0, index] -= eps
        assert gradient[index] == pytest.approx((score(plus) - score(minus)) / (2 * eps), rel=1e-6, abs=1e-9)


def test_sigmoid_output_scores_class_zero_as_minus_class_one(float64):
    model = _mlp(last_activation="sigmoid", outputs=1)
    predictor = Predictor(model, _card())
    image = np.random.default_rng(2).integers(0, 256, size=(28, 28), dtype=np.uint8)
    np.testing.assert_allclose(predictor.score_gradient(image, 0), -predictor.score_gradient(image, 1))
    assert np.abs(predictor.score_gradient(image, 1)).max() > 0


def test_saliency_is_scaled_to_one_and_shaped_like_the_image():
    predictor = Predictor(_mlp(), _card())
    image = np.zeros((28, 28), dtype=np.uint8)
    image[8:20, 12:16] = 255
    saliency = predictor.saliency(image, 7)
    assert saliency.shape == (28, 28) and saliency.max() == pytest.approx(1.0) and saliency.min() >= 0


def test_each_worker_gets_its_own_copy_of_the_same_model(tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.neurona")
    card, predictors = load_predictors(tmp_path / "m.neurona", 3)
    assert card.name == "m" and card.sha256 == file_sha256(tmp_path / "m.neurona")
    assert card.class_names == [str(digit) for digit in range(10)] and card.digit and card.dataset is None
    kernels = [predictor.model.layers[0].params["kernel"] for predictor in predictors]
    assert len({id(kernel) for kernel in kernels}) == 3
    assert all(np.array_equal(kernel, model.layers[0].params["kernel"]) for kernel in kernels)
    assert len({id(layer) for predictor in predictors for layer in predictor.model.layers}) == 6


def test_a_model_that_is_not_an_image_classifier_is_refused(tmp_path):
    model = models.Sequential([layers.Input((7,)), layers.Dense(3, activation="softmax")])
    model.build((7,))
    model.save(tmp_path / "odd.neurona")
    with pytest.raises(ValueError, match="image size"):
        load_predictors(tmp_path / "odd.neurona", 1)
    with pytest.raises(FileNotFoundError, match="No run folder or model file"):
        load_predictors(tmp_path / "absent.neurona", 1)
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        load_predictors(tmp_path / "odd.neurona", 0)


def test_fashion_run_card_has_its_class_names(fashion_run):
    card, _ = load_predictors(fashion_run, 1)
    assert card.class_names[7] == "Sneaker" and not card.digit and card.dataset == "fashion_mnist"
    assert backend.floatx() == "float32"
