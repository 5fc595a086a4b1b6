import math

import numpy as np

from neurona.optimizers.base import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), as Keras writes it (epsilon 1e-7 outside the square root).

    t = iterations + 1
    m = m + (1 - beta_1) * (g - m)
    v = v + (1 - beta_2) * (g^2 - v)
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    w -= alpha * m / (sqrt(v) + epsilon)      (amsgrad: v replaced by max of all v so far)

    The slots hold M = m / (1 - beta_1) and V = v / (1 - beta_2), which update as
    M = beta_1 * M + g and V = beta_2 * V + g^2: two whole-vector passes fewer per step. Then
    w -= alpha * (1 - beta_1) / sqrt(1 - beta_2) * M / (sqrt(V) + epsilon / sqrt(1 - beta_2)).
    """

    name = "Adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)
        self.slot_names = ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def stored_slot_scales(self):
        return {"momentum": 1 - self.beta_1, "velocity": 1 - self.beta_2, "velocity_hat": 1 - self.beta_2}

    def update_step(self, param, grad, slots, learning_rate, scratch):
        step = self.iterations + 1
        alpha = learning_rate * math.sqrt(1 - self.beta_2**step) / (1 - self.beta_1**step)
        momentum, velocity = slots["momentum"], slots["velocity"]
        accumulate(momentum, self.beta_1, grad)
        accumulate(velocity, self.beta_2, np.square(grad, out=scratch))
        if self.amsgrad:
            np.maximum(slots["velocity_hat"], velocity, out=slots["velocity_hat"])
            velocity = slots["velocity_hat"]
        root = math.sqrt(1 - self.beta_2)
        denominator = np.sqrt(velocity, out=scratch)
        denominator += self.epsilon / root
        step_size = np.divide(momentum, denominator, out=scratch)
        step_size *= alpha * (1 - self.beta_1) / root
        param -= step_size

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


def accumulate(total, decay, value):
    """total = decay * total + value, in place: (1 - decay) * total is then the exponential
    moving average of `value`."""
    total *= decay
    total += value
