"""Pooling over (batch, height, width, channels): MaxPooling2D, AveragePooling2D and their
global forms, with Keras' arguments and padding rules.

Max pooling keeps the position of each window's maximum for the backward pass (padding
counts as -inf, so it never wins). Average pooling with padding='same' divides by the real
pixels of each window only.
"""

import numpy as np

from neurona.kernels import pooling as pooling_kernels
from neurona.kernels import policy as execution
from neurona.layers import spatial
from neurona.layers.base import Layer


class _Pooling2D(Layer):
    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = spatial.int_tuple(pool_size, "pool_size", self)
        self.strides = self.pool_size if strides is None else spatial.int_tuple(strides, "strides", self)
        self.padding = spatial.padding_mode(padding, self)
        self.data_format = spatial.check_data_format(data_format, self)

    def _geometry(self, input_shape):
        height, width, _ = spatial.image_shape(input_shape, self)
        return spatial.Geometry(self, "pool_size", height, width, self.pool_size, self.strides, (1, 1),
                                self.padding)

    def build(self, input_shape):
        self.geometry = self._geometry(input_shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        geometry = self._geometry(input_shape)
        return (geometry.oh, geometry.ow, tuple(input_shape)[2])

    def _pool_args(self):
        g = self.geometry
        return g.kh, g.kw, g.sh, g.sw, g.top, g.left

    def _output(self, x):
        g = self.geometry
        return self._buffer("outputs", (x.shape[0], g.oh, g.ow, x.shape[3]), x.dtype)

    def _in_parts(self, function, samples, values):
        """function(first, last) over the parts of a batch of `samples` (`kernels.policy`
        splits one whose `values` reach the products' crossover, a part per core)."""
        parts = execution.batch_parts(values, samples)
        execution.run_parts(lambda part: function(samples * part // parts, samples * (part + 1) // parts), parts)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return type(self).__name__, {**adapt.base_to_keras(self, dtype), "pool_size": list(self.pool_size),
                                     "padding": self.padding, "strides": list(self.strides),
                                     "data_format": "channels_last"}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """Keras' MaxPooling2D or AveragePooling2D (strides None: the pool size)."""
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry(cls.__name__, config, {
            "pool_size": config.get("pool_size", (2, 2)), "strides": config.get("strides"),
            "padding": config.get("padding", "valid"), "data_format": adapt.data_format_from_keras(config, context)})


class MaxPooling2D(_Pooling2D):
    """The maximum of each (ph, pw) window. `MaxPooling2D(pool_size=(2, 2), strides=None,
    padding='valid')`; strides default to the pool size."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def forward(self, x, training=False):
        x = np.ascontiguousarray(x)  # the kernels read the images as one flat array
        out = self._output(x)
        argmax = self._buffer("argmax", out.shape, np.dtype(np.int32))
        args = self._pool_args()
        self._in_parts(lambda first, last: pooling_kernels.max_pool_forward(
            x[first:last], *args, out[first:last], argmax[first:last]), len(x), x.size)
        self._argmax, self._input_shape = argmax, x.shape
        return out

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        grad = np.ascontiguousarray(grad_output)
        grad_input = self._buffer("grad_inputs", self._input_shape, grad_output.dtype)
        args, argmax = self._pool_args(), self._argmax
        self._in_parts(lambda first, last: pooling_kernels.max_pool_backward(
            grad[first:last], argmax[first:last], *args, grad_input[first:last]), len(grad), grad_input.size)
        return grad_input

    def onnx_nodes(self, graph, current, prefix):
        return graph.node("MaxPool", [graph.to_nchw(current, prefix)], f"{prefix}/max_pool",
                          **graph.window_attributes(self, dilations=False))


class AveragePooling2D(_Pooling2D):
    """The mean of each (ph, pw) window over its real pixels. `pool_size` has no default, as
    in Keras."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def forward(self, x, training=False):
        out = self._output(x)
        args = self._pool_args()
        self._in_parts(lambda first, last: pooling_kernels.avg_pool_forward(x[first:last], *args, out[first:last]),
                       len(x), x.size)
        self._input_shape = x.shape
        return out

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        grad = np.ascontiguousarray(grad_output)
        grad_input = self._buffer("grad_inputs", self._input_shape, grad_output.dtype)
        args = self._pool_args()
        self._in_parts(lambda first, last: pooling_kernels.avg_pool_backward(
            grad[first:last], *args, grad_input[first:last]), len(grad), grad_input.size)
        return grad_input

    def onnx_nodes(self, graph, current, prefix):
        # count_include_pad=0: a window's mean over its real pixels, as forward computes it.
        return graph.node("AveragePool", [graph.to_nchw(current, prefix)], f"{prefix}/average_pool",
                          count_include_pad=0, **graph.window_attributes(self, dilations=False))


class _GlobalPooling2D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = spatial.check_data_format(data_format, self)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        spatial.image_shape(input_shape, self)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        channels = spatial.image_shape(input_shape, self)[2]
        return (1, 1, channels) if self.keepdims else (channels,)

    def _shaped(self, pooled):
        return pooled[:, np.newaxis, np.newaxis, :] if self.keepdims else pooled

    def onnx_nodes(self, graph, current, prefix):
        # Over height and width in whichever layout the image is (ReduceMean or ReduceMax, from the
        # subclass); (batch, channels) is the same in both.
        op = self._onnx_reduce
        current = graph.reduce(op, current, graph.image_axes(), f"{prefix}/{op.lower()}", self.keepdims)
        if not self.keepdims:
            graph.layout = "NHWC"
        return current

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}

    def to_keras(self, dtype, style, context):
        from neurona.saving import keras_adapters as adapt

        return type(self).__name__, {**adapt.base_to_keras(self, dtype), "data_format": "channels_last",
                                     "keepdims": self.keepdims}

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """Keras' GlobalAveragePooling2D or GlobalMaxPooling2D (Keras 2 before keepdims: False)."""
        from neurona.saving import keras_adapters as adapt

        return adapt.layer_entry(cls.__name__, config, {
            "data_format": adapt.data_format_from_keras(config, context),
            "keepdims": bool(config.get("keepdims", False))})


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean over height and width of each channel: (batch, h, w, c) → (batch, c)."""

    _onnx_reduce = "ReduceMean"

    def forward(self, x, training=False):
        self._input_shape = x.shape
        return self._shaped(x.mean(axis=(1, 2), dtype=x.dtype))

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        n, h, w, c = self._input_shape
        grad = grad_output.reshape(n, 1, 1, c) / np.asarray(h * w, dtype=grad_output.dtype)
        return np.ascontiguousarray(np.broadcast_to(grad, self._input_shape))


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum over height and width of each channel. Going back, the gradient is shared
    equally by the pixels that tie for the maximum, as TensorFlow's reduce_max does."""

    _onnx_reduce = "ReduceMax"

    def forward(self, x, training=False):
        pooled = x.max(axis=(1, 2))
        self._inputs, self._pooled = x, pooled
        return self._shaped(pooled)

    def backward(self, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None
        n, _, _, c = self._inputs.shape
        winners = self._inputs == self._pooled[:, np.newaxis, np.newaxis, :]
        counts = winners.sum(axis=(1, 2), keepdims=True)
        return winners * (grad_output.reshape(n, 1, 1, c) / counts).astype(grad_output.dtype)
