"""Seed 003: MNIST, Flatten(28x28)-256-10, RMSprop, 8 epochs of batch 128, then predict image 99.

The tutorial's code with `tensorflow.keras` swapped for `neurona.keras`.
"""

import numpy as np

from neurona import keras
from neurona.keras import layers
from neurona.keras.datasets import mnist


def main(epochs=8, verbose=2):
    keras.utils.set_random_seed(3)
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()

    train_images = train_images.astype("float32") / 255
    test_images = test_images.astype("float32") / 255

    modelo = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(256, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    modelo.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    modelo.fit(train_images, train_labels, epochs=epochs, batch_size=128,
               validation_data=(test_images, test_labels), verbose=verbose)

    test_loss, test_accuracy = modelo.evaluate(test_images, test_labels, verbose=0)

    digitos_a_testear = test_images[99]
    predicciones = modelo.predict(digitos_a_testear[np.newaxis])
    print(f"Image 99: label {test_labels[99]}, predicted {np.argmax(predicciones[0])} "
          f"(p = {predicciones[0].max():.4f})")
    print(f"Test accuracy: {test_accuracy:.4f}")
    return test_accuracy


if __name__ == "__main__":
    main()
