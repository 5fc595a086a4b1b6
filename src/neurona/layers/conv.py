"""Conv2D: outputs = activation(conv2d(inputs, kernel) + bias), channels last (NHWC).

Computed as one matrix product per chunk of the batch: im2col lays every output pixel's
receptive field out as a row (channels fastest, matching the kernel's (kh, kw, in, out)
layout), so `cols @ kernel.reshape(kh*kw*in, out)` is the NHWC output with no transpose.
Going back, the kernel's gradient is `cols.T @ grad`, and the input's is `grad @ K.T`
scattered back over the pixels by col2im. A 1x1 convolution with stride 1 needs no im2col:
its columns are the input itself.
"""

import numpy as np

from neurona import activations, backend, initializers, regularizers
from neurona.kernels import conv as conv_kernels
from neurona.layers import spatial
from neurona.layers.base import Layer
from neurona.layers.epilogue import Epilogue

# The im2col buffer is bounded: batches whose columns would exceed this are done in chunks
# of samples (and the columns recomputed going back). At batch 128 the Keras MNIST convnet's
# second convolution needs 17.8 MB, well under it.
COLUMNS_BUDGET_BYTES = 128 * 2**20
# Columns with a channel run of a vector or more are built chunk by chunk into a buffer of
# about this size, which stays in cache for the product that reads it, and rebuilt going
# back rather than kept: the MNIST convnet's second layer at batch 128 builds its 17.8 MB in
# 0.55 ms in chunks of 32 samples (4.5 MB) against 1.9 ms in one piece, whose writes reach
# memory.
CACHED_COLUMNS_BYTES = 4 * 2**20
# Inputs with fewer channels take the transposed columns of `kernels.conv.im2col_taps`:
# 0.46 ms against 2.3 ms for one channel, 2.0 against 2.4 for three (128 x 28 x 28, 3x3).
TAPS_CHANNELS = 4


