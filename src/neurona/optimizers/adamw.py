from neurona.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as Keras 3 writes it.

    Each step first decays every parameter (Keras' base optimizer `_apply_weight_decay`),
    then takes Adam's step from the same learning rate lr (a schedule's value at `iterations`):

    w -= w * weight_decay * lr
    w -= alpha * m / (sqrt(v) + epsilon)      (Adam, see `Adam`)

    Defaults are Keras 3's (weight_decay 0.004, epsilon 1e-7). `exclude_from_weight_decay`
    exempts given arrays. The decay is `neurona.kernels.optimizers.weight_decay`, the step
    `neurona.kernels.optimizers.adam`.
    """

    name = "AdamW"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW expects a number as weight_decay. Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)
