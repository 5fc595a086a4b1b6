from neurona.kernels import optimizers as kernels
from neurona.optimizers.base import Optimizer


class Adamax(Optimizer):
    """Adamax, Adam's infinity-norm variant (Kingma & Ba, 2014, section 7.1), as Keras writes it.

    t = iterations + 1
    m = m + (1 - beta_1) * (g - m)
    u = max(beta_2 * u, |g|)
    w -= lr * m / ((1 - beta_1^t) * (u + epsilon))

    One pass of `neurona.kernels.optimizers.adamax`.
    """

    name = "Adamax"
    slot_names = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def update_step(self, param, grad, slots, learning_rate, scratch):
        step = self.iterations + 1
        kernels.apply(kernels.adamax, param, grad, slots["momentum"], slots["norm"], 1 - self.beta_1, self.beta_2,
                      float(learning_rate), 1 - self.beta_1**step, self.epsilon,
                      *self.flush_arguments(param), scratch)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
