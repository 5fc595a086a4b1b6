"""Dense: outputs = activation(inputs @ kernel + bias)."""

import numpy as np

from neurona import backend
from neurona.layers.base import Layer
from neurona.layers.epilogue import Epilogue, KernelOptions


class Dense(KernelOptions, Layer):
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
        self.set_kernel_options(activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                bias_regularizer, seed)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense layer {self.name!r} expects inputs of shape (batch, features). Received inputs "
                f"of shape (batch, {', '.join(map(str, input_shape))}): add a Flatten() layer before it."
            )
        rng = backend.make_rng(self.seed)
        self.add_weight("kernel", (input_shape[0], self.units), self.kernel_initializer, rng,
                        regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, rng, regularizer=self.bias_regularizer)
        self._epilogue = Epilogue(self)
        super().build(input_shape)

    def reset_call_state(self):
        self._epilogue = Epilogue(self)

    def compute_output_shape(self, input_shape):
        return (self.units,)

    def multiply_adds(self, batch):
        return batch * self.params["kernel"].size if self.built else 0

    def forward(self, x, training=False, apply_activation=True):
        """`apply_activation=False` returns the pre-activations (the logits, for a fused loss)."""
        kernel = self.params["kernel"]
        pre_activation = self._buffer("pre_activation", (x.shape[0], self.units), kernel.dtype)
        np.matmul(x, kernel, out=pre_activation)
        self._inputs = x
        return self._epilogue.forward(pre_activation, self.params.get("bias"), apply_activation)

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        """`through_activation=False` takes `grad_output` as dLoss/dpre_activation (fused loss)."""
        kernel = self.params["kernel"]
        grad_pre = self._epilogue.backward(grad_output, self.grads.get("bias"), through_activation)
        np.matmul(self._inputs.T, grad_pre, out=self.grads["kernel"])
        self.add_regularizer_gradients()
        if not need_input_grad:
            return None
        grad_input = self._buffer("grad_inputs", self._inputs.shape, kernel.dtype)
        return np.matmul(grad_pre, kernel.T, out=grad_input)

    def onnx_nodes(self, graph, current, prefix):
        kernel = graph.constant(f"{prefix}/kernel", self.params["kernel"])
        current = graph.node("MatMul", [graph.to_nhwc(current, prefix), kernel], f"{prefix}/matmul")
        if self.use_bias:
            bias = graph.constant(f"{prefix}/bias", self.params["bias"])
            current = graph.node("Add", [current, bias], f"{prefix}/bias_add")
        return graph.activation(self.activation, current, prefix)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            **self.kernel_options_config(),
        }

    def to_keras(self, dtype, style, context):
        """Keras' ('Dense', config) (see `neurona.saving.keras_adapters`)."""
        from neurona.saving import keras_adapters as adapt

        return "Dense", {
            **adapt.base_to_keras(self, dtype),
            "units": self.units,
            **self.kernel_options_to_keras(style, context),
        }

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """neurona's layer entry for a Keras Dense config (constraints and LoRA refused)."""
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Dense", config, {
            "units": config.get("units"),
            **cls.kernel_options_from_keras(config, context),
        })
