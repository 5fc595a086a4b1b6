import os
import time

from benchmarks.runners.common import accuracy, median_seconds, percentiles_ms


def build(config, seed):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    keras.utils.set_random_seed(seed)
    keras.backend.set_floatx(config.dtype)
    hidden, output = config.units[:-1], config.units[-1]
    init = {}
    if config.initializer == "fan_in_normal":
        init = {"kernel_initializer": keras.initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal")}
    layers = [keras.Input(config.input_shape)]
    if config.architecture == "mnist-cnn":
        layers += [keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
                   keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
                   keras.layers.Flatten(), keras.layers.Dropout(0.5)]
    layers += [keras.layers.Dense(units, activation="relu", **init) for units in hidden]
    layers.append(keras.layers.Dense(output, activation="sigmoid" if output == 1 else "softmax", **init))
    model = keras.Sequential(layers)
    optimizer = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
                 "rmsprop": keras.optimizers.RMSprop}[config.optimizer](learning_rate=config.learning_rate)
    model.compile(optimizer=optimizer, loss=config.loss, metrics=["accuracy"])
    return model


def set_threads(threads):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def targets(config, labels):
    import keras

    return keras.utils.to_categorical(labels, 10) if config.loss == "categorical_crossentropy" else labels


def train(config, arrays, seed):
    x_train, y_train, x_val, y_val, x_test, y_test = arrays
    model = build(config, seed)
    validation = (x_val, targets(config, y_val)) if len(x_val) else None
    start = time.perf_counter()
    model.fit(x_train, targets(config, y_train), batch_size=config.batch_size or len(x_train),
              epochs=config.epochs, validation_data=validation, shuffle=bool(config.batch_size), verbose=0)
    seconds = time.perf_counter() - start
    binary = "probs" if config.units[-1] == 1 else None
    return {"seconds": seconds, "test_accuracy": accuracy(model.predict(x_test, verbose=0), y_test, binary),
            "model": model}


def predict_timings(model, x_test):
    return {
        "predict_10k_s": median_seconds(lambda: model.predict(x_test[:10000], verbose=0)),
        "predict_one_ms": percentiles_ms(lambda: model.predict(x_test[:1], verbose=0), 300),
    }
