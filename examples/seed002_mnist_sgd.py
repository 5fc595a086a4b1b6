"""Seed 002: MNIST with a 784-15-10 MLP, SGD(lr=0.2), 50 epochs of batch 1024 (tutorial: 94.4%).

The tutorial's code with its `keras` imports swapped for `neurona`'s.
"""

import numpy as np

from neurona.datasets import mnist
from neurona.layers import Dense
from neurona.models import Sequential
from neurona.optimizers import SGD
from neurona.utils import np_utils


def main(num_epochs=50, verbose=2):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()

    X_train = np.reshape(x_train, (x_train.shape[0], x_train.shape[1] * x_train.shape[2]))
    X_test = np.reshape(x_test, (x_test.shape[0], x_test.shape[1] * x_test.shape[2]))
    X_train = X_train / 255.0
    X_test = X_test / 255.0

    nclasses = 10
    Y_train = np_utils.to_categorical(y_train, nclasses)
    Y_test = np_utils.to_categorical(y_test, nclasses)

    np.random.seed(1)
    input_dim = X_train.shape[1]
    output_dim = Y_train.shape[1]

    modelo = Sequential()
    modelo.add(Dense(15, input_dim=input_dim, activation="relu"))
    modelo.add(Dense(output_dim, activation="softmax"))
    modelo.summary()

    sgd = SGD(learning_rate=0.2)  # the tutorial writes SGD(lr=0.2), which works with a deprecation warning
    modelo.compile(loss="categorical_crossentropy", optimizer=sgd, metrics=["accuracy"])

    batch_size = 1024
    historia = modelo.fit(X_train, Y_train, epochs=num_epochs, batch_size=batch_size, verbose=verbose)
    print(f"Final training accuracy: {historia.history['acc'][-1]:.4f}")

    puntaje = modelo.evaluate(X_test, Y_test, verbose=0)
    print("Precisión en el set de validación: {:.1f}%".format(100 * puntaje[1]))
    print(f"Test accuracy: {puntaje[1]:.4f}")
    return puntaje[1]


if __name__ == "__main__":
    main()
