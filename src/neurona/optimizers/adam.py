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
    """

    name = "Adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)
        self.slot_names = ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def update_step(self, param, grad, slots, learning_rate, scratch):
        step = self.iterations + 1
        alpha = learning_rate * math.sqrt(1 - self.beta_2**step) / (1 - self.beta_1**step)
        momentum, velocity = slots["momentum"], slots["velocity"]
        _moving_average(momentum, grad, self.beta_1, scratch)
        _moving_average(velocity, np.square(grad, out=scratch), self.beta_2, scratch)
        if self.amsgrad:
            np.maximum(slots["velocity_hat"], velocity, out=slots["velocity_hat"])
            velocity = slots["velocity_hat"]
        denominator = np.sqrt(velocity, out=scratch)
        denominator += self.epsilon
        step_size = np.divide(momentum, denominator, out=scratch)
        step_size *= alpha
        param -= step_size

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


def _moving_average(average, value, decay, scratch):
    """average += (1 - decay) * (value - average), in place; `value` may be `scratch` itself."""
    difference = np.subtract(value, average, out=scratch)
    difference *= 1 - decay
    average += difference
