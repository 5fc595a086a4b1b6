"""Cat / non-cat (seed 001): 209 train + 50 test, 64x64 RGB uint8, labels 0 non-cat, 1 cat.

Local files only: `<data dir>/catvnoncat/` (or the cache folder) with the course's
train_catvnoncat.h5 and test_catvnoncat.h5, or the tutorial's train_images.csv,
train_labels.csv, test_images.csv, test_labels.csv.
"""

from neurona.datasets.catalog import CATVNONCAT
from neurona.datasets.loading import load

CLASS_NAMES = CATVNONCAT.class_names


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (209, 64, 64, 3), (209,), (50, 64, 64, 3), (50,)."""
    return load(CATVNONCAT.name).load_data()
