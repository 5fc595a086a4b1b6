"""Learning-rate schedules: the learning rate as a function of the optimizer's step count.

An optimizer given a `LearningRateSchedule` as its `learning_rate` calls it with its
`iterations` (0 before the first step) at every step, as Keras does. The Keras classes here
(`ExponentialDecay`, `PiecewiseConstantDecay`, `PolynomialDecay`, `InverseTimeDecay`,
`CosineDecay`, `CosineDecayRestarts`) follow `keras.optimizers.schedules` in names, arguments,
defaults, configs and values (computed here in float64, where Keras computes in float32).
`OneCycle` is neurona's own and has no Keras counterpart.

Example:

    schedule = CosineDecay(0.0, decay_steps=1000, warmup_target=0.01, warmup_steps=100)
    optimizer = neurona.optimizers.Adam(learning_rate=schedule)
"""

import math


class LearningRateSchedule:
    """A learning rate that depends on the step: subclasses write `__call__(step)` and
    `get_config()` (their constructor's arguments)."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()`.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"


def _positive(name, value):
    if not value > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ** (step / decay_steps); with `staircase` the
    exponent is floored, so the rate changes every `decay_steps` steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name
        _positive("decay_steps", decay_steps)

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i] for boundaries[i-1] < step <= boundaries[i],
    values[-1] after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and values={values} "
                f"of length {len(values)}."
            )
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end, with step capped at
    decay_steps; with `cycle`, decay_steps grows to the first multiple of itself above step."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name
        _positive("decay_steps", decay_steps)

    def __call__(self, step):
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps = decay_steps * (1.0 if step == 0 else math.ceil(step / self.decay_steps))
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps); `staircase` floors
    step / decay_steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


def _cosine(fraction, alpha):
    """(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha: 1 at fraction 0, alpha at 1."""
    return (1 - alpha) * 0.5 * (1.0 + math.cos(math.pi * fraction)) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, SGDR), with an optional linear warmup (Keras 3).

    Without warmup_target: initial_learning_rate * cosine(min(step, decay_steps) / decay_steps),
    where cosine(f) = (1 - alpha) * (1 + cos(pi * f)) / 2 + alpha.
    With warmup_target: step is capped at warmup_steps + decay_steps; for step < warmup_steps
    the rate goes linearly from initial_learning_rate to warmup_target, then
    warmup_target * cosine((step - warmup_steps) / decay_steps).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.alpha, self.name = alpha, name
        self.warmup_steps, self.warmup_target = warmup_steps, warmup_target
        _positive("decay_steps", decay_steps)

    def __call__(self, step):
        if self.warmup_target is None:
            return self.initial_learning_rate * _cosine(min(step, self.decay_steps) / self.decay_steps, self.alpha)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate
        return self.warmup_target * _cosine((step - self.warmup_steps) / self.decay_steps, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of first_decay_steps * t_mul**i steps,
    the i-th starting from initial_learning_rate * m_mul**i and ending at alpha times that."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        _positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self._t_mul, self._m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        fraction = step / self.first_decay_steps
        if self._t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - self._t_mul)) / math.log(self._t_mul))
            done = (1.0 - self._t_mul**restart) / (1.0 - self._t_mul)
            fraction = (fraction - done) / self._t_mul**restart
        decayed = 0.5 * self._m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * decayed + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


class OneCycle(LearningRateSchedule):
    """The one-cycle policy (Smith & Topin, 2017), learning rate only; not a Keras class.

    Over the first pct_start * total_steps steps the rate rises from max_lr / div_factor to
    max_lr, then anneals over the remaining steps to max_lr / (div_factor * final_div_factor);
    it stays there after total_steps. Both phases follow a half cosine (anneal_strategy='cos',
    as PyTorch's OneCycleLR with its three_phase=False) or a straight line ('linear'). Phase
    boundaries are PyTorch's: the peak is at step pct_start * total_steps - 1 and the last
    value at step total_steps - 1.

    Args:
        max_lr: the peak learning rate.
        total_steps: the length of the cycle in optimizer steps (epochs * steps per epoch).
        pct_start: the share of the cycle spent rising, in (0, 1).
        div_factor: initial rate = max_lr / div_factor.
        final_div_factor: final rate = initial rate / final_div_factor.
        anneal_strategy: 'cos' or 'linear'.
    """

    def __init__(self, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                 anneal_strategy="cos", name="OneCycle"):
        if not (isinstance(total_steps, int) and not isinstance(total_steps, bool) and total_steps > 1):
            raise ValueError(f"OneCycle expects an integer total_steps > 1. Received: total_steps={total_steps!r}")
        if not 0 < pct_start < 1:
            raise ValueError(f"OneCycle expects pct_start in (0, 1). Received: pct_start={pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycle expects anneal_strategy 'cos' or 'linear'. Received: anneal_strategy={anneal_strategy!r}")
        for key, value in (("max_lr", max_lr), ("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            if not value > 0:
                raise ValueError(f"OneCycle expects a positive {key}. Received: {key}={value!r}")
        self.max_lr, self.total_steps, self.pct_start = max_lr, total_steps, pct_start
        self.div_factor, self.final_div_factor, self.anneal_strategy, self.name = (
            div_factor, final_div_factor, anneal_strategy, name)

    def __call__(self, step):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        peak_step = float(self.pct_start * self.total_steps) - 1
        last_step = self.total_steps - 1
        step = min(max(step, 0), last_step)
        if step <= peak_step:
            start, end, fraction = initial, self.max_lr, step / peak_step if peak_step > 0 else 1.0
        else:
            start, end, fraction = self.max_lr, final, (step - peak_step) / (last_step - peak_step)
        if self.anneal_strategy == "linear":
            return start + (end - start) * fraction
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)

    def get_config(self):
        return {"max_lr": self.max_lr, "total_steps": self.total_steps, "pct_start": self.pct_start,
                "div_factor": self.div_factor, "final_div_factor": self.final_div_factor,
                "anneal_strategy": self.anneal_strategy, "name": self.name}


_REGISTRY = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                                           InverseTimeDecay, CosineDecay, CosineDecayRestarts, OneCycle)}
# The classes a Keras file may name (`keras.optimizers.schedules`): every one but OneCycle.
KERAS_CLASSES = frozenset(_REGISTRY) - {"OneCycle"}


def serialize(schedule):
    """{'class_name', 'config'} of a schedule: the form `deserialize` and optimizer configs take."""
    if not isinstance(schedule, LearningRateSchedule) or type(schedule).__name__ not in _REGISTRY:
        raise ValueError(f"Only neurona's learning-rate schedules can be serialized. Received: {schedule!r}")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """A schedule from {'class_name', 'config'} (Keras' 'module' and 'registered_name' keys are
    accepted and ignored); classes resolve through neurona's own registry only."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(
            f"A learning-rate schedule must be a dict with a class_name and a config. Received: {config!r}")
    cls = _REGISTRY.get(config["class_name"].split(">")[-1])
    if cls is None:
        raise ValueError(
            f"Unknown learning-rate schedule: {config['class_name']!r}. Expected one of {sorted(_REGISTRY)}.")
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The config of {cls.__name__} must be a dict. Received: {inner!r}")
    return cls.from_config(dict(inner))


def get(identifier):
    """A schedule from a schedule instance or its serialized dict."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret learning-rate schedule identifier: {identifier!r}")


__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "OneCycle", "serialize", "deserialize", "get",
           "KERAS_CLASSES"]
