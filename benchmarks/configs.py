"""The benchmark configurations: the tutorials' models, with the data each one trains on.

A-E are multilayer perceptrons (`units` after a flat input); G is the Keras "Simple MNIST
convnet" (architecture 'mnist-cnn'): 28x28x1 images, Conv2D 32 3x3 relu, MaxPooling 2, Conv2D
64 3x3 relu, MaxPooling 2, Flatten, Dropout 0.5, Dense 10 softmax.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    dataset: str            # 'mnist', 'fashion_mnist' or 'catvnoncat'
    units: tuple            # layer widths after the input, the last one the output
    optimizer: str          # 'adam', 'sgd', 'rmsprop'
    learning_rate: float
    batch_size: int         # 0: the whole training set (full-batch gradient descent)
    epochs: int
    train_samples: int
    validation_samples: int = 0
    dtype: str = "float32"
    loss: str = "sparse_categorical_crossentropy"
    frameworks: tuple = ("neurona", "torch", "keras")
    # 'default': each framework's own; 'fan_in_normal': normal(0, 1/fan_in), zero biases, as the
    # cat/non-cat tutorial initialises (the frameworks' defaults leave that deep, narrow net stuck);
    # 'glorot_uniform': Keras' default, Glorot-uniform kernels and zero biases, in PyTorch too.
    initializer: str = "default"
    architecture: str = "mlp"  # or 'mnist-cnn' (the convnet above; `units` is its output)

    @property
    def input_size(self):
        return 12288 if self.dataset == "catvnoncat" else 784

    @property
    def input_shape(self):
        """One sample's shape as the models take it: flat, or (28, 28, 1) for the convnet."""
        return (28, 28, 1) if self.architecture == "mnist-cnn" else (self.input_size,)

    def layer_multiply_adds(self):
        """Multiply-adds of each layer with weights, for one sample, first layer first."""
        if self.architecture == "mnist-cnn":
            # (output pixels, kernel size): conv 3x3x1x32 on 26x26, conv 3x3x32x64 on 11x11.
            return [26 * 26 * 3 * 3 * 1 * 32, 11 * 11 * 3 * 3 * 32 * 64, 5 * 5 * 64 * self.units[-1]]
        widths = (self.input_size,) + tuple(self.units)
        return [fan_in * fan_out for fan_in, fan_out in zip(widths[:-1], widths[1:])]

    def training_flops(self):
        """Multiply-adds x 2 for one fit: forward, weight gradients, and input gradients for
        every layer but the first (which needs none)."""
        per_sample = sum((4 if index == 0 else 6) * multiply_adds
                         for index, multiply_adds in enumerate(self.layer_multiply_adds()))
        return per_sample * self.train_samples * self.epochs


CONFIGS = {
    "A": Config("A", "784-128-10, Adam, batch 32, 10 epochs, 50,000 MNIST", "mnist", (128, 10), "adam",
                0.001, 32, 10, 50000),
    "A128": Config("A128", "the same at batch 128", "mnist", (128, 10), "adam", 0.001, 128, 10, 50000),
    "B": Config("B", "784-15-10, SGD 0.2, batch 1024, 50 epochs, 60,000 MNIST", "mnist", (15, 10), "sgd",
                0.2, 1024, 50, 60000, loss="categorical_crossentropy"),
    "C": Config("C", "784-256-10, RMSprop, batch 128, 8 epochs, 60,000 MNIST", "mnist", (256, 10), "rmsprop",
                0.001, 128, 8, 60000),
    "D": Config("D", "Fashion 784-256-128-10, RMSprop, batch 128, 8 epochs, 50,000 + 10,000 validation",
                "fashion_mnist", (256, 128, 10), "rmsprop", 0.001, 128, 8, 50000, validation_samples=10000,
                loss="categorical_crossentropy"),
    "E": Config("E", "cat/non-cat 12288-20-7-5-1, full-batch GD 0.0075, 2,500 iterations", "catvnoncat",
                (20, 7, 5, 1), "sgd", 0.0075, 0, 2500, 209, loss="binary_crossentropy", initializer="fan_in_normal"),
    "E64": Config("E64", "E in float64", "catvnoncat", (20, 7, 5, 1), "sgd", 0.0075, 0, 2500, 209,
                  dtype="float64", loss="binary_crossentropy", frameworks=("neurona", "torch"),
                  initializer="fan_in_normal"),
    "G": Config("G", "mnist-cnn, the Keras MNIST convnet (34,826 parameters), Adam, batch 128, 1 epoch, "
                "60,000 MNIST", "mnist", (10,), "adam", 0.001, 128, 1, 60000, loss="categorical_crossentropy",
                initializer="glorot_uniform", architecture="mnist-cnn"),
}
# What `make bench` runs; G100, G for its first 100 steps, is for the short run (`make bench-short`).
FULL_RUN = tuple(CONFIGS)
CONFIGS["G100"] = dataclasses.replace(CONFIGS["G"], name="G100", description="G on its first 12,800 images (100 steps)",
                                      train_samples=12800)


def load_arrays(config):
    """(x_train, y_train, x_val, y_val, x_test, y_test): float inputs in [0, 1], flattened
    (NHWC images for the convnet); integer labels (0/1 column for cat/non-cat)."""
    if config.dataset == "catvnoncat":
        from neurona.datasets import catvnoncat

        (x_train, y_train), (x_test, y_test) = catvnoncat.load_data()
        x_train = x_train.reshape(len(x_train), -1) / 255
        x_test = x_test.reshape(len(x_test), -1) / 255
        empty = np.zeros((0, x_train.shape[1]))
        return (x_train.astype(config.dtype), y_train.reshape(-1, 1).astype(config.dtype), empty,
                np.zeros((0, 1)), x_test.astype(config.dtype), y_test.reshape(-1, 1).astype(config.dtype))
    from neurona import datasets

    (x_train, y_train), (x_test, y_test) = getattr(datasets, config.dataset).load_data()
    x_train = (x_train.reshape((len(x_train),) + config.input_shape) / 255).astype("float32")
    x_test = (x_test.reshape((len(x_test),) + config.input_shape) / 255).astype("float32")
    if config.validation_samples:
        permutation = np.random.RandomState(42).permutation(len(x_train))
        x_train, y_train = x_train[permutation], y_train[permutation]
        x_val, y_val = x_train[:config.validation_samples], y_train[:config.validation_samples]
        x_train, y_train = x_train[config.validation_samples:], y_train[config.validation_samples:]
    else:
        x_val, y_val = x_train[:0], y_train[:0]
    n = config.train_samples
    return x_train[:n], y_train[:n].astype(np.int64), x_val, y_val.astype(np.int64), x_test, y_test.astype(np.int64)
