import numpy as np

from neurona.optimizers.adam import _moving_average
from neurona.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), as Keras writes it (epsilon inside the square root).

    v = rho * v + (1 - rho) * g^2
    d = v + epsilon                   (centered: mg = rho * mg + (1 - rho) * g; d = v - mg^2 + epsilon)
    step = lr * g / sqrt(d)
    w -= step                         (momentum > 0: b = momentum * b + step; w -= b)
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

    def update_step(self, param, grad, slots, learning_rate, scratch):
        velocity = slots["velocity"]
        _moving_average(velocity, np.square(grad, out=scratch), self.rho, scratch)
        if self.centered:
            average_gradient = slots["average_gradient"]
            _moving_average(average_gradient, grad, self.rho, scratch)
            denominator = np.square(average_gradient, out=scratch)
            np.subtract(velocity, denominator, out=denominator)
            denominator += self.epsilon
        else:
            denominator = np.add(velocity, self.epsilon, out=scratch)
        np.sqrt(denominator, out=denominator)
        increment = np.divide(grad, denominator, out=scratch)
        increment *= learning_rate
        if self.momentum > 0:
            momentum = slots["momentum"]
            momentum *= self.momentum
            momentum += increment
            param -= momentum
        else:
            param -= increment

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
