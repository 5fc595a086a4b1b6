import numpy as np

from neurona.layers import Dense, Dropout, Flatten
from neurona.runs import config
from neurona.runs.building import build_model, input_shape_for


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
