"""Identity: outputs = inputs (a placeholder, or a named point to read features from)."""

from neurona.layers.base import Layer


class Identity(Layer):
    def forward(self, x, training=False):
        return x

    def backward(self, grad_output, need_input_grad=True):
        return grad_output if need_input_grad else None

    def onnx_nodes(self, graph, current, prefix):
        return current
