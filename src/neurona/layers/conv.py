"""Conv2D: outputs = activation(conv2d(inputs, kernel) + bias), channels last (NHWC).

Computed as one matrix product per chunk of the batch: im2col lays every output pixel's
receptive field out as a row (channels fastest, matching the kernel's (kh, kw, in, out)
layout), so `cols @ kernel.reshape(kh*kw*in, out)` is the NHWC output with no transpose.
Going back, the kernel's gradient is `cols.T @ grad`, and the input's is `grad @ K.T`
scattered back over the pixels by col2im. A 1x1 convolution with stride 1 needs no im2col:
its columns are the input itself.

A large batch is split into one part per core (`kernels.policy.batch_parts`), each on a
thread of its own, and each part goes in cache-sized chunks: a chunk's columns are built, its
product taken and its bias and activation applied before the next chunk starts, and going
back its columns are rebuilt rather than kept.
"""

import numpy as np

from neurona import backend
from neurona.kernels import conv as conv_kernels
from neurona.kernels import dense as dense_kernels
from neurona.kernels import policy as execution
from neurona.kernels.activations import LINEAR, SOFTMAX
from neurona.layers import spatial
from neurona.layers.base import Layer
from neurona.layers.epilogue import Epilogue, KernelOptions

# The im2col buffer is bounded: batches whose columns would exceed this are done in chunks
# of samples (and the columns recomputed going back). At batch 128 the Keras MNIST convnet's
# second convolution needs 17.8 MB, well under it.
COLUMNS_BUDGET_BYTES = 128 * 2**20
# A chunk's columns and outputs are kept within about this size, so that they are still in
# cache when its product reads the columns and its epilogue the outputs; columns with a channel
# run of a vector or more are rebuilt going back rather than kept. The MNIST convnet's second
# layer at batch 128 builds its 17.8 MB of columns in 0.58 ms in chunks of 22 samples (3.0 MB),
# and scatters them back in 0.56 ms, against 1.5 and 1.8 ms in one piece, whose writes reach
# memory (one thread). Its training step (2 cores, the batch in two parts) took 29-32 ms with
# 1-1.5 MB, 33-36 with 2 MB, 41-45 with 4 MB and 46-48 with 8 MB.
CACHED_COLUMNS_BYTES = 3 * 2**19
# Inputs with fewer channels take the transposed columns of `kernels.conv.im2col_taps`:
# 0.46 ms against 2.3 ms for one channel, 2.0 against 2.4 for three (128 x 28 x 28, 3x3).
TAPS_CHANNELS = 4


