"""Seed 000: an MLP on MNIST (784-128-10, Adam, 10 epochs, 50,000 training samples).

The tutorial reads MNIST from CSV with pandas and reports 97.76% test accuracy. Here the same
arrays come from `neurona.datasets.mnist`; the model code is the tutorial's, with only the
import line changed (`import neurona as tf`).
"""

import time

import numpy as np

import neurona as tf

TRAINING_SAMPLES = 50000
TESTING_SAMPLES = 10000


def load_dataset():
    """Flattened images scaled to [0, 1] and integer labels, as the tutorial's loadDataset gives."""
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    train_x = x_train[:TRAINING_SAMPLES].reshape(-1, 784) / 255
    test_x = x_test[:TESTING_SAMPLES].reshape(-1, 784) / 255
    return train_x, y_train[:TRAINING_SAMPLES], test_x, y_test[:TESTING_SAMPLES]


def main(epochs=10, seed=0):
    tf.utils.set_random_seed(seed)
    train_x, train_y, test_x, test_y = load_dataset()

    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(784,)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    start = time.perf_counter()
    model.fit(train_x, train_y, epochs=epochs)
    training_time = time.perf_counter() - start

    start = time.perf_counter()
    predictions = model.predict(test_x)
    testing_time = time.perf_counter() - start
    accuracy = float(np.mean(np.argmax(predictions, axis=1) == test_y))

    print("-------------------------------")
    print("Results")
    print("-------------------------------")
    print("Training samples: ", TRAINING_SAMPLES)
    print("Training time: ", round(training_time, 2), " s")
    print("Testing samples: ", TESTING_SAMPLES)
    print("Testing time: ", round(testing_time, 2), " s")
    print(f"Test accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