class Conv2D(Layer):
    """A 2-D convolution over (batch, height, width, channels) inputs, as Keras' Conv2D.

    Args:
        filters: number of output channels.
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw) (1).
        padding: 'valid' (no padding) or 'same' (output ceil(n / stride); the odd padding
            pixel at the bottom and right).
        data_format: 'channels_last' only (None means it).
        dilation_rate: int or (dh, dw) (1); cannot exceed 1 together with a stride.
        groups: 1 only.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer: as in Dense; the initializers' fans are kh*kw*in and kh*kw*filters.
        seed: int or Generator for the kernel's initial values.

    Shapes: inputs (batch, h, w, in) → outputs (batch, oh, ow, filters); kernel
    (kh, kw, in, filters), bias (filters,).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(filters, (int, np.integer)) and not isinstance(filters, bool) and filters > 0):
            raise ValueError(f"Conv2D layer {self.name!r} expects a positive integer for filters. "
                             f"Received: filters={filters!r}")
        self.filters = int(filters)
        self.kernel_size = spatial.int_tuple(kernel_size, "kernel_size", self)
        self.strides = spatial.int_tuple(strides, "strides", self)
        self.dilation_rate = spatial.int_tuple(dilation_rate, "dilation_rate", self)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"Conv2D layer {self.name!r}: strides > 1 cannot be combined with dilation_rate > 1, "
                f"as in Keras. Received: strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.padding = spatial.padding_mode(padding, self)
        self.data_format = spatial.check_data_format(data_format, self)
        for argument, value in (("groups", groups if groups != 1 else None),
                                ("activity_regularizer", activity_regularizer),
                                ("kernel_constraint", kernel_constraint), ("bias_constraint", bias_constraint)):
            if value is not None:
                raise ValueError(f"Conv2D layer {self.name!r} does not support {argument}. Received: {argument}={value!r}")
        self.groups = 1
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.seed = seed

    # Structure -------------------------------------------------------------------------------

    def _geometry(self, input_shape):
        height, width, _ = spatial.image_shape(input_shape, self)
        return spatial.Geometry(self, "kernel_size", height, width, self.kernel_size, self.strides,
                                self.dilation_rate, self.padding)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        channels = spatial.image_shape(input_shape, self)[2]
        self.geometry = self._geometry(input_shape)
        rng = backend.make_rng(self.seed)
        self.add_weight("kernel", self.kernel_size + (channels, self.filters), self.kernel_initializer, rng,
                        regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer, rng, regularizer=self.bias_regularizer)
        g = self.geometry
        # A 1x1 kernel at stride 1 reads each pixel once, in place: no columns to build.
        self._pointwise = (g.kh, g.kw, g.sh, g.sw) == (1, 1, 1, 1)
        self._epilogue = Epilogue(self)
        super().build(input_shape)

    def reset_call_state(self):
        self._epilogue = Epilogue(self)

    def compute_output_shape(self, input_shape):
        geometry = self._geometry(input_shape)
        return (geometry.oh, geometry.ow, self.filters)

    def multiply_adds(self, batch):
        if not self.built:
            return 0
        g = self.geometry
        return batch * g.oh * g.ow * self.params["kernel"].size

    def _chunk(self, batch, depth, itemsize, taps=False):
        """Samples per im2col chunk, so that the columns stay within COLUMNS_BUDGET_BYTES (and,
        unless they are tap rows, within CACHED_COLUMNS_BYTES), the batch split evenly."""
        per_sample = self.geometry.oh * self.geometry.ow * depth * itemsize
        budget = COLUMNS_BUDGET_BYTES if taps else min(COLUMNS_BUDGET_BYTES, CACHED_COLUMNS_BYTES)
        largest = max(1, min(batch, budget // max(1, per_sample)))
        return -(-batch // -(-batch // largest))

    def _columns(self, x, start, stop, taps):
        """The columns (count, depth) of samples start:stop of x, in a reused buffer: im2col's
        rows, or with `taps` the transpose of im2col_taps' (depth, count) rows."""
        g = self.geometry
        kernel = self.params["kernel"]
        count, depth = (stop - start) * g.oh * g.ow, kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        if taps:
            rows = self._buffer("taps", (depth * count,), kernel.dtype).reshape(depth, count)
            conv_kernels.im2col_taps(x[start:stop], *g.window_args, rows)
            return rows.T
        cols = self._buffer("cols", (count, depth), kernel.dtype)
        conv_kernels.im2col(x[start:stop], *g.window_args, cols)
        return cols

    # Computation -------------------------------------------------------------------------------

    def forward(self, x, training=False, apply_activation=True):
        kernel = self.params["kernel"]
        g = self.geometry
        x = np.ascontiguousarray(x)  # the column kernels read the images as one flat array
        batch, depth = x.shape[0], kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        matrix = kernel.reshape(depth, self.filters)
        rows = batch * g.oh * g.ow
        pre_activation = self._buffer("pre_activation", (rows, self.filters), kernel.dtype)
        self._inputs, self._cols = x, None
        if self._pointwise:
            self._cols = x.reshape(rows, depth)
            np.matmul(self._cols, matrix, out=pre_activation)
        else:
            taps = x.shape[3] < TAPS_CHANNELS
            chunk = self._chunk(batch, depth, kernel.dtype.itemsize, taps)
            per_sample = g.oh * g.ow
            for start in range(0, batch, chunk):
                stop = min(start + chunk, batch)
                cols = self._columns(x, start, stop, taps)
                np.matmul(cols, matrix, out=pre_activation[start * per_sample:stop * per_sample])
            if training and chunk >= batch:
                self._cols = cols
        outputs = self._epilogue.forward(pre_activation, self.params.get("bias"), apply_activation)
        return outputs.reshape(batch, g.oh, g.ow, self.filters)

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        kernel = self.params["kernel"]
        g = self.geometry
        x = self._inputs
        batch, depth = x.shape[0], kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        matrix = kernel.reshape(depth, self.filters)
        grad_2d = np.ascontiguousarray(grad_output).reshape(-1, self.filters)
        grad_pre = self._epilogue.backward(grad_2d, self.grads.get("bias"), through_activation)
        kernel_grad = self.grads.get("kernel")
        if kernel_grad is not None:
            kernel_grad_matrix = kernel_grad.reshape(depth, self.filters)
        grad_input = self._buffer("grad_inputs", x.shape, kernel.dtype) if need_input_grad else None
        if self._cols is not None:
            # The columns are still there (a pointwise kernel, or one chunk in training).
            if kernel_grad is not None:
                np.matmul(self._cols.T, grad_pre, out=kernel_grad_matrix)
            if need_input_grad:
                if self._pointwise:
                    np.matmul(grad_pre, matrix.T, out=grad_input.reshape(-1, depth))
                else:
                    dcols = self._buffer("dcols", self._cols.shape, kernel.dtype)
                    np.matmul(grad_pre, matrix.T, out=dcols)
                    conv_kernels.col2im(dcols, *g.window_args, grad_input)
        else:
            # Chunked: rebuild each chunk's columns, as forward did, and accumulate.
            taps = x.shape[3] < TAPS_CHANNELS
            chunk = self._chunk(batch, depth, kernel.dtype.itemsize, taps)
            per_sample = g.oh * g.ow
            dcols = self._buffer("dcols", (chunk * per_sample, depth), kernel.dtype)
            partial = self._buffer("kernel_grad_chunk", (depth, self.filters), kernel.dtype)
            for start in range(0, batch, chunk):
                stop = min(start + chunk, batch)
                count = (stop - start) * per_sample
                grad_part = grad_pre[start * per_sample:stop * per_sample]
                if kernel_grad is not None:
                    cols = self._columns(x, start, stop, taps)
                    if start == 0:
                        np.matmul(cols.T, grad_part, out=kernel_grad_matrix)
                    else:
                        np.matmul(cols.T, grad_part, out=partial)
                        kernel_grad_matrix += partial
                if need_input_grad:
                    np.matmul(grad_part, matrix.T, out=dcols[:count])
                    conv_kernels.col2im(dcols[:count], *g.window_args, grad_input[start:stop])
        self.add_regularizer_gradients()
        return grad_input

    def onnx_nodes(self, graph, current, prefix):
        inputs = [graph.to_nchw(current, prefix), graph.conv_kernel(f"{prefix}/kernel", self.params["kernel"])]
        if self.use_bias:
            inputs.append(graph.constant(f"{prefix}/bias", self.params["bias"]))
        current = graph.node("Conv", inputs, f"{prefix}/conv", **graph.window_attributes(self))
        return graph.activation(self.activation, current, prefix)

    # Config ------------------------------------------------------------------------------------

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
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

    def to_keras(self, dtype, style, context):
        """Keras' ('Conv2D', config), with Keras 3's keys (see `neurona.saving.keras_adapters`)."""
        from neurona.saving import keras_adapters as adapt

        return "Conv2D", {
            **adapt.base_to_keras(self, dtype),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": "channels_last",
            "dilation_rate": list(self.dilation_rate),
            "groups": 1,
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

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """neurona's layer entry for a Keras Conv2D config; groups other than 1, channels_first,
        constraints and LoRA are refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.require_value(config, "groups", (1,), context)
        data_format = adapt.data_format_from_keras(config, context)
        adapt.require_off(config, ("activity_regularizer", "kernel_constraint", "bias_constraint",
                                   "quantization_config", "lora_rank"), context)
        return adapt.layer_entry("Conv2D", config, {
            "filters": config.get("filters"),
            "kernel_size": config.get("kernel_size"),
            "strides": config.get("strides", (1, 1)),
            "padding": config.get("padding", "valid"),
            "data_format": data_format,
            "dilation_rate": config.get("dilation_rate", (1, 1)),
            "groups": 1,
            "activation": adapt.serialized_activation(config.get("activation"), context),
            "use_bias": bool(config.get("use_bias", True)),
            "kernel_initializer": adapt.initializer_from_keras(config.get("kernel_initializer"),
                                                               "glorot_uniform", context),
            "bias_initializer": adapt.initializer_from_keras(config.get("bias_initializer"), "zeros", context),
            "kernel_regularizer": adapt.regularizer_from_keras(config.get("kernel_regularizer"), context),
            "bias_regularizer": adapt.regularizer_from_keras(config.get("bias_regularizer"), context),
        })
