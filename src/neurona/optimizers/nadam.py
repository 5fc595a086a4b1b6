from neurona.kernels import optimizers as kernels
from neurona.optimizers.base import Optimizer


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat, 2016), as Keras writes it.

    t = iterations + 1
    mu_t = beta_1 * (1 - 0.5 * 0.96^t),  mu_next = beta_1 * (1 - 0.5 * 0.96^(t+1))
    P_t = P_{t-1} * mu_t  (P_0 = 1),     P_next = P_t * mu_next
    m = m + (1 - beta_1) * (g - m);      v = v + (1 - beta_2) * (g^2 - v)
    m_hat = mu_next * m / (1 - P_next) + (1 - mu_t) * g / (1 - P_t)
    v_hat = v / (1 - beta_2^t)
    w -= lr * m_hat / (sqrt(v_hat) + epsilon)

    This class keeps P_t and computes the step's scalars (m_hat's two coefficients, 1 - beta_2^t);
    `neurona.kernels.optimizers.nadam` applies the step.
    """

    name = "Nadam"
    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.momentum_product = 1.0

    def _mu(self, step):
        return self.beta_1 * (1.0 - 0.5 * 0.96**step)

    def begin_step(self):
        self.momentum_product *= self._mu(self.iterations + 1)

    def update_step(self, param, grad, slots, learning_rate, scratch):
        step = self.iterations + 1
        mu_t, mu_next = self._mu(step), self._mu(step + 1)
        product_t = self.momentum_product
        product_next = product_t * mu_next
        kernels.apply(kernels.nadam, param, grad, slots["momentum"], slots["velocity"],
                      1 - self.beta_1, 1 - self.beta_2, mu_next / (1 - product_next), (1 - mu_t) / (1 - product_t),
                      1 - self.beta_2**step, float(learning_rate), self.epsilon,
                      *self.flush_arguments(param), scratch)

    def get_state(self):
        return {**super().get_state(), "momentum_product": self.momentum_product}

    def set_state(self, state):
        super().set_state(state)
        self.momentum_product = float(state.get("momentum_product", 1.0))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
