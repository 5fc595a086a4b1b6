"""What follows a layer's matrix product, shared by Dense and Conv2D: bias and activation
going forward, the activation's derivative and the bias gradient going back.

Both layers hand over their pre-activations as a 2-D (rows, units) array: a dense layer's
batch, or a convolution's output pixels (batch * height * width, filters). Activations with
a kernel code run inside `kernels.dense`; the others (ELU, GELU, ...) through their own NumPy
methods around it.
"""

import numpy as np

from neurona import activations, initializers, regularizers
from neurona.kernels import dense as dense_kernels
from neurona.kernels.activations import LINEAR, SOFTMAX


class KernelOptions:
    """The options of a layer with a kernel, a bias and an activation (Dense, Conv2D): how
    they are checked, written in configs and translated to and from Keras, in one place."""

    def set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                           kernel_regularizer, bias_regularizer, seed):
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.seed = seed

    def kernel_options_config(self):
        return {
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

    def kernel_options_to_keras(self, style, context):
        """The options' Keras config keys (see `neurona.saving.keras_adapters`)."""
        from neurona.saving import keras_adapters as adapt

        return {
            "activation": adapt.activation_to_keras(self, context),
            "use_bias": self.use_bias,
            "kernel_initializer": adapt.initializer_to_keras(self.kernel_initializer, style),
            "bias_initializer": adapt.initializer_to_keras(self.bias_initializer, style),
            "kernel_regularizer": adapt.regularizer_to_keras(self.kernel_regularizer, style),
            "bias_regularizer": adapt.regularizer_to_keras(self.bias_regularizer, style),
            "activity_regularizer": None,
            "kernel_constraint": None,
            "bias_constraint": None,
        }

    @staticmethod
    def kernel_options_from_keras(config, context):
        """neurona's options from a Keras config; constraints, activity regularizers and LoRA
        are refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.require_off(config, ("activity_regularizer", "kernel_constraint", "bias_constraint",
                                   "quantization_config", "lora_rank"), context)
        return {
            "activation": adapt.serialized_activation(config.get("activation"), context),
            "use_bias": bool(config.get("use_bias", True)),
            "kernel_initializer": adapt.initializer_from_keras(config.get("kernel_initializer"),
                                                               "glorot_uniform", context),
            "bias_initializer": adapt.initializer_from_keras(config.get("bias_initializer"), "zeros", context),
            "kernel_regularizer": adapt.regularizer_from_keras(config.get("kernel_regularizer"), context),
            "bias_regularizer": adapt.regularizer_from_keras(config.get("bias_regularizer"), context),
        }


class Epilogue:
    """The forward cache of one layer's epilogue (pre-activations, outputs), kept for backward."""

    def __init__(self, layer):
        self.layer = layer
        self.pre_activation = None
        self.outputs = None
        self.applied = True

    def forward(self, pre_activation, bias, apply_activation=True):
        """Add `bias` (None: none) and apply the activation in place over `pre_activation`;
        returns the outputs (`pre_activation` itself, or a buffer when the activation's
        derivative needs its input)."""
        layer = self.layer
        activation = layer.activation
        use_bias = bias is not None
        bias = bias if use_bias else pre_activation[0]
        code = activation.kernel_code if apply_activation else LINEAR
        if code is not None:
            dense_kernels.bias_activation(pre_activation, bias, use_bias, code, pre_activation)
            outputs = pre_activation
        else:
            if use_bias:
                dense_kernels.bias_activation(pre_activation, bias, True, LINEAR, pre_activation)
            if activation.uses_input:
                outputs = layer._buffer("outputs", pre_activation.shape, pre_activation.dtype)
                activation.forward(pre_activation, out=outputs)
            else:
                outputs = activation.forward(pre_activation, out=pre_activation)
        self.pre_activation, self.outputs, self.applied = pre_activation, outputs, apply_activation
        return outputs

    def backward(self, grad_output, bias_grad, through_activation=True):
        """dLoss/dpre_activation from dLoss/doutputs (both (rows, units)), and the bias
        gradient summed into `bias_grad` (None: no bias). `through_activation=False` takes
        `grad_output` as dLoss/dpre_activation already (the fused loss)."""
        layer = self.layer
        activation = layer.activation
        use_bias = bias_grad is not None
        code = activation.kernel_code if through_activation and self.applied else LINEAR
        if code == LINEAR:
            grad_pre = grad_output
        else:
            grad_pre = layer._buffer("grad_pre_activation", grad_output.shape, grad_output.dtype)
            if code is None or code == SOFTMAX:
                # No fused derivative: the activation's own backward; the kernel then only sums.
                activation.backward(grad_output, self.pre_activation, self.outputs, out=grad_pre)
                grad_output, code = grad_pre, LINEAR
        dense_kernels.activation_backward_bias(grad_output, self.outputs, code, grad_pre, use_bias,
                                               bias_grad if use_bias else grad_pre[0])
        return grad_pre
