import numpy as np

from neurona.kernels import optimizers as kernels
from neurona.optimizers.base import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as Keras writes it.

    a = a + g^2                       (a starts at initial_accumulator_value, 0.1)
    w -= lr * g / sqrt(a + epsilon)

    One pass of `neurona.kernels.optimizers.adagrad`.
    """

    name = "Adagrad"
    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def initial_slot(self, name, param):
        return np.full_like(param, self.initial_accumulator_value)

    def update_step(self, param, grad, slots, learning_rate, scratch):
        kernels.apply(kernels.adagrad, param, grad, slots["accumulator"], float(learning_rate), self.epsilon,
                      *self.flush_arguments(param), scratch)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
