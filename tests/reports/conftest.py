import numpy as np
import pytest


@pytest.fixture
def digits():
    """40 tiny 8x8 uint8 'images' whose brightest row is their label (0-7), and the labels."""
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 8
    images = rng.integers(0, 60, size=(40, 8, 8)).astype(np.uint8)
    images[np.arange(40), labels, :] = 255
    return images, labels


@pytest.fixture
def overfitting_history():
    """Seed 004's shape: training loss keeps falling, validation loss is lowest at epoch 8 of 30."""
    epochs = np.arange(1, 31)
    return {
        "loss": list(0.6 * np.exp(-epochs / 6) + 0.1),
        "accuracy": list(0.8 + 0.17 * (1 - np.exp(-epochs / 8))),
        "val_loss": list(0.33 + 0.002 * (epochs - 8) ** 2),
        "val_accuracy": list(0.88 - 0.0005 * np.abs(epochs - 8)),
    }


def figure_pixels(figure):
    """(width, height) in pixels that `figure` saves at."""
    width, height = figure.get_size_inches() * figure.dpi
    return round(width), round(height)
