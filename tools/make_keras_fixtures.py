"""Make the Keras-written fixtures under tests/fixtures/keras/ (a dev-only step).

Needs Keras 3 (with TensorFlow) and, for the Keras 2 file, tf-keras; neurona is not used.
The committed outputs were made with Python 3.11, keras 3.15.1, tensorflow-cpu 2.21.0,
tf-keras 2.21.0 and h5py 3.14.0:

    python3 -m venv .keras-venv
    .keras-venv/bin/pip install keras tensorflow-cpu h5py tf-keras
    .keras-venv/bin/python tools/make_keras_fixtures.py            # writes tests/fixtures/keras/
    .keras-venv/bin/python tools/make_keras_fixtures.py --only cnn # only the cnn_* files
    .keras-venv/bin/python tools/make_keras_fixtures.py --only functional  # only the functional_* and nested_* files

`--only cnn` and `--only functional` need no tf-keras and rewrite no other files (each run
changes a .keras file's bytes: its metadata holds the date).

What it writes (each model with an .npz of inputs and Keras' outputs for them):

    mlp_dropout.{keras,h5}   Flatten(input_shape=(4, 4)) > Dense(5, relu) > Dropout > Dense(3, softmax),
                             rmsprop, trained 2 epochs (Keras 3)
    activations.keras        Dense with every activation neurona has, use_bias=False, an l2
                             regularizer, he_normal, and the ReLU/LeakyReLU/ELU/Softmax layers
    mi_modelo.h5             seed 003's model, tiny (Flatten(input_shape=(28, 28)) > Dense(4, relu) >
                             Dense(10, softmax), rmsprop), written by Keras 2 (tf.keras) as in the tutorial
    optimizer_<name>.keras   Dense(2, softmax) trained 3 steps with Adam (amsgrad), RMSprop (centered,
                             momentum) and Nadam; optimizers.npz holds the batch and Keras' weights
                             after one more step on it

Convolutional models (`--only cnn`), each as .keras and .h5 (Keras 3) with an .npz of inputs
and Keras' predictions, tiny so that each file stays a few KB:

    cnn_conv                 Input((9, 9, 2)) > Conv2D same (relu) > Conv2D (2, 3) valid, no bias >
                             Conv2D strided 2 same (odd padding at the bottom) > Conv2D dilated 2
                             (tanh) > Flatten > Dense(3, softmax)
    cnn_batchnorm            Input((6, 6, 2)) > Conv2D > BatchNormalization(momentum=0.5) > ReLU >
                             GlobalAveragePooling2D > BatchNormalization(momentum=0.7, epsilon=0.01,
                             center=False) > Dense(2), sgd, trained 3 epochs (the moving statistics
                             are far from their initial zeros and ones)
    cnn_pooling              Input((8, 8, 2)) > Conv2D > MaxPooling2D > AveragePooling2D(3, strides=2,
                             padding='same') (partial windows) > MaxPooling2D(2, strides=1, 'same') >
                             GlobalMaxPooling2D(keepdims=True) > Reshape((2, 2, 1)) >
                             GlobalAveragePooling2D > Dense(2)
    cnn_reshaping            Input((36,)) > Rescaling(1 / 255, offset=-0.5) > Reshape((6, -1, 1)) >
                             ZeroPadding2D(((1, 2), (0, 1))) > Conv2D (relu) > Flatten > Dense(3, softmax)

cnn_conv, cnn_pooling and cnn_reshaping are not compiled; their weights, biases included, are
drawn from a normal distribution. cnn_batchnorm is compiled (sgd, so its optimizer holds no
slots) and trained.

Functional models and models inside models (`--only functional`), each as .keras and .h5
(Keras 3) with an .npz of inputs and Keras' predictions:

    functional_cnn           Input((8, 8, 1)) > Conv2D (relu) > BatchNormalization > Conv2D >
                             Add with the first Conv2D's output (the skip) > concatenate with it
                             > GlobalAveragePooling2D > Dense(3, softmax); trained 2 epochs with
                             sgd (moving statistics away from their initial values)
    functional_shared        an MLP whose Dense 'shared' is called twice, on branches of
                             different depths (so Keras' order of the layers is not the order
                             they are first met in), Subtract, concatenate, Add with a skip and
                             an Activation softmax; Adam, trained 2 epochs. Its .npz also holds
                             a batch (step_x, step_y) and Keras' weights after one more step on
                             it, by layer ('<layer>/<i>'), for the optimizer state in Keras' order
    functional_activations   Input((4, 3)) > Normalization adapted > Normalization(mean, variance
                             given, invert=True) > Permute((2, 1)) > Flatten > Dense(8), then
                             ReLU(max_value=6), LeakyReLU(0.2), PReLU, ELU(0.5) branches merged
                             by Maximum, Average, Multiply, Minimum and Concatenate(axis=-1) >
                             GaussianNoise > Identity > Dense(3) > Softmax; not compiled, the
                             trainable weights drawn from a normal distribution
    nested_sequential        Sequential([Sequential([Input((5,)), Dense(4, relu),
                             BatchNormalization]), Dense(3, softmax)]), trained 2 epochs (sgd)
    nested_functional        a functional model calling a Sequential and a functional model,
                             concatenated with a Dense branch of its own, Dense(2, softmax);
                             not compiled, weights drawn from a normal distribution
"""

