"""The dense layer's epilogue: what surrounds its matrix products, in one pass each way.

Forward, after `z = x @ kernel`:   out = activation(z + bias)
Backward, from g = dLoss/dout:     grad_pre = g * activation'(z);  bias_grad = sum of grad_pre's rows

The products stay with BLAS. Everything else a dense layer does in a step is here, so the
pre-activations are read and written once going forward and once going back (NumPy makes two
or three passes each way, plus a reduction). `code` names the activation (`kernels.activations`
codes); activations without a code run their own NumPy methods outside these kernels.
"""

import math

import numpy as np

from neurona.kernels import kernel
from neurona.kernels._compile import compiled
from neurona.kernels.activations import (DERIVATIVE_TIMES, FORWARD, LINEAR, RELU, SIGMOID, SOFTMAX, TANH,
                                        softmax_row)


def bias_activation_numpy(z, bias, use_bias, code, out):
    """out = activation(z + bias) for z of shape (batch, units); `out` may be `z`."""
    if use_bias:
        np.add(z, bias, out=out)
        z = out
    FORWARD[code](z, out=out)


@kernel(bias_activation_numpy)
@compiled()
def bias_activation(z, bias, use_bias, code, out):
    rows, cols = z.shape
    if code == SOFTMAX:
        for i in range(rows):
            for j in range(cols):
                out[i, j] = z[i, j] + bias[j] if use_bias else z[i, j]
            softmax_row(out, i)
        return
    for i in range(rows):
        for j in range(cols):
            value = z[i, j] + bias[j] if use_bias else z[i, j]
            if code == RELU:
                value = max(value, 0.0)
            elif code == SIGMOID:
                # exp(-|v|) never overflows: 1 / (1 + e) for v >= 0, e / (1 + e) below.
                e = math.exp(-abs(value))
                value = 1.0 / (1.0 + e) if value >= 0 else e / (1.0 + e)
            elif code == TANH:
                value = math.tanh(value)
            out[i, j] = value


def activation_backward_bias_numpy(grad, y, code, grad_pre, use_bias, bias_grad):
    """grad_pre = grad * activation'(z), read from the output y; bias_grad = grad_pre summed
    over the batch. With code LINEAR (the fused loss), grad_pre may be `grad` itself."""
    if code != LINEAR or grad_pre is not grad:
        DERIVATIVE_TIMES[code](grad, y, out=grad_pre)
    if use_bias:
        np.add.reduce(grad_pre, axis=0, out=bias_grad)


@kernel(activation_backward_bias_numpy)
@compiled()
def activation_backward_bias(grad, y, code, grad_pre, use_bias, bias_grad):
    rows, cols = grad.shape
    if use_bias:
        bias_grad[:] = 0.0
    for i in range(rows):
        for j in range(cols):
            value = grad[i, j]
            if code == RELU:
                value = value if y[i, j] > 0 else 0.0
            elif code == SIGMOID:
                value = value * (y[i, j] * (1.0 - y[i, j]))
            elif code == TANH:
                value = value * (1.0 - y[i, j] * y[i, j])
            grad_pre[i, j] = value
            if use_bias:
                bias_grad[j] += value
