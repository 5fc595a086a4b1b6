import numpy as np
import pytest

from neurona.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from neurona.runs import config
from neurona.runs.building import build_model, input_shape_for, model_entries


def test_flat_input_starts_with_dense():
    cfg = config.resolve("seed004")
    model = build_model(cfg, (28, 28), 10)
    assert model.input_shape == (784,) == input_shape_for(cfg, (28, 28))
    assert [type(layer) for layer in model.layers] == [Dense, Dense, Dense]
    assert [layer.units for layer in model.layers] == [256, 128, 10]
    assert model.loss.name == "categorical_crossentropy"
    assert type(model.optimizer).__name__ == "RMSprop"


def test_image_input_starts_with_flatten_and_dropout_follows_hidden_layers():
    cfg = config.resolve("seed003", overrides={"dropout": 0.2})
    model = build_model(cfg, (28, 28), 10)
    assert model.input_shape == (28, 28)
    assert [type(layer) for layer in model.layers] == [Flatten, Dense, Dropout, Dense]


def test_binary_loss_gives_one_sigmoid_output_and_dtype_is_kept():
    cfg = config.resolve("seed000", overrides={"loss": "binary_crossentropy", "dtype": "float64",
                                               "optimizer_params": {"learning_rate": 0.01}})
    model = build_model(cfg, (8, 8, 3), 2)
    assert model.output_shape == (1,)
    assert model.layers[-1].activation.name == "sigmoid"
    assert model.dtype == np.float64
    assert model.optimizer.learning_rate == 0.01


def test_no_hidden_layer_is_logistic_regression():
    model = build_model(config.resolve(overrides={"hidden_layers": []}), (4, 4), 3)
    assert [layer.units for layer in model.layers] == [3]
    assert model.input_shape == (16,)


def test_mlp_shorthand_draws_the_weights_a_hand_written_sequential_does():
    from neurona.models import Sequential
    from neurona.utils import set_random_seed

    set_random_seed(5)
    built = build_model(config.resolve("seed004"), (28, 28), 10)
    set_random_seed(5)
    by_hand = Sequential([Dense(256, activation="relu", input_shape=(784,)), Dense(128, activation="relu"),
                          Dense(10, activation="softmax")])
    assert all(np.array_equal(left, right) for left, right in zip(built.get_weights(), by_hand.get_weights()))
    assert [layer.name for layer in built.layers] == ["dense", "dense_1", "dense_2"]


def test_model_entries_expand_the_shorthand():
    cfg = config.resolve("seed003", overrides={"dropout": 0.2})
    assert model_entries(cfg, 10) == [
        {"class_name": "Flatten", "config": {}},
        {"class_name": "Dense", "config": {"units": 256, "activation": "relu"}},
        {"class_name": "Dropout", "config": {"rate": 0.2}},
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}},
    ]
    binary = config.resolve(overrides={"hidden_layers": [], "loss": "binary_crossentropy"})
    assert model_entries(binary, 2) == [{"class_name": "Dense", "config": {"units": 1, "activation": "sigmoid"}}]


def test_mnist_cnn_is_keras_simple_convnet():
    model = build_model(config.resolve("mnist-cnn"), (28, 28), 10)
    assert model.input_shape == (28, 28, 1) and model.output_shape == (10,)
    assert [type(layer) for layer in model.layers] == [Conv2D, MaxPooling2D, Conv2D, MaxPooling2D, Flatten,
                                                       Dropout, Dense]
    assert model.count_params() == 34826
    assert [layer.compute_output_shape(layer.input_shape) for layer in model.layers[:4]] == [
        (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64)]
    assert model.loss.name == "categorical_crossentropy" and type(model.optimizer).__name__ == "Adam"


def _list_config(layers, **overrides):
    return config.resolve(overrides={"layers": layers, **overrides})


CONV = {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3, "activation": "relu"}}
OUTPUT = {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}


def test_input_image_gives_a_layer_list_a_channel_axis_and_flat_gives_vectors():
    cnn = build_model(_list_config([CONV, {"class_name": "Flatten"}, OUTPUT], input="image"), (28, 28), 10)
    assert cnn.input_shape == (28, 28, 1) == input_shape_for({"input": "image", "layers": []}, (28, 28))
    rgb = build_model(_list_config([CONV, {"class_name": "Flatten"}, OUTPUT], input="image"), (8, 8, 3), 10)
    assert rgb.input_shape == (8, 8, 3)
    flat = build_model(_list_config([OUTPUT]), (28, 28), 10)
    assert flat.input_shape == (784,)
    reshaped = build_model(_list_config([{"class_name": "Reshape", "config": {"target_shape": [28, 28, 1]}}, CONV,
                                         {"class_name": "Flatten"}, OUTPUT]), (28, 28), 10)
    assert reshaped.input_shape == (784,) and reshaped.count_params() == 40 + 26 * 26 * 4 * 10 + 10


def test_a_layer_that_does_not_fit_names_its_entry_and_the_fix():
    with pytest.raises(ValueError, match=r"layers\[0\] \(Conv2D\) cannot take inputs of shape \(784,\).*input 'image' "
                                         r"gives the model images of shape \(28, 28, 1\)"):
        build_model(_list_config([CONV, {"class_name": "Flatten"}, OUTPUT]), (28, 28), 10)
    with pytest.raises(ValueError, match=r"layers\[1\] \(Dense\) cannot take inputs of shape \(26, 26, 4\).*Flatten"):
        build_model(_list_config([CONV, OUTPUT], input="image"), (28, 28), 10)


def test_the_last_layer_must_give_the_losss_probabilities():
    flatten = {"class_name": "Flatten"}
    with pytest.raises(ValueError, match=r"outputs of shape \(12,\), but sparse_categorical_crossentropy on 10 "
                                         r"classes needs \(10,\): end the list with Dense\(10, activation='softmax'\)"):
        build_model(_list_config([flatten, {"class_name": "Dense", "config": {"units": 12, "activation": "softmax"}}]),
                    (28, 28), 10)
    with pytest.raises(ValueError, match="activation is 'linear', but .* needs probabilities from 'softmax'"):
        build_model(_list_config([flatten, {"class_name": "Dense", "config": {"units": 10}}]), (28, 28), 10)
    with pytest.raises(ValueError, match=r"Dense\(1, activation='sigmoid'\)"):
        build_model(_list_config([flatten, OUTPUT], loss="binary_crossentropy"), (28, 28), 2)
    separate = [flatten, {"class_name": "Dense", "config": {"units": 10}},
                {"class_name": "Activation", "config": {"activation": "softmax"}}]
    assert build_model(_list_config(separate), (28, 28), 10).output_shape == (10,)


def test_a_declared_input_shape_is_kept_when_it_holds_an_image():
    declared = [{"class_name": "InputLayer", "config": {"shape": [28, 28, 1]}}, CONV, {"class_name": "Flatten"},
                OUTPUT]
    assert build_model(_list_config(declared), (28, 28), 10).input_shape == (28, 28, 1)
    with pytest.raises(ValueError, match=r"layers\[0\] \(InputLayer\) declares inputs of shape \(32, 32, 3\)"):
        build_model(_list_config([{"class_name": "InputLayer", "config": {"shape": [32, 32, 3]}}, CONV,
                                  {"class_name": "Flatten"}, OUTPUT]), (28, 28), 10)


def test_a_layer_list_takes_the_runs_dtype():
    model = build_model(_list_config([CONV, {"class_name": "Flatten"}, OUTPUT], input="image", dtype="float64"),
                        (28, 28), 10)
    assert model.dtype == np.float64
