"""One contiguous vector for all trainable parameters, and one for their gradients.

Only trainable weights are packed: non-trainable ones (moving statistics) and frozen layers'
weights stay where they are and the optimizer never sees them. Layers keep their `params` and `grads` dicts, but each entry becomes a view into a shared
flat array. The optimizer then updates every parameter with a handful of whole-vector NumPy
operations instead of a handful per array, which matters at small batch sizes where a step
is dominated by per-call overhead.
"""

import numpy as np


class ParameterPack:
    """Flat `params` and `grads` vectors viewed by the trainable layers of a model."""

    def __init__(self, layers):
        self.entries = [(layer, name) for layer in layers for name in layer.trainable_names]
        self.key = self.key_for(layers)  # recomputed below once the arrays are views of the pack
        dtypes = {layer.params[name].dtype for layer, name in self.entries}
        self.dtype = dtypes.pop() if len(dtypes) == 1 else None
        if self.dtype is None or not self.entries:
            self.params = self.grads = None
            return
        total = sum(layer.params[name].size for layer, name in self.entries)
        self.params = np.empty(total, dtype=self.dtype)
        self.grads = np.zeros(total, dtype=self.dtype)
        offset = 0
        for layer, name in self.entries:
            value = layer.params[name]
            size, shape = value.size, value.shape
            self.params[offset:offset + size] = value.reshape(-1)
            layer.params[name] = self.params[offset:offset + size].reshape(shape)
            layer.grads[name] = self.grads[offset:offset + size].reshape(shape)
            offset += size
        # The key names the views, so that the next call finds this pack still current.
        self.key = self.key_for(layers)

    @staticmethod
    def key_for(layers):
        """Identifies which arrays a pack covers: it is rebuilt when this changes."""
        return tuple(
            (id(layer), name, id(layer.params[name]))
            for layer in layers for name in layer.trainable_names
        )

    def pairs(self):
        """(param, grad) pairs for the optimizer: the two vectors, or per-array pairs when
        the parameters do not share one dtype."""
        if self.params is not None:
            return [(self.params, self.grads)]
        return [(layer.params[name], layer.grads[name]) for layer, name in self.entries]
