import numpy as np
import pytest

from neurona.layers import Dense, Dropout, Flatten, Input
from neurona.models import Sequential


def test_first_layer_accepts_every_keras_spelling_of_the_input_shape():
    for first in (Dense(15, input_dim=784), Dense(15, input_shape=(784,)),
                  Dense(15, batch_input_shape=(None, 784))):
        model = Sequential([first, Dense(10)])
        assert model.built and model.input_shape == (784,) and model.output_shape == (10,)
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(10)])
    assert model.input_shape == (28, 28) and model.layers[1].params["kernel"].shape == (784, 10)
    model = Sequential([Input(shape=(784,)), Dense(10)])
    assert model.built and len(model.layers) == 1


def test_model_without_input_shape_builds_on_first_data():
    model = Sequential([Dense(4), Dense(2, activation="softmax")])
    assert not model.built
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(np.ones((8, 3)), np.zeros(8), verbose=0)
    assert model.built and model.input_shape == (3,)


def test_summary_prints_keras_table_with_parameter_counts(capsys):
    model = Sequential()
    model.add(Dense(15, input_dim=784, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out
    assert "dense (Dense)" in out and "(None, 15)" in out and "11775" in out
    assert "dense_1 (Dense)" in out and "160" in out
    assert "Total params: 11,935" in out and "Trainable params: 11,935" in out
    assert "Non-trainable params: 0" in out


def test_summary_of_unbuilt_model_explains_how_to_build_it():
    with pytest.raises(ValueError, match="input_shape"):
        Sequential([Dense(3)]).summary()


def test_get_and_set_weights_round_trip_and_check_shapes():
    model = Sequential([Dense(3, input_dim=2), Dropout(0.5), Dense(1)])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(2, 3), (3,), (3, 1), (1,)]
    new = [np.full_like(w, index) for index, w in enumerate(weights)]
    model.set_weights(new)
    for got, expected in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match=r"expects 4 weight arrays of shapes \[\(2, 3\)"):
        model.set_weights(new[:2])


def test_get_weights_returns_copies():
    model = Sequential([Dense(2, input_dim=2)])
    model.get_weights()[0][...] = 99
    assert not np.any(model.get_weights()[0] == 99)


def test_config_round_trip_rebuilds_same_architecture():
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(8, activation="relu", kernel_regularizer="l2"),
                        Dropout(0.2), Dense(3, activation="softmax")])
    clone = Sequential.from_config(model.get_config())
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    assert clone.get_config() == model.get_config()
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]


def test_add_rejects_non_layers_and_late_inputs():
    model = Sequential([Dense(2, input_dim=2)])
    with pytest.raises(TypeError, match="expects a Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="Input layer can only come first"):
        model.add(Input(shape=(2,)))


def test_layers_get_unique_keras_style_names():
    model = Sequential([Dense(2, input_dim=2), Dense(2), Dropout(0.1)])
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dropout"]
