"""Callback, the list that dispatches to callbacks, and History."""


# Keras 2 logged accuracy as 'acc', Keras 3 as 'accuracy': each name finds the other.
ACCURACY_ALIASES = {"acc": "accuracy", "accuracy": "acc", "val_acc": "val_accuracy", "val_accuracy": "val_acc"}


class Callback:
    """Base class with Keras' hooks; override the ones you need.

    `self.model` is the model being trained and `self.params` holds 'epochs', 'steps' and
    'verbose'. `logs` is a dict of the current values ('loss', 'accuracy', 'val_loss', ...).
    Set `self.model.stop_training = True` to end training after the current batch.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    # As in Keras, the training-batch hooks call the Keras 2 spellings, so a callback written
    # with on_batch_begin / on_batch_end still runs.
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


class CallbackList:
    """Calls a hook on every callback in order."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must be Callback instances. Received: {callback!r} of type "
                    f"{type(callback).__name__}"
                )
            callback.set_model(model)
            callback.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)
        # Only callbacks that override a hook are called for it: the training loop calls the
        # batch hooks thousands of times per epoch.
        overriding = [callback for callback in self.callbacks if _overrides(callback, hook)]
        # As Keras' CallbackList does, always hand `logs` on (None when the caller gave none), so
        # hooks written as `def on_epoch_begin(self, epoch, logs)` or `lambda epoch, logs: ...` work.
        num_args = 2 if hook.startswith("on_epoch_") or "batch_" in hook else 1

        def dispatch(*args, **kwargs):
            if "logs" in kwargs and len(args) < num_args:
                args = args + (kwargs.pop("logs"),)
            args = args + (None,) * (num_args - len(args))
            for callback in overriding:
                getattr(callback, hook)(*args, **kwargs)

        dispatch.is_empty = not overriding
        setattr(self, hook, dispatch)
        return dispatch


def _overrides(callback, hook):
    """Whether `callback` does something in `hook` (an instance attribute, or a method that is
    not Callback's no-op, including through Keras 2's on_batch_* spellings)."""
    if hook in vars(callback):
        return True
    method = getattr(type(callback), hook, None)
    if method is not getattr(Callback, hook, None):
        return True
    legacy = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}.get(hook)
    return legacy is not None and _overrides(callback, legacy)


class HistoryDict(dict):
    """The dict of per-epoch values; 'acc' and 'accuracy' (and their 'val_' forms) read each other.

    Keras 2 recorded accuracy as 'acc'; tutorials written for it read `history['acc']`.
    """

    _ALIASES = ACCURACY_ALIASES

    def __missing__(self, key):
        alias = self._ALIASES.get(key)
        if alias is not None and dict.__contains__(self, alias):
            return dict.__getitem__(self, alias)
        raise KeyError(key)

    def __contains__(self, key):
        return dict.__contains__(self, key) or dict.__contains__(self, self._ALIASES.get(key, key))

    def get(self, key, default=None):
        return self[key] if key in self else default


class History(Callback):
    """Records the logs of every epoch: `history.history['loss']` is a list, one value per epoch."""

    def __init__(self):
        super().__init__()
        self.history = HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
