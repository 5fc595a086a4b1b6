"""Identity: outputs = inputs (a placeholder, or a named point to read features from)."""

from neurona.layers.base import Layer


class Identity(Layer):
    def forward(self, x, training=False):
        return x

    def backward(self, grad_output, need_input_grad=True):
        return grad_output if need_input_grad else None

    def onnx_nodes(self, graph, current, prefix):
        return current

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return "Identity", adapt.base_to_keras(self, dtype)

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry("Identity", config, {})
