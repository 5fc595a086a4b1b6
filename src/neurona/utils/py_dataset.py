"""PyDataset (and Keras 2's Sequence): batches a model reads by index, as in Keras.

    class Batches(keras.utils.PyDataset):
        def __len__(self):             # batches per epoch
            return math.ceil(len(self.x) / self.batch_size)
        def __getitem__(self, index):  # one batch: (x, y) or (x, y, sample_weight)
            ...

`fit`, `evaluate` and `predict` convert one batch at a time, so the data need not fit in
memory as float32; `on_epoch_end` is called after each epoch of `fit`.
"""


class PyDataset:
    """Base class of indexed batch sources. Keras' `workers`, `use_multiprocessing` and
    `max_queue_size` are accepted and ignored: batches are read in the training thread."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches).")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__ (batch number index).")

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_end(self):
        """Called at the end of every epoch of `fit` (e.g. to reshuffle)."""


Sequence = PyDataset