import argparse
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the Keras-made fixtures under tests/fixtures/keras/.")
    parser.add_argument("--only", choices=["cnn", "functional"], help="write only this group of fixtures")
    args = parser.parse_args(argv)
    if args.only == "cnn":
        write_cnn_fixtures()
    elif args.only == "functional":
        write_functional_fixtures()
    else:
        write_fixtures()
        write_cnn_fixtures()
        write_functional_fixtures()
    total = sum(path.stat().st_size for path in OUT.iterdir())
    print(f"{len(list(OUT.iterdir()))} files, {total} bytes, in {OUT}")


def write_fixtures():
    """The dense models: every file of the list above but the cnn_* ones."""
    import keras
    from keras import layers

    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)

    # A small MLP with Dropout, trained briefly.
    x = rng.random((16, 4, 4), dtype=np.float32)
    y = rng.integers(0, 3, 16)
    model = keras.Sequential([
        keras.Input(shape=(4, 4)), layers.Flatten(), layers.Dense(5, activation="relu"),
        layers.Dropout(0.25), layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    _save(model, "mlp_dropout", x)

    # Every activation and layer kind neurona imports.
    x = rng.normal(size=(16, 6)).astype(np.float32)
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        layers.Dense(5, activation="sigmoid", kernel_initializer="he_normal"),
        layers.Dense(5, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01)),
        layers.Dense(5, activation="elu", use_bias=False),
        layers.Dense(5, activation="gelu"),
        layers.Dense(5, activation="leaky_relu"),
        layers.Activation("relu"),
        layers.LeakyReLU(negative_slope=0.1),
        layers.ELU(alpha=0.5),
        layers.ReLU(),
        layers.Dense(3),
        layers.Softmax(),
    ])
    # Compiled but not trained: no optimizer variables, a smaller file.
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.save(OUT / "activations.keras")
    np.savez(OUT / "activations.npz", x=x, predictions=model.predict(x, verbose=0))

    # Seed 003's flow, tiny: saved as .h5 by Keras 3, and by Keras 2 when tf-keras is there.
    images = rng.integers(0, 256, size=(64, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 64)
    try:
        import tf_keras
    except ImportError:
        sys.exit("mi_modelo.h5 is written by Keras 2, as in the tutorial: pip install tf-keras")
    tf_keras.utils.set_random_seed(0)
    model = _seed003(tf_keras, images, labels)
    model.save(OUT / "mi_modelo.h5")
    np.savez(OUT / "mi_modelo.npz", images=images[:4], predictions=model.predict(images[:4] / 255, verbose=0))

    # Optimizer state: 3 steps, save, then Keras' weights after a 4th step on a known batch.
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.integers(0, 2, 8)
    # The three layouts with the most to get wrong (the dev-only test checks all optimizers live).
    optimizers = {
        "adam": keras.optimizers.Adam(learning_rate=0.01, amsgrad=True),
        "rmsprop": keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
        "nadam": keras.optimizers.Nadam(learning_rate=0.01),
    }
    arrays = {"x": x, "y": y}
    for name, optimizer in optimizers.items():
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activation="softmax")])
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        for _ in range(3):
            model.train_on_batch(x, y)
        model.save(OUT / f"optimizer_{name}.keras")
        model.train_on_batch(x, y)
        for index, value in enumerate(model.get_weights()):
            arrays[f"{name}_after_{index}"] = value
    np.savez(OUT / "optimizers.npz", **arrays)


