import numpy as np
import pytest

from neurona.datasets import DataFormatError
from neurona.layers import Dense, Flatten
from neurona.models import Sequential
from neurona.runs import prediction


def _model(input_shape, outputs=10):
    layers = [Flatten(input_shape=input_shape)] if len(input_shape) > 1 else []
    extra = {} if layers else {"input_shape": input_shape}
    model = Sequential(layers + [Dense(outputs, activation="softmax", **extra)])
    model.compile(loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("input_shape, known, expected", [
    ((28, 28), None, (28, 28)),
    ((784,), None, (28, 28)),
    ((12288,), None, (64, 64, 3)),
    ((784,), (28, 28), (28, 28)),
    ((64,), (4, 16), (4, 16)),
])
def test_image_shape_for(input_shape, known, expected):
    assert prediction.image_shape_for(_model(input_shape), known) == expected


def test_image_shape_for_an_odd_flat_input_is_an_error():
    with pytest.raises(ValueError, match=r"Cannot tell the image size .* \(10,\)"):
        prediction.image_shape_for(_model((10,)))


def test_is_digit_model():
    assert prediction.is_digit_model("mnist", (28, 28), 10)
    assert not prediction.is_digit_model("fashion_mnist", (28, 28), 10)
    assert prediction.is_digit_model(None, (28, 28), 10)
    assert not prediction.is_digit_model(None, (64, 64, 3), 1)


def _write_png(path, array):
    image_module = pytest.importorskip("PIL.Image")
    image_module.fromarray(array).save(path)
    return path


def test_read_user_image_as_a_digit_or_resized(tmp_path):
    paper = np.full((60, 40), 255, dtype=np.uint8)
    paper[10:50, 18:22] = 0  # a dark "1" on white paper
    path = _write_png(tmp_path / "one.png", paper)
    digit = prediction.read_user_image(path, (28, 28), digit=True)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    assert digit[0, 0] == 0 and digit.max() > 200  # light ink on black, as MNIST
    resized = prediction.read_user_image(path, (8, 8, 3), digit=False)
    assert resized.shape == (8, 8, 3)


def test_read_user_image_names_the_file_that_is_not_an_image(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(DataFormatError, match="notes.png: cannot be read as an image"):
        prediction.read_user_image(text, (28, 28), digit=False)
    with pytest.raises(FileNotFoundError, match="No image file at .*missing.png"):
        prediction.read_user_image(tmp_path / "missing.png", (28, 28), digit=True)


def test_probabilities_lines_and_figure(tmp_path, decode_png):
    probabilities = np.array([0.1, 0.7, 0.2])
    lines = prediction.format_probabilities(probabilities, ["a", "bb", "c"], top=2)
    assert lines == ["  bb   70.00%  #####################", "   c   20.00%  ######"]
    image = np.zeros((8, 8), dtype=np.uint8)
    path = prediction.save_prediction_figure(tmp_path / "p.png", image, probabilities, ["a", "bb", "c"],
                                             "test", true_label=2)
    assert decode_png(path)[0] > 400


def _cnn(input_shape=(28, 28, 1), outputs=10):
    from neurona.layers import Conv2D, Input

    model = Sequential([Input(shape=input_shape), Conv2D(2, 3), Flatten(), Dense(outputs, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    return model


def test_a_convolutional_models_images_keep_their_channel_axis(tmp_path):
    assert prediction.image_shape_for(_cnn(), (28, 28)) == (28, 28, 1)
    assert prediction.is_digit_model(None, (28, 28, 1), 10)
    paper = np.full((60, 40), 255, dtype=np.uint8)
    paper[10:50, 18:22] = 0
    path = _write_png(tmp_path / "one.png", paper)
    digit = prediction.read_user_image(path, (28, 28, 1), digit=True)
    assert digit.shape == (28, 28, 1)
    np.testing.assert_array_equal(digit[..., 0], prediction.read_user_image(path, (28, 28), digit=True))
    assert prediction.read_user_image(path, (16, 16, 1), digit=False).shape == (16, 16, 1)
    probabilities = prediction.predict_probabilities(_cnn(), digit[np.newaxis])
    assert probabilities.shape == (1, 10)
    assert prediction.predict_probabilities(_cnn(), np.zeros((3, 28, 28), dtype=np.uint8)).shape == (3, 10)


def test_the_figure_shows_an_image_with_one_channel():
    figure = prediction.make_prediction_figure(np.zeros((28, 28, 1), dtype=np.uint8), np.full(10, 0.1),
                                               [str(index) for index in range(10)], "one channel")
    assert figure.axes[0].images[0].get_array().shape == (28, 28)
