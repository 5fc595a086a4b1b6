import math

from neurona.kernels import optimizers as kernels
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
    This class computes those scalars; `neurona.kernels.optimizers.adam` applies the step.
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
        root = math.sqrt(1 - self.beta_2)
        velocity_hat = slots["velocity_hat"] if self.amsgrad else kernels.unused(param.dtype)
        kernels.apply(kernels.adam, param, grad, slots["momentum"], slots["velocity"], velocity_hat,
                      self.beta_1, self.beta_2, float(alpha * (1 - self.beta_1) / root), self.epsilon / root,
                      self.amsgrad, *self.flush_arguments(param), scratch)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
