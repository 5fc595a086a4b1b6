"""Small synthetic datasets, learnable in a second, saved as .npz (`neurona.datasets.load(path)` reads them)."""

import numpy as np


def make_striped(num_classes=4, n_train=160, n_test=40, side=8, seed=0):
    """uint8 (n, side, side) images whose bright row band says the label: easy to learn."""
    rng = np.random.default_rng(seed)
    band = side // num_classes

    def split(n):
        labels = rng.integers(0, num_classes, size=n).astype(np.uint8)
        images = rng.integers(0, 70, size=(n, side, side)).astype(np.uint8)
        for index, label in enumerate(labels):
            images[index, label * band:(label + 1) * band, :] = rng.integers(180, 256, size=(band, side))
        return images, labels

    x_train, y_train = split(n_train)
    x_test, y_test = split(n_test)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def save_npz(path, parts, class_names):
    np.savez(path, **parts, class_names=np.array(class_names, dtype=str))
    return path
