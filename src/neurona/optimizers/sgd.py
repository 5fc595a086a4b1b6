import numpy as np

from neurona.optimizers.base import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum. Keras' defaults.

    Without momentum:  w -= lr * g
    With momentum m:   v = m * v - lr * g;  w += v              (nesterov=False)
                       v = m * v - lr * g;  w += m * v - lr * g  (nesterov=True)
    """

    name = "SGD"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD expects momentum in [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.slot_names = ("velocity",) if self.momentum else ()

    def update_step(self, param, grad, slots, learning_rate, scratch):
        step = np.multiply(grad, learning_rate, out=scratch)
        if not self.momentum:
            param -= step
            return
        velocity = slots["velocity"]
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            param -= step
            param += self.momentum * velocity
        else:
            param += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
