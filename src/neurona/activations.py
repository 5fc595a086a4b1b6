"""Activation functions and their derivatives, written to work in place on hot paths.

Each activation has `forward(x, out=None)` and `backward(grad, x, y, out=None)`, where `y` is
`forward(x)` and `grad` is dLoss/dy; `backward` returns dLoss/dx. Activations whose derivative
is a function of the output alone (`uses_input = False`) let a layer overwrite its
pre-activations with the activations, saving one buffer. Shapes: any, elementwise, except
softmax, which normalises over the last axis.
"""

import math

import numpy as np

from neurona.kernels import activations as maths


class Activation:
    name = None
    uses_input = False
    # The code by which fused kernels compute this activation in their loops (None: they
    # call `forward` and `backward` around the kernels instead).
    kernel_code = None

    def forward(self, x, out=None):
        raise NotImplementedError

    def backward(self, grad, x, y, out=None):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(np.asarray(x))

    def get_config(self):
        return {}

    def __repr__(self):
        return f"<activation {self.name}>"


class Linear(Activation):
    name = "linear"
    kernel_code = maths.LINEAR

    def forward(self, x, out=None):
        return maths.linear(x, out)

    def backward(self, grad, x, y, out=None):
        return maths.linear_derivative_times(grad, y, out)


class ReLU(Activation):
    """max(x, 0); its derivative is taken as 0 at x = 0."""

    name = "relu"
    kernel_code = maths.RELU

    def forward(self, x, out=None):
        return maths.relu(x, out)

    def backward(self, grad, x, y, out=None):
        return maths.relu_derivative_times(grad, y, out)


class Sigmoid(Activation):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""

    name = "sigmoid"
    kernel_code = maths.SIGMOID

    def forward(self, x, out=None):
        return maths.sigmoid(x, out)

    def backward(self, grad, x, y, out=None):
        return maths.sigmoid_derivative_times(grad, y, out)


class Tanh(Activation):
    name = "tanh"
    kernel_code = maths.TANH

    def forward(self, x, out=None):
        return maths.tanh(x, out)

    def backward(self, grad, x, y, out=None):
        return maths.tanh_derivative_times(grad, y, out)


class Softmax(Activation):
    """exp(x_i) / sum_j exp(x_j) over the last axis, shifted by the row maximum for stability."""

    name = "softmax"
    kernel_code = maths.SOFTMAX

    def forward(self, x, out=None):
        return maths.softmax(x, out)

    def backward(self, grad, x, y, out=None):
        # Jacobian-vector product: y * (grad - sum(grad * y)).
        dot = np.sum(grad * y, axis=-1, keepdims=True)
        out = np.subtract(grad, dot, out=out)
        out *= y
        return out


class LeakyReLU(Activation):
    """x for x > 0, alpha * x otherwise (alpha = 0.2, Keras' default for the function)."""

    name = "leaky_relu"

    def __init__(self, alpha=0.2):
        if not alpha > 0:
            raise ValueError(f"leaky_relu expects alpha > 0. Received: alpha={alpha}")
        self.alpha = float(alpha)

    def forward(self, x, out=None):
        # max(x, alpha x) is x for x > 0 only when alpha <= 1; min(x, alpha x) when alpha > 1.
        select = np.maximum if self.alpha <= 1 else np.minimum
        return select(x, self.alpha * x, out=out)

    def backward(self, grad, x, y, out=None):
        slope = np.where(y > 0, 1.0, self.alpha).astype(grad.dtype, copy=False)
        return np.multiply(grad, slope, out=out)

    def get_config(self):
        return {"alpha": self.alpha}


class ELU(Activation):
    """x for x > 0, alpha * (exp(x) - 1) otherwise (alpha = 1)."""

    name = "elu"

    def __init__(self, alpha=1.0):
        if not alpha > 0:
            raise ValueError(f"elu expects alpha > 0. Received: alpha={alpha}")
        self.alpha = float(alpha)

    def forward(self, x, out=None):
        positive = x > 0
        negative_part = self.alpha * np.expm1(np.minimum(x, 0))
        if out is None:
            return np.where(positive, x, negative_part)
        np.copyto(out, negative_part, where=~positive)
        if out is not x:
            np.copyto(out, x, where=positive)
        return out

    def backward(self, grad, x, y, out=None):
        # For x <= 0 the derivative alpha * exp(x) equals y + alpha.
        slope = np.where(y > 0, 1.0, y + self.alpha).astype(grad.dtype, copy=False)
        return np.multiply(grad, slope, out=out)

    def get_config(self):
        return {"alpha": self.alpha}


class GELU(Activation):
    """x * Phi(x), Phi the standard normal CDF (exact form; Keras' default approximate=False)."""

    name = "gelu"
    uses_input = True

    def forward(self, x, out=None):
        cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
        return np.multiply(x, cdf, out=out)

    def backward(self, grad, x, y, out=None):
        cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        return np.multiply(grad, cdf + x * pdf, out=out)


def _erf(x):
    """Error function, elementwise, in x's float dtype (the `kernels.activations.erf` kernel:
    libm's erf on the Numba path, a series and continued fraction within 2e-15 on NumPy's)."""
    x = np.asarray(x)
    flat = np.asarray(x, dtype=x.dtype if x.dtype.kind == "f" else np.float64, order="C").reshape(-1)
    return maths.erf(flat, np.empty_like(flat)).reshape(x.shape)


_REGISTRY = {
    cls.name: cls
    for cls in (Linear, ReLU, Sigmoid, Tanh, Softmax, LeakyReLU, ELU, GELU)
}

linear = Linear()
relu = ReLU()
sigmoid = Sigmoid()
tanh = Tanh()
softmax = Softmax()
leaky_relu = LeakyReLU()
elu = ELU()
gelu = GELU()


def get(identifier):
    """An activation from a name ('relu'), an instance, or None (linear)."""
    if identifier is None:
        return Linear()
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _REGISTRY:
            raise ValueError(
                f"Unknown activation: {identifier!r}. Expected one of {sorted(_REGISTRY)}."
            )
        return _REGISTRY[identifier]()
    raise TypeError(
        f"activation must be a name or an Activation. Received: {identifier!r} "
        f"of type {type(identifier).__name__}"
    )


def serialize(activation):
    return {"name": activation.name, "config": activation.get_config()}


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    cls = _REGISTRY.get(config["name"])
    if cls is None:
        raise ValueError(f"Unknown activation: {config['name']!r}. Expected one of {sorted(_REGISTRY)}.")
    return cls(**config.get("config", {}))