class Conv2D(KernelOptions, Layer):
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
        self.set_kernel_options(activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                bias_regularizer, seed)

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
        """Samples per chunk of the batch, the batch split evenly: the columns stay within
        COLUMNS_BUDGET_BYTES, and a chunk's columns (unless they are tap rows, built for the
        whole batch) and outputs within CACHED_COLUMNS_BYTES, so that its product and epilogue
        find them in cache."""
        pixels = self.geometry.oh * self.geometry.ow
        columns = pixels * depth * itemsize
        cached = pixels * ((0 if taps else depth) + self.filters) * itemsize
        largest = max(1, min(batch, COLUMNS_BUDGET_BYTES // max(1, columns), CACHED_COLUMNS_BYTES // max(1, cached)))
        chunks = -(-batch // largest)
        return -(-batch // chunks) if chunks else largest

    def _taps(self, samples, channels, depth, itemsize):
        """Whether the columns of `samples` images are tap rows, built for all of them at once
        (few channels, within COLUMNS_BUDGET_BYTES)."""
        g = self.geometry
        return (not self._pointwise and channels < TAPS_CHANNELS
                and samples * g.oh * g.ow * depth * itemsize <= COLUMNS_BUDGET_BYTES)

    def _columns(self, x, start, stop, taps, part=0):
        """The columns (count, depth) of samples start:stop of x, in a buffer of the part's:
        im2col's rows, or with `taps` the transpose of im2col_taps' (depth, count) rows."""
        g = self.geometry
        kernel = self.params["kernel"]
        count, depth = (stop - start) * g.oh * g.ow, kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        if taps:
            rows = self._buffer(f"taps{part}", (depth * count,), kernel.dtype).reshape(depth, count)
            conv_kernels.im2col_taps(x[start:stop], *g.window_args, rows)
            return rows.T
        cols = self._buffer(f"cols{part}", (count, depth), kernel.dtype)
        conv_kernels.im2col(x[start:stop], *g.window_args, cols)
        return cols

    def _chunk_code(self, apply_activation):
        """The activation's kernel code when the epilogue runs chunk by chunk (None: through
        the layer's Epilogue, over the whole output, for activations without one)."""
        code = self.activation.kernel_code if apply_activation else LINEAR
        return None if code is None or code == SOFTMAX else code

    def _parts(self, batch):
        """Sample bounds of the parts the batch is split into (`kernels.policy.batch_parts`)."""
        parts = execution.batch_parts(self.multiply_adds(batch), batch)
        return [batch * part // parts for part in range(parts + 1)]

    # Computation -------------------------------------------------------------------------------

    def forward(self, x, training=False, apply_activation=True):
        kernel = self.params["kernel"]
        g = self.geometry
        x = np.ascontiguousarray(x)  # the column kernels read the images as one flat array
        batch = x.shape[0]
        pre_activation = self._buffer("pre_activation", (batch * g.oh * g.ow, self.filters), kernel.dtype)
        # Bias and activation run on each chunk right after its product, while it is in cache.
        code = self._chunk_code(apply_activation)
        bounds = self._parts(batch)
        kept = execution.run_parts(
            lambda part: self._forward_part(x, bounds[part], bounds[part + 1], part, training, code, pre_activation),
            len(bounds) - 1)
        self._inputs, self._cols, self._code, self._bounds = x, kept, code, bounds
        if code is None:
            self._outputs = self._epilogue.forward(pre_activation, self.params.get("bias"), apply_activation)
        else:
            self._outputs = pre_activation
        return self._outputs.reshape(batch, g.oh, g.ow, self.filters)

    def _forward_part(self, x, first, last, part, training, code, pre_activation):
        """Forward over samples first:last, chunk by chunk; returns their columns when kept for
        backward (None: rebuilt there)."""
        kernel, bias = self.params["kernel"], self.params.get("bias")
        g = self.geometry
        depth = kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        matrix = kernel.reshape(depth, self.filters)
        per_sample, samples = g.oh * g.ow, last - first
        taps = self._taps(samples, x.shape[3], depth, kernel.dtype.itemsize)
        if self._pointwise:
            kept = x[first:last].reshape(-1, depth)
        else:
            kept = self._columns(x, first, last, True, part) if taps else None
        chunk = self._chunk(samples, depth, kernel.dtype.itemsize, kept is not None)
        for start in range(first, last, chunk):
            stop = min(start + chunk, last)
            rows = slice(start * per_sample, stop * per_sample)
            if kept is not None:
                cols = kept[(start - first) * per_sample:(stop - first) * per_sample]
            else:
                cols = self._columns(x, start, stop, False, part)
            np.matmul(cols, matrix, out=pre_activation[rows])
            if code is not None:
                out = pre_activation[rows]
                dense_kernels.bias_activation(out, out[0] if bias is None else bias, bias is not None, code, out)
        if kept is None and training and samples and chunk >= samples:
            kept = cols
        return kept

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        kernel = self.params["kernel"]
        x = self._inputs
        grad_2d = np.ascontiguousarray(grad_output).reshape(-1, self.filters)
        bias_grad, kernel_grad = self.grads.get("bias"), self.grads.get("kernel")
        code = self._code
        grads = None
        if code is None:
            grads = self._epilogue.backward(grad_2d, bias_grad, through_activation)
        elif not through_activation:
            code = LINEAR  # the fused loss's gradient is dLoss/dpre-activation already
        grad_input = self._buffer("grad_inputs", x.shape, kernel.dtype) if need_input_grad else None
        bounds = self._bounds
        # Each part sums its own gradients (the first straight into the layer's), added up after.
        sums = execution.run_parts(
            lambda part: self._backward_part(part, bounds[part], bounds[part + 1], grad_2d, grads, code,
                                             bias_grad is not None and code is not None, kernel_grad is not None,
                                             grad_input),
            len(bounds) - 1)
        for kernel_part, bias_part in sums[1:]:
            if kernel_part is not None:
                kernel_grad += kernel_part.reshape(kernel_grad.shape)
            if bias_part is not None:
                bias_grad += bias_part
        self.add_regularizer_gradients()
        return grad_input

    def _backward_part(self, part, first, last, grad_2d, grads, code, bias, weights, grad_input):
        """Backward over samples first:last, chunk by chunk as forward went: the epilogue's
        derivative (unless `grads` holds dLoss/dpre-activation already), the kernel's gradient
        from the columns (kept, or rebuilt), the input's through dcols and col2im. Part 0 sums
        into the layer's gradients; the others return theirs, (kernel, bias), or None."""
        kernel = self.params["kernel"]
        g = self.geometry
        x, cols_kept = self._inputs, self._cols[part]
        depth = kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        matrix = kernel.reshape(depth, self.filters)
        per_sample, samples = g.oh * g.ow, last - first
        dtype = kernel.dtype
        if part == 0:
            kernel_sum = self.grads["kernel"].reshape(depth, self.filters) if weights else None
            bias_sum = self.grads["bias"] if bias else None
        else:
            kernel_sum = self._buffer(f"kernel_grad_part{part}", (depth, self.filters), dtype) if weights else None
            bias_sum = self._buffer(f"bias_grad_part{part}", (self.filters,), dtype) if bias else None
        kernel_chunk = self._buffer(f"kernel_grad_chunk{part}", (depth, self.filters), dtype)
        bias_chunk = self._buffer(f"bias_grad_chunk{part}", (self.filters,), dtype)
        chunk = self._chunk(samples, depth, dtype.itemsize, cols_kept is not None)
        for start in range(first, last, chunk):
            stop = min(start + chunk, last)
            rows = slice(start * per_sample, stop * per_sample)
            count = (stop - start) * per_sample
            into = start == first  # the part's first chunk writes its sums, the others add
            if grads is not None:
                grad_part = grads[rows]
            else:
                grad_part = grad_2d[rows] if code == LINEAR else \
                    self._buffer(f"grad_pre_activation{part}", (chunk * per_sample, self.filters), dtype)[:count]
                if code != LINEAR or bias:
                    target = (bias_sum if into else bias_chunk) if bias else grad_part[0]
                    dense_kernels.activation_backward_bias(grad_2d[rows], self._outputs[rows], code, grad_part, bias,
                                                           target)
                    if bias and not into:
                        bias_sum += bias_chunk
            if weights:
                if cols_kept is not None:
                    cols = cols_kept[(start - first) * per_sample:(stop - first) * per_sample]
                else:
                    cols = self._columns(x, start, stop, False, part)
                np.matmul(cols.T, grad_part, out=kernel_sum if into else kernel_chunk)
                if not into:
                    kernel_sum += kernel_chunk
            if grad_input is not None:
                if self._pointwise:
                    np.matmul(grad_part, matrix.T, out=grad_input.reshape(-1, depth)[rows])
                else:
                    dcols = self._buffer(f"dcols{part}", (chunk * per_sample, depth), dtype)[:count]
                    np.matmul(grad_part, matrix.T, out=dcols)
                    conv_kernels.col2im(dcols, *g.window_args, grad_input[start:stop])
        return (kernel_sum, bias_sum) if part else None

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
            **self.kernel_options_config(),
        }

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
            **self.kernel_options_to_keras(style, context),
        }

    @classmethod
    def from_keras(cls, keras_class_name, config, context):
        """neurona's layer entry for a Keras Conv2D config; groups other than 1, channels_first,
        constraints and LoRA are refused."""
        from neurona.saving import keras_adapters as adapt

        adapt.require_value(config, "groups", (1,), context)
        data_format = adapt.data_format_from_keras(config, context)
        return adapt.layer_entry("Conv2D", config, {
            "filters": config.get("filters"),
            "kernel_size": config.get("kernel_size"),
            "strides": config.get("strides", (1, 1)),
            "padding": config.get("padding", "valid"),
            "data_format": data_format,
            "dilation_rate": config.get("dilation_rate", (1, 1)),
            "groups": 1,
            **cls.kernel_options_from_keras(config, context),
        })
