"""Cat / non-cat with an L-layer network written from scratch (functional API, column-major).

Reproduces the tutorial "Construir una red neuronal en Python desde cero": layers
[12288, 20, 7, 5, 1] ([LINEAR->RELU]x3 -> LINEAR->SIGMOID), learning rate 0.0075, 2500
iterations of full-batch gradient descent in float64. Expected: cost 0.7717 at iteration 0,
about 0.0884 at iteration 2499, test accuracy 0.80.

Data: `neurona.datasets.catvnoncat` (the course's HDF5 files, or the tutorial's CSVs, under
the folder named by NEURONA_DATA_DIR). Needs h5py for HDF5 (`pip install 'neurona[data]'`).

    NEURONA_DATA_DIR=/path/to/data python examples/seed001_cat_noncat_scratch.py
"""

import time

import numpy as np

from neurona.datasets import catvnoncat
from neurona.scratch import forward, predict, train


def main():
    (train_images, train_labels), (test_images, test_labels) = catvnoncat.load_data()
    print(f"Training images: {train_images.shape}, labels: {train_labels.shape}")
    print(f"Test images: {test_images.shape}, labels: {test_labels.shape}")

    # One image per column, pixels scaled to [0, 1]: (12288, m). Labels as (1, m).
    X_train = train_images.reshape(train_images.shape[0], -1).T / 255
    X_test = test_images.reshape(test_images.shape[0], -1).T / 255
    Y_train = train_labels.reshape(1, -1)
    Y_test = test_labels.reshape(1, -1)

    layers_dims = [12288, 20, 7, 5, 1]
    start = time.perf_counter()
    parameters, costs = train(X_train, Y_train, layers_dims, learning_rate=0.0075,
                              num_iterations=2500, print_cost=True)
    seconds = time.perf_counter() - start

    train_accuracy = float(np.mean(predict(X_train, parameters) == Y_train))
    test_accuracy = float(np.mean(predict(X_test, parameters) == Y_test))
    print(f"Trained in {seconds:.1f} s")
    print(f"Train accuracy: {train_accuracy:.4f}")
    print(f"Test accuracy: {test_accuracy:.4f}")

    index = 10
    AL, _ = forward(X_test[:, index:index + 1], parameters)
    print(f"Test image {index}: label {test_labels[index]}, P(cat) = {AL[0, 0]:.3f}")


if __name__ == "__main__":
    main()
