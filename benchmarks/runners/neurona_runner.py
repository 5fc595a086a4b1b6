"""neurona: the model as the tutorials build it, on whichever kernel path NEURONA_KERNELS names
(the harness sets it: 'numba' for `neurona`, 'numpy' for `neurona-numpy`)."""

import time

from benchmarks.runners.common import accuracy, median_seconds, percentiles_ms


def build(config, seed):
    import neurona
    from neurona.initializers import VarianceScaling
    from neurona.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from neurona.models import Sequential
    from neurona.optimizers import SGD, Adam, RMSprop

    neurona.backend.set_floatx(config.dtype)
    neurona.utils.set_random_seed(seed)
    hidden, output = config.units[:-1], config.units[-1]
    init = {}
    if config.initializer == "fan_in_normal":
        init = {"kernel_initializer": VarianceScaling(1.0, "fan_in", "untruncated_normal")}
    if config.architecture == "mnist-cnn":
        layers = [Conv2D(32, 3, activation="relu"), MaxPooling2D(2), Conv2D(64, 3, activation="relu"),
                  MaxPooling2D(2), Flatten(), Dropout(0.5)]
    else:
        layers = [Dense(units, activation="relu", **init) for units in hidden]
    layers.append(Dense(output, activation="sigmoid" if output == 1 else "softmax", **init))
    model = Sequential(layers)
    model.build(config.input_shape)
    optimizer = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop}[config.optimizer](config.learning_rate)
    model.compile(optimizer=optimizer, loss=config.loss, metrics=["accuracy"])
    return model


def targets(config, labels):
    from neurona.utils import to_categorical

    return to_categorical(labels, 10) if config.loss == "categorical_crossentropy" else labels


def train(config, arrays, seed):
    x_train, y_train, x_val, y_val, x_test, y_test = arrays
    model = build(config, seed)
    validation = (x_val, targets(config, y_val)) if len(x_val) else None
    batch_size = config.batch_size or len(x_train)
    start = time.perf_counter()
    model.fit(x_train, targets(config, y_train), batch_size=batch_size, epochs=config.epochs,
              validation_data=validation, shuffle=bool(config.batch_size), verbose=0)
    seconds = time.perf_counter() - start
    binary = "probs" if config.units[-1] == 1 else None
    return {"seconds": seconds, "test_accuracy": accuracy(model.predict(x_test), y_test, binary), "model": model,
            "kernels": kernel_path()}


def kernel_path():
    """The kernel path neurona runs ('numba' or 'numpy'); 'numpy' for an engine without the
    kernels package (an older commit on PYTHONPATH)."""
    try:
        from neurona import kernels
    except ImportError:
        return "numpy"
    return kernels.resolve()


def first_step_timings(config, arrays, seed, steps=3):
    """Seconds from calling `fit` to the first training step starting, and of that first step.

    The clock starts just before `fit` is called; a callback reads it when batch 0 begins and
    ends, and stops training after `steps` steps. Everything `fit` does before its first step
    (importing Numba, loading or compiling kernels, preparing the data) falls in the first
    figure; whatever is deferred to the first step shows in the second."""
    from neurona.callbacks import Callback

    class FirstStep(Callback):
        def __init__(self):
            super().__init__()
            self.begin = self.end = None

        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0 and self.begin is None:
                self.begin = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if batch == 0 and self.end is None:
                self.end = time.perf_counter()
            if batch + 1 >= steps:
                self.model.stop_training = True

    x_train, y_train = arrays[0], targets(config, arrays[1])
    model = build(config, seed)
    probe = FirstStep()
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=config.batch_size or len(x_train), epochs=1, verbose=0,
              callbacks=[probe])
    if probe.begin is None or probe.end is None:
        raise RuntimeError(f"fit ran no training step on config {config.name}: batch 0 never began and ended.")
    return {"fit_to_first_step_s": probe.begin - start, "first_step_s": probe.end - probe.begin,
            "kernels": kernel_path()}


def predict_timings(model, x_test):
    return {
        "predict_10k_s": median_seconds(lambda: model.predict(x_test[:10000])),
        "predict_one_ms": percentiles_ms(lambda: model.predict(x_test[:1]), 2000),
    }


def fit_memory_mb(config, arrays, seed):
    """Peak bytes NumPy allocated during `fit` (traced), above the caller's arrays, in MB."""
    import tracemalloc

    x_train, y_train = arrays[0], targets(config, arrays[1])
    model = build(config, seed)
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    model.fit(x_train, y_train, batch_size=config.batch_size or len(x_train), epochs=1, verbose=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - before) / 1e6
