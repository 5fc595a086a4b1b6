"""LambdaCallback: a callback made of plain functions."""

from neurona.callbacks.base import Callback

# Keras 2 spellings of the training-batch hooks.
_ALIASES = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}


class LambdaCallback(Callback):
    """Call the given functions at the matching hooks.

    `on_epoch_begin` / `on_epoch_end` receive `(epoch, logs)`, `on_train_begin` /
    `on_train_end` receive `(logs)` and `on_train_batch_begin` / `on_train_batch_end` receive
    `(batch, logs)`, all positionally (`logs` is None where `fit` has none to give, as in
    Keras). `on_batch_begin` / `on_batch_end` (Keras 2) are accepted for the train-batch hooks,
    and any other hook of `Callback` (`on_test_begin=...`, ...) can be given by keyword.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, function in kwargs.items():
            target = _ALIASES.get(name, name)
            if not (target.startswith("on_") and callable(getattr(Callback, target, None))):
                raise TypeError(f"LambdaCallback got an unexpected keyword argument {name!r}")
            if hooks.get(target) is not None and function is not None:
                raise TypeError(f"LambdaCallback got both {name!r} and {target!r}; pass only one.")
            if function is not None:
                hooks[target] = function
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"{name} must be callable. Received: {function!r}")
            setattr(self, name, function)
