from neurona.kernels import optimizers as kernels
from neurona.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as Keras writes it (with a learning rate, 0.001 by default).

    Eg = rho * Eg + (1 - rho) * g^2
    dw = -sqrt(Edw + epsilon) / sqrt(Eg + epsilon) * g
    Edw = rho * Edw + (1 - rho) * dw^2
    w += lr * dw

    One pass of `neurona.kernels.optimizers.adadelta`.
    """

    name = "Adadelta"
    slot_names = ("accumulated_grad", "accumulated_delta")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def update_step(self, param, grad, slots, learning_rate, scratch):
        kernels.apply(kernels.adadelta, param, grad, slots["accumulated_grad"], slots["accumulated_delta"],
                      self.rho, 1 - self.rho, self.epsilon, float(learning_rate),
                      *self.flush_arguments(param), scratch)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
