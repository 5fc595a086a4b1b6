"""The Optimizer base class: learning rate, iteration count, per-parameter slots, config."""

import operator
import warnings

import numpy as np

from neurona.kernels.optimizers import flush_threshold

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
    """

    name = None
    slot_names = ()

    def __init__(self, learning_rate=0.001, **kwargs):
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
        if not callable(learning_rate) and not (
            isinstance(learning_rate, (int, float, np.floating)) and learning_rate > 0
        ):
            raise ValueError(
                f"{type(self).__name__} expects a positive learning_rate. "
                f"Received: learning_rate={learning_rate!r}"
            )
        self.learning_rate = learning_rate if callable(learning_rate) else float(learning_rate)
        self.iterations = 0
        self._slots = []
        self._scratch = []
        self._params_seen = []

    @property
    def lr(self):
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = float(value)

    def current_learning_rate(self):
        """The learning rate for the next step (a schedule is called with `iterations`)."""
        if callable(self.learning_rate):
            return float(self.learning_rate(self.iterations))
        return self.learning_rate

    def apply_gradients(self, params_and_grads):
        """Update each parameter in place from its gradient; then count one iteration.

        Args:
            params_and_grads: sequence of (param, grad) array pairs, always in the same order.
        """
        pairs = params_and_grads if isinstance(params_and_grads, list) else list(params_and_grads)
        learning_rate = self.current_learning_rate()
        self._ensure_slots([param for param, _ in pairs])
        self.begin_step()
        for (param, grad), slots, scratch in zip(pairs, self._slots, self._scratch):
            self.update_step(param, grad, slots, learning_rate, scratch)
        self.iterations += 1

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
        if callable(self.learning_rate):
            raise ValueError("A learning-rate schedule cannot be serialized; use a float learning_rate.")
        return {"learning_rate": self.learning_rate}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config() if not callable(self.learning_rate) else ''}>"
