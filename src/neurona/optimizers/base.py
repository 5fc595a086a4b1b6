"""The Optimizer base class: learning rate, iteration count, per-parameter slots, config."""

import operator
import warnings

import numpy as np

from neurona.kernels import optimizers as kernels
from neurona.kernels.optimizers import flush_threshold
from neurona.optimizers import schedules

# The NumPy references flush subnormal slot values to 0 on every FLUSH_EVERY-th step only: a
# flush costs ~3 passes per slot (the NumPy Adam step over 101,770 float32 values: 138 us,
# 198 us with its two slots flushed; inside fit on a 2-core AMD EPYC, 200 us a flush), so one
# step in 64 adds ~3 us a step on average (one in 16 made config A 5% slower than before the
# kernels); the compiled kernels flush on every store, at the cost of a compare and a select.
# See `neurona.kernels.optimizers`.
FLUSH_EVERY = 64


class Optimizer:
    """Applies gradients to parameters in place.

    Subclasses set `slot_names` and write `update_step(param, grad, slots, learning_rate,
    scratch)`, which computes the step's scalars and calls its kernel from
    `neurona.kernels.optimizers` to change `param` and the slot arrays in place; `scratch` is
    a reusable array shaped like the parameter. Slots are created lazily, one set per
    parameter, in the order parameters are first given, as zeros shaped like the parameter.
    `iterations` counts the steps already applied (Keras' convention: 0 before the first).

    `learning_rate` is a positive number, a `schedules.LearningRateSchedule` (or its
    serialized dict, as a JSON config names one), or a callable of the step; a schedule is
    evaluated at `iterations` before each step. `weight_decay` (None: off), as in Keras' base
    optimizer, shrinks every parameter by w * weight_decay * lr before the update.
    """

    name = None
    slot_names = ()

    def __init__(self, learning_rate=0.001, weight_decay=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn(
                "The `lr` argument is deprecated; use `learning_rate` instead.",
                DeprecationWarning,
                stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        kwargs.pop("name", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected arguments: {sorted(kwargs)}")
        if isinstance(learning_rate, dict):
            learning_rate = schedules.deserialize(learning_rate)
        if not callable(learning_rate):
            self._check_learning_rate(learning_rate)
        if weight_decay is not None and not (
            isinstance(weight_decay, (int, float, np.floating)) and not isinstance(weight_decay, bool)
            and weight_decay >= 0
        ):
            raise ValueError(
                f"{type(self).__name__} expects weight_decay to be None or a non-negative number. "
                f"Received: weight_decay={weight_decay!r}"
            )
        self._learning_rate = learning_rate if callable(learning_rate) else float(learning_rate)
        self.weight_decay = None if weight_decay is None else float(weight_decay)
        self._exclude_from_decay = []
        self.iterations = 0
        self._slots = []
        self._scratch = []
        self._params_seen = []

    def _check_learning_rate(self, learning_rate, lowest="positive"):
        if not (isinstance(learning_rate, (int, float, np.floating)) and not isinstance(learning_rate, bool)
                and (learning_rate > 0 or (lowest == "non-negative" and learning_rate == 0))):
            raise ValueError(
                f"{type(self).__name__} expects a {lowest} learning_rate, a LearningRateSchedule or its "
                f"serialized dict. Received: learning_rate={learning_rate!r}"
            )

    @property
    def learning_rate(self):
        """The learning rate of the next step: the number, or the schedule's value at
        `iterations` (as Keras' `optimizer.learning_rate` reads it)."""
        return self.current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value):
            self._learning_rate = value
            return
        if callable(self._learning_rate):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the learning "
                "rate to be settable, you should instantiate the optimizer with a float `learning_rate` argument."
            )
        # A callback may set 0 (a warmup's first epoch), as Keras allows; a new optimizer may not.
        self._check_learning_rate(value, lowest="non-negative")
        self._learning_rate = float(value)

    @property
    def learning_rate_schedule(self):
        """The schedule (or callable) given as `learning_rate`, or None for a number."""
        return self._learning_rate if callable(self._learning_rate) else None

    @property
    def lr(self):
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = value

    def current_learning_rate(self):
        """The learning rate for the next step (a schedule is called with `iterations`)."""
        if callable(self._learning_rate):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt parameters from the weight decay, as Keras' method of that name does.

        Args:
            var_list: arrays that are not decayed: parameters as the optimizer receives them,
                or views into them (a layer's `params[name]` once the model trains on its
                packed parameter vector).
            var_names: not available: neurona's optimizers receive arrays without names, so
                anything else than None raises; pass the arrays as `var_list`.
        """
        if var_names:
            raise NotImplementedError(
                f"{type(self).__name__}.exclude_from_weight_decay cannot match var_names={var_names!r}: "
                "the optimizer receives arrays without names. Pass the arrays themselves as var_list "
                "(for example [layer.params['bias'] for layer in model.layers if 'bias' in layer.params])."
            )
        self._exclude_from_decay = list(var_list or [])

    def apply_gradients(self, params_and_grads):
        """Update each parameter in place from its gradient; then count one iteration.

        Args:
            params_and_grads: sequence of (param, grad) array pairs, always in the same order.
        """
        pairs = params_and_grads if isinstance(params_and_grads, list) else list(params_and_grads)
        learning_rate = self.current_learning_rate()
        self._ensure_slots([param for param, _ in pairs])
        if self.weight_decay:
            for param, _ in pairs:
                self._apply_weight_decay(param, learning_rate)
        self.begin_step()
        for (param, grad), slots, scratch in zip(pairs, self._slots, self._scratch):
            self.update_step(param, grad, slots, learning_rate, scratch)
        self.iterations += 1

    def _apply_weight_decay(self, param, learning_rate):
        """Keras' decoupled weight decay, before the update: w -= w * weight_decay * lr, on
        every element of `param` not covered by an array of `exclude_from_weight_decay`."""
        scale = self.weight_decay * learning_rate
        for start, stop in _decayed_ranges(param, self._exclude_from_decay):
            part = param if (start, stop) == (0, param.size) else param.reshape(-1)[start:stop]
            kernels.apply(kernels.weight_decay, part, scale)

    def begin_step(self):
        """Hook for state shared by all parameters in a step (Nadam's momentum product)."""

    def update_step(self, param, grad, slots, learning_rate, scratch):
        raise NotImplementedError

    def flush_arguments(self, param):
        """(tiny, flush) for a kernel: slot values below `tiny` in magnitude are stored as 0,
        and the NumPy reference flushes them in this step when `flush` is True."""
        return flush_threshold(param.dtype), self.iterations % FLUSH_EVERY == FLUSH_EVERY - 1

    def _ensure_slots(self, params):
        if len(params) == len(self._params_seen) and all(map(operator.is_, params, self._params_seen)):
            return
        if not self._slots:
            self._slots = [
                {name: self.initial_slot(name, param) for name in self.slot_names} for param in params
            ]
        if not self._slots_fit(params):
            raise ValueError(
                f"{type(self).__name__} holds state for {len(self._slots)} parameters of other shapes "
                f"than the {len(params)} it now receives. Use one optimizer per model."
            )
        self._scratch = [np.empty_like(param) for param in params]
        self._params_seen = list(params)

    def _slots_fit(self, params):
        return len(self._slots) == len(params) and all(
            slot.shape == param.shape for slots, param in zip(self._slots, params) for slot in slots.values()
        )

    def initial_slot(self, name, param):
        return np.zeros_like(param)

    # State and config ----------------------------------------------------------------------

    def get_state(self):
        """Everything needed to resume exactly: iterations and the slot arrays as this optimizer
        keeps them (`stored_slot_scales` relates them to the published rule's), as NumPy values."""
        return {
            "iterations": self.iterations,
            "slots": [{name: value.copy() for name, value in slots.items()} for slots in self._slots],
        }

    def set_state(self, state):
        self.iterations = int(state["iterations"])
        self._slots = [{name: np.array(value) for name, value in slots.items()} for slots in state["slots"]]
        self._params_seen = []  # check the new slots against the parameters at the next step

    def stored_slot_scales(self):
        """{slot name: s} for slots kept as (the published rule's value) / s, which spares an
        update a multiplication per step; the slots not named are kept as published."""
        return {}

    def get_config(self):
        """The constructor's arguments; a schedule as its {'class_name', 'config'}, and
        weight_decay only when set."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            config = {"learning_rate": schedules.serialize(self._learning_rate)}
        elif callable(self._learning_rate):
            raise ValueError(
                f"{type(self).__name__}'s learning_rate {self._learning_rate!r} is a plain callable, which "
                "cannot be serialized; use a number or a LearningRateSchedule of neurona.optimizers.schedules."
            )
        else:
            config = {"learning_rate": self._learning_rate}
        if self.weight_decay is not None:
            config["weight_decay"] = self.weight_decay
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        shown = self._learning_rate if callable(self._learning_rate) else self.get_config()
        return f"<{type(self).__name__} {shown}>"


def _decayed_ranges(param, excluded):
    """[(start, stop)] element ranges of `param` (flattened) outside every array of
    `excluded` that shares its memory: [(0, param.size)] when none does."""
    if not excluded:
        return [(0, param.size)]
    base = param.__array_interface__["data"][0]
    holes = []
    for array in excluded:
        if not (isinstance(array, np.ndarray) and np.shares_memory(array, param)):
            continue
        if array is param or (array.size == param.size and array.__array_interface__["data"][0] == base):
            return []
        if not (param.flags.c_contiguous and array.flags.c_contiguous and array.dtype == param.dtype):
            raise ValueError("exclude_from_weight_decay takes parameters or contiguous views into them.")
        start = (array.__array_interface__["data"][0] - base) // param.itemsize
        holes.append((start, start + array.size))
    ranges, cursor = [], 0
    for start, stop in sorted(holes):
        if start > cursor:
            ranges.append((cursor, start))
        cursor = max(cursor, stop)
    if cursor < param.size:
        ranges.append((cursor, param.size))
    return ranges
