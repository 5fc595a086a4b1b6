import math

from neurona.kernels import optimizers as kernels
from neurona.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), as Keras writes it (epsilon inside the square root).

    v = rho * v + (1 - rho) * g^2
    d = v + epsilon                   (centered: mg = rho * mg + (1 - rho) * g; d = v - mg^2 + epsilon)
    step = lr * g / sqrt(d)
    w -= step                         (momentum > 0: b = momentum * b + step; w -= b)

    The slots hold V = v / (1 - rho) and MG = mg / (1 - rho), which update as V = rho * V + g^2
    and MG = rho * MG + g: one whole-vector pass fewer each. Then
    d = (1 - rho) * (V - (1 - rho) * MG^2 + epsilon / (1 - rho)).
    This class computes those scalars; `neurona.kernels.optimizers.rmsprop` applies the step.
    """

    name = "RMSprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)
        names = ["velocity"]
        if self.momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        self.slot_names = tuple(names)

    def stored_slot_scales(self):
        return {"velocity": 1 - self.rho, "average_gradient": 1 - self.rho}

    def update_step(self, param, grad, slots, learning_rate, scratch):
        kept = 1 - self.rho
        absent = kernels.unused(param.dtype)
        kernels.apply(kernels.rmsprop, param, grad, slots["velocity"], slots.get("average_gradient", absent),
                      slots.get("momentum", absent), self.rho, kept, self.epsilon / kept,
                      float(learning_rate / math.sqrt(kept)), self.momentum, self.centered,
                      *self.flush_arguments(param), scratch)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
