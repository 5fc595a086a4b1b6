from neurona.kernels import optimizers as kernels
from neurona.optimizers.base import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum. Keras' defaults.

    Without momentum:  w -= lr * g
    With momentum m:   v = m * v - lr * g;  w += v              (nesterov=False)
                       v = m * v - lr * g;  w += m * v - lr * g  (nesterov=True)

    One pass of `neurona.kernels.optimizers.sgd`.
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
        velocity = slots["velocity"] if self.momentum else kernels.unused(param.dtype)
        kernels.apply(kernels.sgd, param, grad, velocity, float(learning_rate), self.momentum, self.nesterov,
                      *self.flush_arguments(param), scratch)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