def write_cnn_fixtures():
    """The cnn_* files: every convolutional layer kind neurona imports, in Keras 3's configs."""
    import keras
    from keras import layers

    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)

    # Convolutions: same, valid with a non-square kernel, strided, dilated.
    x = rng.normal(size=(4, 9, 9, 2)).astype(np.float32)
    model = keras.Sequential([
        keras.Input(shape=(9, 9, 2)),
        layers.Conv2D(3, 3, padding="same", activation="relu"),
        layers.Conv2D(2, (2, 3), padding="valid", use_bias=False),
        layers.Conv2D(2, 3, strides=2, padding="same"),
        layers.Conv2D(2, 2, dilation_rate=2, activation="tanh"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
    _randomize(model, rng)
    _save(model, "cnn_conv", x)

    # BatchNormalization on images and on vectors, trained so that the moving statistics move.
    x = (rng.normal(size=(24, 6, 6, 2)) * 3 + 1).astype(np.float32)
    y = rng.normal(size=(24, 2)).astype(np.float32)
    model = keras.Sequential([
        keras.Input(shape=(6, 6, 2)),
        layers.Conv2D(3, 3),
        layers.BatchNormalization(momentum=0.5),
        layers.ReLU(),
        layers.GlobalAveragePooling2D(),
        layers.BatchNormalization(momentum=0.7, epsilon=0.01, center=False),
        layers.Dense(2),
    ])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    _save(model, "cnn_batchnorm", x[:4])

    # Every pooling layer, with partial windows and keepdims.
    x = rng.normal(size=(4, 8, 8, 2)).astype(np.float32)
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 2)),
        layers.Conv2D(4, 3, padding="same"),
        layers.MaxPooling2D(),
        layers.AveragePooling2D(3, strides=2, padding="same"),
        layers.MaxPooling2D(2, strides=1, padding="same"),
        layers.GlobalMaxPooling2D(keepdims=True),
        layers.Reshape((2, 2, 1)),
        layers.GlobalAveragePooling2D(),
        layers.Dense(2),
    ])
    _randomize(model, rng)
    _save(model, "cnn_pooling", x)

    # Raw pixels in, as flat rows: Rescaling, Reshape with -1, asymmetric ZeroPadding2D.
    x = rng.integers(0, 256, size=(4, 36)).astype(np.float32)
    model = keras.Sequential([
        keras.Input(shape=(36,)),
        layers.Rescaling(1 / 255, offset=-0.5),
        layers.Reshape((6, -1, 1)),
        layers.ZeroPadding2D(((1, 2), (0, 1))),
        layers.Conv2D(2, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
    _randomize(model, rng)
    _save(model, "cnn_reshaping", x)


def write_functional_fixtures():
    """The functional_* and nested_* files: graphs, shared layers, the activation and merge
    layers, Normalization, and models used as layers."""
    import keras
    from keras import layers

    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(2)

    # A residual CNN: the first convolution's output is added back and concatenated.
    x = rng.normal(size=(16, 8, 8, 1)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    inputs = keras.Input(shape=(8, 8, 1), name="image")
    skip = layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    h = layers.BatchNormalization(momentum=0.5)(skip)
    h = layers.Conv2D(4, 3, padding="same")(h)
    h = layers.Add()([h, skip])
    h = layers.concatenate([h, skip])
    h = layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inputs, layers.Dense(3, activation="softmax")(h), name="residual_cnn")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    _save(model, "functional_cnn", x[:4])

    # A shared layer called at two depths; Keras sorts the layers by depth, not by first use.
    x = rng.normal(size=(16, 6)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    inputs = keras.Input(shape=(6,), name="features")
    shared = layers.Dense(5, activation="tanh", name="shared")
    deep = shared(layers.Dense(5, name="side")(layers.Dense(5, activation="relu", name="front")(inputs)))
    shallow = shared(layers.Dense(5, name="direct")(inputs))
    h = layers.concatenate([deep, shallow, layers.Subtract()([deep, shallow])])
    h = layers.Add()([layers.Dense(3, name="head")(h), layers.Dense(3, name="skip")(inputs)])
    model = keras.Model(inputs, layers.Activation("softmax")(h), name="shared_mlp")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(OUT / "functional_shared.keras")
    model.save(OUT / "functional_shared.h5")
    arrays = {"x": x[:4], "predictions": model.predict(x[:4], verbose=0), "step_x": x[:8], "step_y": y[:8]}
    model.train_on_batch(x[:8], y[:8])
    for layer in model.layers:
        for index, value in enumerate(layer.get_weights()):
            arrays[f"{layer.name}/{index}"] = value
    np.savez(OUT / "functional_shared.npz", **arrays)

    # The activation, merge and preprocessing layers.
    x = (rng.normal(size=(8, 4, 3)) * 2 + 1).astype(np.float32)
    inputs = keras.Input(shape=(4, 3))
    normalization = layers.Normalization(axis=-1)
    normalization.adapt(x)
    h = normalization(inputs)
    h = layers.Normalization(mean=[0.1, 0.2, 0.3], variance=[1.0, 2.0, 3.0], invert=True)(h)
    h = layers.Flatten()(layers.Permute((2, 1))(h))
    h = layers.Dense(8)(h)
    relu, leaky = layers.ReLU(max_value=6.0)(h), layers.LeakyReLU(negative_slope=0.2)(h)
    prelu, elu = layers.PReLU()(h), layers.ELU(alpha=0.5)(h)
    h = layers.Concatenate(axis=-1)([
        layers.Multiply()([layers.Maximum()([relu, leaky]), layers.Average()([prelu, elu])]),
        layers.Minimum()([relu, elu]),
    ])
    h = layers.Identity()(layers.GaussianNoise(0.1, seed=3)(h))
    model = keras.Model(inputs, layers.Softmax()(layers.Dense(3)(h)), name="activations")
    for layer in model.layers:
        for weight in layer.trainable_weights:
            weight.assign(rng.normal(scale=0.5, size=weight.shape).astype(np.float32))
    _save(model, "functional_activations", x[:4])

    # Models as layers: a Sequential in a Sequential, and both kinds inside a functional model.
    x = rng.normal(size=(16, 5)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    inner = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4, activation="relu"),
                              layers.BatchNormalization(momentum=0.5)], name="inner")
    model = keras.Sequential([keras.Input(shape=(5,)), inner, layers.Dense(3, activation="softmax")], name="outer")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    _save(model, "nested_sequential", x[:4])

    stack = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4, activation="relu")], name="stack")
    branch_inputs = keras.Input(shape=(4,))
    branch = keras.Model(branch_inputs, layers.Dense(3)(branch_inputs), name="branch")
    inputs = keras.Input(shape=(5,))
    h = layers.concatenate([branch(stack(inputs)), layers.Dense(2)(inputs)])
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(h), name="nested")
    _randomize(model, rng)
    _save(model, "nested_functional", x[:4])


def _randomize(model, rng):
    """Normal weights (biases too, which start at zero), so that every weight shows in the
    predictions, without training: no optimizer variables to store."""
    model.set_weights([rng.normal(scale=0.5, size=value.shape).astype(np.float32) for value in model.get_weights()])


def _save(model, name, x):
    model.save(OUT / f"{name}.keras")
    model.save(OUT / f"{name}.h5")
    np.savez(OUT / f"{name}.npz", x=x, predictions=model.predict(x, verbose=0))


def _seed003(keras_module, images, labels):
    layers = keras_module.layers
    model = keras_module.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(4, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(images / 255, labels, epochs=2, batch_size=32, verbose=0)
    return model


if __name__ == "__main__":
    main()
