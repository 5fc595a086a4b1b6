"""Cat / non-cat with an L-layer network written from scratch (functional API, column-major).

Reproduces the tutorial "Construir una red neuronal en Python desde cero": layers
[12288, 20, 7, 5, 1] ([LINEAR->RELU]x3 -> LINEAR->SIGMOID), learning rate 0.0075, 2500
iterations of full-batch gradient descent in float64. Expected: cost 0.7717 at iteration 0,
about 0.0884 at iteration 2499, test accuracy 0.80.

Data: catvnoncat/train_catvnoncat.h5 and test_catvnoncat.h5 under the folder named by the
NEURONA_DATA_DIR environment variable. Needs h5py (`pip install neurona[data]`).

    NEURONA_DATA_DIR=/path/to/data python examples/seed001_cat_noncat_scratch.py
"""

import sys
import time

import numpy as np

from neurona.datasets.paths import find_file
from neurona.scratch import forward, predict, train


def load_catvnoncat():
    """(train_x, train_y, test_x, test_y): images (m, 64, 64, 3) uint8 and labels (m,)."""
    try:
        import h5py
    except ImportError:
        sys.exit("This example reads HDF5 files: install h5py (pip install 'neurona[data]').")
    try:
        train_path = find_file("catvnoncat", "train_catvnoncat.h5")
        test_path = find_file("catvnoncat", "test_catvnoncat.h5")
    except FileNotFoundError as error:
        sys.exit(str(error))
    with h5py.File(train_path, "r") as f:
        train_x, train_y = np.array(f["train_set_x"]), np.array(f["train_set_y"])
    with h5py.File(test_path, "r") as f:
        test_x, test_y = np.array(f["test_set_x"]), np.array(f["test_set_y"])
    return train_x, train_y, test_x, test_y


def main():
    train_images, train_labels, test_images, test_labels = load_catvnoncat()
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
