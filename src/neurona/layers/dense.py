"""Dense: outputs = activation(inputs @ kernel + bias)."""

import numpy as np

from neurona import activations, backend, initializers, regularizers
from neurona.kernels import dense as dense_kernels
from neurona.kernels.activations import LINEAR, SOFTMAX
from neurona.layers.base import Layer


class Dense(Layer):
    """A fully connected layer.

    Args:
        units: number of outputs.
        activation: a name ('relu', 'softmax', ...) or an activation; None is linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: names or initializers ('glorot_uniform', 'zeros').
        kernel_regularizer, bias_regularizer: None, 'l1', 'l2' or a regularizer.
        seed: int or Generator for the kernel's initial values; None draws from NumPy's seed.

    Shapes: inputs (batch, in) → outputs (batch, units); kernel (in, units), bias (units,).
    """

    can_skip_activation = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(units, (int, np.integer)) and not isinstance(units, bool) and units > 0):
            raise ValueError(f"Dense expects a positive integer for units. Received: units={units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.seed = seed

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense layer {self.name!r} expects inputs of shape (batch, features). Received inputs "
                f"of shape (batch, {', '.join(map(str, input_shape))}): add a Flatten() layer before it."
            )
        rng = backend.make_rng(self.seed)
        self.add_weight("kernel", (input_shape[0], self.units), self.kernel_initializer, rng)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, rng)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (self.units,)

    def multiply_adds(self, batch):
        return batch * self.params["kernel"].size if self.built else 0

    def forward(self, x, training=False, apply_activation=True):
        """`apply_activation=False` returns the pre-activations (the logits, for a fused loss)."""
        kernel = self.params["kernel"]
        batch = x.shape[0]
        pre_activation = self._buffer("pre_activation", (batch, self.units), kernel.dtype)
        np.matmul(x, kernel, out=pre_activation)
        code = self.activation.kernel_code if apply_activation else LINEAR
        bias = self.params["bias"] if self.use_bias else kernel[0]
        if code is not None:
            dense_kernels.bias_activation(pre_activation, bias, self.use_bias, code, pre_activation)
            outputs = pre_activation
        else:
            if self.use_bias:
                dense_kernels.bias_activation(pre_activation, bias, True, LINEAR, pre_activation)
            if self.activation.uses_input:
                outputs = self._buffer("outputs", (batch, self.units), kernel.dtype)
                self.activation.forward(pre_activation, out=outputs)
            else:
                outputs = self.activation.forward(pre_activation, out=pre_activation)
        self._inputs, self._pre_activation, self._outputs = x, pre_activation, outputs
        self._activation_applied = apply_activation
        return outputs

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        """`through_activation=False` takes `grad_output` as dLoss/dpre_activation (fused loss)."""
        kernel = self.params["kernel"]
        bias_grad = self.grads["bias"] if self.use_bias else kernel[0]
        code = self.activation.kernel_code if through_activation and self._activation_applied else LINEAR
        if code == LINEAR:
            grad_pre = grad_output
        else:
            grad_pre = self._buffer("grad_pre_activation", grad_output.shape, kernel.dtype)
            if code is None or code == SOFTMAX:
                # No fused derivative: the activation's own backward; the kernel then only sums.
                self.activation.backward(grad_output, self._pre_activation, self._outputs, out=grad_pre)
                grad_output, code = grad_pre, LINEAR
        dense_kernels.activation_backward_bias(grad_output, self._outputs, code, grad_pre, self.use_bias, bias_grad)
        np.matmul(self._inputs.T, grad_pre, out=self.grads["kernel"])
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(kernel, self.grads["kernel"])
        if self.use_bias and self.bias_regularizer is not None:
            self.bias_regularizer.add_gradient(self.params["bias"], self.grads["bias"])
        if not need_input_grad:
            return None
        grad_input = self._buffer("grad_inputs", self._inputs.shape, kernel.dtype)
        return np.matmul(grad_pre, kernel.T, out=grad_input)

    @property
    def has_regularizer(self):
        return self.kernel_regularizer is not None or (self.use_bias and self.bias_regularizer is not None)

    def regularization_loss(self):
        total = 0.0
        if self.kernel_regularizer is not None:
            total += self.kernel_regularizer.penalty(self.params["kernel"])
        if self.bias_regularizer is not None and self.use_bias:
            total += self.bias_regularizer.penalty(self.params["bias"])
        return total

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "seed": int(self.seed) if isinstance(self.seed, (int, np.integer)) else None,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["activation"] = activations.deserialize(config["activation"])
        for key in ("kernel_initializer", "bias_initializer"):
            config[key] = initializers.deserialize(config[key])
        for key in ("kernel_regularizer", "bias_regularizer"):
            config[key] = regularizers.deserialize(config.get(key))
        return cls(**config)
