"""Seed 004: Fashion-MNIST, 784-256-128-10, RMSprop, 8 epochs of batch 128, 10,000 for validation.

The tutorial trains 30 epochs, sees validation loss rise after about 8 (overfitting), and
settles on 8 epochs: 88.1% test accuracy. Its code, with `keras` swapped for `neurona`, and
one line added to fix the weights' seed: eight epochs leave the result depending on it. Over
seeds 0-7 this script gives 86.5-88.1% (median 87.2%; Keras 3 and PyTorch spread as widely in
BENCHMARKS.md's config D); seed 3, used here, gives 87.7%.
"""

import numpy as np

from neurona import layers, models
from neurona.datasets import fashion_mnist
from neurona.utils import set_random_seed, to_categorical

SEED = 3


def main(epochs=8, verbose=2, seed=SEED):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()

    x_train = x_train.reshape((60000, 784))
    x_train = x_train.astype("float32") / 255
    y_train = to_categorical(y_train)

    x_test = x_test.reshape((10000, 784))
    x_test = x_test.astype("float32") / 255
    y_test = to_categorical(y_test)

    np.random.seed(42)
    permutation = np.random.permutation(x_train.shape[0])
    x_train = x_train[permutation]
    y_train = y_train[permutation]

    num_val = 10000
    x_val = x_train[:num_val]
    x_train = x_train[num_val:]
    y_val = y_train[:num_val]
    y_train = y_train[num_val:]

    set_random_seed(seed)
    model = models.Sequential()
    model.add(layers.Dense(256, activation="relu", input_shape=(784,)))
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))

    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    train_log = model.fit(x_train, y_train, epochs=epochs, batch_size=128,
                          validation_data=(x_val, y_val), verbose=verbose)

    val_loss = train_log.history["val_loss"]
    best_epoch = int(np.argmin(val_loss)) + 1
    print(f"Lowest validation loss {min(val_loss):.4f} at epoch {best_epoch}")

    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    predictions = model.predict(x_test)
    print(f"First test image: class {np.argmax(predictions[0])} "
          f"({fashion_mnist.CLASS_NAMES[np.argmax(predictions[0])]})")
    print(f"Test accuracy: {test_accuracy:.4f}")
    return test_accuracy


if __name__ == "__main__":
    main()
