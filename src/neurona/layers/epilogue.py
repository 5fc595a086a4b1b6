"""What follows a layer's matrix product, shared by Dense and Conv2D: bias and activation
going forward, the activation's derivative and the bias gradient going back.

Both layers hand over their pre-activations as a 2-D (rows, units) array: a dense layer's
batch, or a convolution's output pixels (batch * height * width, filters). Activations with
a kernel code run inside `kernels.dense`; the others (ELU, GELU, ...) through their own NumPy
methods around it.
"""

from neurona.kernels import dense as dense_kernels
from neurona.kernels.activations import LINEAR, SOFTMAX


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
