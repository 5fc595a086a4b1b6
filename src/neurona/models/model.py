"""Model: compile, fit, evaluate and predict over a stack or a graph of layers.

Subclasses (Sequential, and the functional models `Model(inputs, outputs)` make) own the
layers and provide `build`, `input_shape`, `output_shape`, `_forward` and `_backward`. A model
is itself a layer: it can sit inside a Sequential or be called on symbolic tensors.
The training loop converts inputs to the model's float type once per call, gathers each
shuffled batch into a reused buffer with one `np.take`, and, when the last activation and the
loss allow it, back-propagates the fused gradient (probs - y) / batch.
"""

import itertools
import warnings

import numpy as np

from neurona import backend, losses, metrics as metrics_module, optimizers
from neurona.callbacks.base import CallbackList, History
from neurona.callbacks.progbar_logger import ProgbarLogger
from neurona.kernels import policy as execution
from neurona.kernels.finite import all_finite
from neurona.layers.base import Layer
from neurona.models.data import ArrayData, SourceData, is_batch_source, sample_weights
from neurona.models.parameter_pack import ParameterPack
from neurona.utils.progbar import Progbar

_DEFAULT_BATCH_SIZE = 32
_INFERENCE_BATCH_SIZE = 1024


class Model(Layer):
    """`Model(inputs, outputs, name=None)` makes a functional model (see `models.functional`);
    `Sequential` is the other kind. Subclasses that define their own `call` are refused."""

    can_skip_activation = False

    def __new__(cls, *args, **kwargs):
        if cls is Model:
            from neurona.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, name=None):
        if getattr(type(self), "call", None) is not None:
            raise TypeError(
                f"{type(self).__name__} subclasses Model with its own call(): neurona supports Sequential "
                "models and functional ones, keras.Model(inputs, outputs). Build the same network with "
                "keras.Input and layer calls."
            )
        self.name = name or backend.unique_name("model")
        self.layers = []
        self._trainable = True
        self.params, self.grads, self.non_trainable_names, self.weight_regularizers = {}, {}, set(), {}
        self._buffers = {}
        self.inbound_nodes = []
        self.optimizer = None
        self.loss = None
        self.compiled_metrics = []
        self.stop_training = False
        self.history = None
        # Seed of each epoch's shuffle and dropout masks (drawn at the first fit), and the
        # number of epochs trained so far: together they make training resumable exactly.
        self._shuffle_seed = None
        self._epochs_seen = 0

    # Provided by subclasses ------------------------------------------------------------------

    @property
    def built(self):
        raise NotImplementedError

    def build(self, input_shape=None):
        raise NotImplementedError

    @property
    def input_shape(self):
        """Shape of one input sample (batch axis excluded), or None before the model is built."""
        raise NotImplementedError

    @property
    def output_shape(self):
        raise NotImplementedError

    # Compile -------------------------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics reported during training.

        Args:
            optimizer: a name ('adam', 'sgd', 'rmsprop', ...) or an Optimizer.
            loss: a name ('sparse_categorical_crossentropy', 'mse', ...) or a Loss.
            metrics: a list of names ('accuracy', 'auc', 'mae', ...), functions(y_true, y_pred)
                returning per-sample values, or Metric objects (see `metrics`); each becomes a
                metric object that accumulates over an epoch.
        """
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='sparse_categorical_crossentropy'.")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if metrics is None:
            metrics = []
        elif isinstance(metrics, (str, bytes)) or callable(metrics):
            metrics = [metrics]
        self._metric_identifiers = list(metrics)
        self.compiled_metrics = []
        if self.built:
            self._resolve_metrics()

    @property
    def compiled(self):
        return self.loss is not None

    @property
    def metric_identifiers(self):
        """The metrics as `compile` received them (names, functions or Metric objects)."""
        return list(getattr(self, "_metric_identifiers", []))

    def get_compile_config(self):
        """{'optimizer', 'loss', 'metrics'} of a compiled model as plain values, or None (as in
        Keras): the optimizer and loss serialized, metrics by name or as {'class_name',
        'config'} (functions cannot be written and are left out)."""
        if not self.compiled:
            return None
        metrics = [entry for entry in map(metrics_module.serialize, self.metric_identifiers) if entry is not None]
        return {"optimizer": optimizers.serialize(self.optimizer), "loss": losses.serialize(self.loss),
                "metrics": metrics}

    # Training state ------------------------------------------------------------------------

    @property
    def epochs_seen(self):
        """Epochs trained so far (by every `fit`, and as restored from a file)."""
        return self._epochs_seen

    def get_training_state(self):
        """What besides weights and optimizer slots makes training resumable exactly:
        {'shuffle_seed': the seed every epoch's shuffle and layer randomness derive from (None
        before the first fit), 'epochs_seen': epochs trained so far}."""
        return {"shuffle_seed": None if self._shuffle_seed is None else int(self._shuffle_seed),
                "epochs_seen": int(self._epochs_seen)}

    def set_training_state(self, shuffle_seed=None, epochs_seen=None):
        """Restore `get_training_state()`'s values (a value left None is kept); the next `fit`
        epoch then draws the randomness training straight through would have."""
        if shuffle_seed is not None:
            if isinstance(shuffle_seed, bool) or not isinstance(shuffle_seed, (int, np.integer)) or shuffle_seed < 0:
                raise ValueError(f"shuffle_seed must be a non-negative integer. Received: {shuffle_seed!r}")
            self._shuffle_seed = int(shuffle_seed)
        if epochs_seen is not None:
            if isinstance(epochs_seen, bool) or not isinstance(epochs_seen, (int, np.integer)) or epochs_seen < 0:
                raise ValueError(f"epochs_seen must be a non-negative integer. Received: {epochs_seen!r}")
            self._epochs_seen = int(epochs_seen)

    def _resolve_metrics(self):
        num_outputs = self.output_shape[-1]
        self.compiled_metrics = [
            metrics_module.resolve(identifier, self.loss, num_outputs)
            for identifier in self._metric_identifiers
        ]

    @property
    def metrics_names(self):
        return ["loss"] + [metric.name for metric in self.compiled_metrics]

    def reset_metrics(self):
        """Start every compiled metric afresh (fit does at each epoch, evaluate at its start)."""
        for metric in self.compiled_metrics:
            metric.reset_state()

    def _metric_logs(self, losses_seen):
        """{'loss': the mean loss so far, each metric's name: its result()}, as Python floats
        (arrays for metrics of several thresholds); {} before any batch."""
        logs = losses_seen.means()
        if not logs:
            return logs
        for metric in self.compiled_metrics:
            logs[metric.name] = metric.result()
        return {key: _python_value(value) for key, value in logs.items()}

    def _output_layer(self):
        """The layer that computes the model's output (where a fused loss gradient enters)."""
        return self.layers[-1]

    def _leaf_layers(self):
        """Every layer with its own weights and randomness, nested models opened up, in
        order: what the optimizer's pack, regularizers, seeds and files walk over."""
        leaves = []
        for layer in self.layers:
            if isinstance(layer, Model):
                leaves.extend(layer._leaf_layers())
            else:
                leaves.append(layer)
        return leaves

    def _uses_fused_gradient(self):
        last = self._output_layer()
        return (
            not self.loss.from_logits
            and last.activation is not None
            and self.loss.fused_activation is not None
            and last.activation.name == self.loss.fused_activation
        )

    # Forward and backward ------------------------------------------------------------------

    def _forward(self, x, training, apply_activation=True):
        """The outputs for `x`; `apply_activation=False` leaves the output layer's activation
        out (the logits, for a fused loss)."""
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            if index == last and not apply_activation:
                x = layer.forward(x, training=training, apply_activation=False)
            else:
                x = layer.forward(x, training=training)
        return x

    def _backward(self, grad, fused, needs_grad, need_input_grad=False):
        """Back-propagate `grad`; `needs_grad` is `_layers_needing_input_grad()`. Returns
        dLoss/dinput when `need_input_grad` (a model nested in another), else None."""
        last = len(self.layers) - 1
        for index in range(last, -1, -1):
            layer = self.layers[index]
            needed = needs_grad[index] or need_input_grad
            if index == last and fused:
                grad = layer.backward(grad, need_input_grad=needed, through_activation=False)
            else:
                grad = layer.backward(grad, need_input_grad=needed)
            if grad is None:
                return None
        return grad if need_input_grad else None

    def _layers_needing_input_grad(self):
        """needs[i]: some layer below i has trainable parameters, so i must pass a gradient down."""
        needs, below = [], False
        for layer in self.layers:
            needs.append(below)
            below = below or layer.has_trainable_weights
        return needs

    # A model as a layer ----------------------------------------------------------------------

    def forward(self, x, training=False, apply_activation=True):
        return self._forward(x, training, apply_activation)

    def backward(self, grad_output, need_input_grad=True, through_activation=True):
        """A nested model's backward pass, inside the model that contains it."""
        fused = not through_activation
        return self._backward(grad_output, fused, self._layers_needing_input_grad(), need_input_grad)

    @property
    def activation(self):
        return self._output_layer().activation if self.layers else None

    @property
    def declared_input_shape(self):
        return self.input_shape

    @declared_input_shape.setter
    def declared_input_shape(self, value):
        pass

    def compute_output_shape(self, input_shape):
        if self.built and tuple(input_shape) != tuple(self.input_shape):
            raise ValueError(f"Model {self.name!r} expects inputs of shape {(None,) + tuple(self.input_shape)}. "
                             f"Received {(None,) + tuple(input_shape)}.")
        if not self.built:
            self.build(tuple(input_shape))
        return self.output_shape

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Freeze (False) or unfreeze every layer of the model, as Keras does; compile again
        for the change to reach training."""
        self._trainable = bool(value)
        for layer in self.layers:
            layer.trainable = self._trainable

    @property
    def trainable_names(self):
        return []

    @property
    def has_trainable_weights(self):
        return any(layer.has_trainable_weights for layer in self.layers)

    @property
    def has_regularizer(self):
        return any(layer.has_regularizer for layer in self._leaf_layers())

    def regularization_loss(self):
        return self._regularization_loss()

    def multiply_adds(self, batch):
        return self._largest_product(batch)

    def count_trainable_params(self):
        return sum(layer.count_trainable_params() for layer in self._leaf_layers())

    def reseed(self, key):
        for index, layer in enumerate(self._leaf_layers()):
            if hasattr(layer, "reseed"):
                layer.reseed(list(key) + [index])

    def summary(self, print_fn=print, line_length=65):
        """Print Keras' table: each layer, its output shape and parameter count, then totals."""
        from neurona.models.summary import format_summary

        if not self.built:
            raise ValueError(
                f"Model {self.name!r} has not been built yet: give the first layer an input_shape, "
                "call build(input_shape), or fit it on data first."
            )
        print_fn(format_summary(self, line_length))

    def onnx_nodes(self, graph, current, prefix):
        """The ONNX nodes of every layer in turn (see `saving.onnx_export`)."""
        for index, layer in enumerate(self.layers):
            current = layer.onnx_nodes(graph, current, f"{prefix}{index}_{layer.name}")
        return current

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or at position `index` of `model.layers`."""
        if (name is None) == (index is None):
            raise ValueError("get_layer needs exactly one of name= or index=.")
        if index is not None:
            if not isinstance(index, (int, np.integer)) or not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Model {self.name!r} has {len(self.layers)} layers; index={index!r} is out of range.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r} in model {self.name!r}. Its layers: "
                         f"{[layer.name for layer in self.layers]}.")

    def _trainable_pairs(self):
        """(param, grad) pairs for the optimizer, over one flat vector when possible.

        The pack is rebuilt when the set of trainable arrays changes; the optimizer's state
        follows the pack, so keep one optimizer per model as in Keras.
        """
        leaves = self._leaf_layers()
        pack = getattr(self, "_parameter_pack", None)
        if pack is None or pack.key != ParameterPack.key_for(leaves):
            pack = self._parameter_pack = ParameterPack(leaves)
        return pack.pairs()

    def _regularization_loss(self):
        return sum(layer.regularization_loss() for layer in self._leaf_layers() if layer.has_regularizer)

    # Data checks ---------------------------------------------------------------------------

    @property
    def dtype(self):
        for layer in self._leaf_layers():
            for value in layer.params.values():
                return value.dtype
        return np.dtype(backend.floatx())

    def _prepare_inputs(self, x, argument="x"):
        if x is None:
            raise ValueError(f"{argument} is required.")
        x = np.asarray(x)
        if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
            raise ValueError(f"{argument} must be numeric. Received an array of dtype {x.dtype}.")
        if x.ndim < 2:
            raise ValueError(
                f"{argument} must have a batch axis: shape (batch, ...). Received shape {x.shape}."
            )
        if not self.built:
            self.build(x.shape[1:])
        if x.shape[1:] != self.input_shape:
            raise ValueError(
                f"Model {self.name!r} expects {argument} of shape (batch, "
                f"{', '.join(map(str, self.input_shape))}). Received {argument} of shape {x.shape}."
            )
        x = np.ascontiguousarray(x.astype(self.dtype, copy=False))
        if not all_finite(x):
            bad = np.argwhere(~np.isfinite(x))[0]
            raise ValueError(
                f"{argument} contains NaN or inf (first at index {tuple(int(i) for i in bad)}). "
                "Clean or impute the data before training."
            )
        return x

    def _prepare_data(self, x, y, argument="x"):
        self._require_compiled()
        x = self._prepare_inputs(x, argument)
        if not self.compiled_metrics and self.metric_identifiers:
            self._resolve_metrics()
        y = self.loss.prepare_targets(y, self.output_shape, self.dtype)
        if len(x) != len(y):
            raise ValueError(
                f"{argument} and its targets must have the same number of samples. "
                f"Received {len(x)} inputs and {len(y)} targets."
            )
        return x, y

    def _require_compiled(self):
        if not self.compiled:
            raise ValueError("The model must be compiled before training or evaluation: call model.compile(...).")

    # Training ------------------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1):
        """Train for `epochs` passes over (x, y); returns a History.

        Args:
            x: inputs, shape (samples, *input_shape); or a generator, iterator or
                `keras.utils.PyDataset` of (x, y) or (x, y, sample_weight) batches (then y is
                None), converted one batch at a time.
            y: targets, as the loss expects (class indices or one-hot, see `losses`).
            batch_size: samples per gradient step (32; batch sources make their own).
            epochs: index of the last epoch to run (training goes from `initial_epoch`).
            verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch ('auto' is 1).
            callbacks: list of Callback.
            validation_split: fraction of the samples, taken from the end before shuffling,
                held out and evaluated after each epoch (arrays only).
            validation_data: (x_val, y_val) or (x_val, y_val, sample_weight), or a batch
                source, evaluated after each epoch (overrides the split).
            shuffle: reshuffle the training samples (a PyDataset's batch order) every epoch.
            class_weight: {class index: weight}, multiplying each sample's loss by its class's.
            sample_weight: one weight per training sample, multiplying its loss (the loss stays
                sum(w * loss) / batch, Keras' reduction; metrics are not weighted).
            initial_epoch: epoch to start from (to resume training).
            steps_per_epoch: batches per epoch from a batch source (None: a PyDataset's length,
                or until a generator ends).
            validation_steps: batches per validation from a batch source.
            validation_batch_size: batch size of array validation data (1,024).
            validation_freq: validate every this many epochs (an int), or after the listed
                epochs (counted from 1).
        """
        batch_size = _check_batch_size(batch_size)
        _check_epochs(epochs, initial_epoch)
        verbose = 1 if verbose == "auto" else int(verbose)
        data = self._training_data(x, y, batch_size, shuffle, class_weight, sample_weight, steps_per_epoch,
                                   validation_split)
        validation = self._validation_data(validation_data, validation_steps, data)
        validation_batch_size = _check_batch_size(validation_batch_size, default=_INFERENCE_BATCH_SIZE)
        validate_after = _validation_epochs(validation_freq)

        history = History()
        # History last, as in Keras: it records what the other callbacks add to the logs
        # (ReduceLROnPlateau's learning_rate).
        callback_list = list(callbacks or []) + [history]
        if verbose:
            callback_list.append(ProgbarLogger())
        callback_list = CallbackList(
            callback_list, self, {"epochs": epochs, "steps": data.steps, "verbose": verbose}
        )
        self.history = history
        self.stop_training = False
        if self._shuffle_seed is None:
            self._shuffle_seed = int(backend.make_rng().integers(2**62))
        if initial_epoch:
            self._epochs_seen = initial_epoch
        samples = getattr(data, "samples", batch_size)
        policy = execution.training_policy(self._largest_product(min(batch_size, samples)), self.count_params())
        with policy.applied():
            self._run_epochs(data, validation, validation_batch_size, validate_after,
                             range(initial_epoch, epochs), callback_list)
        return history

    def _training_data(self, x, y, batch_size, shuffle, class_weight, sample_weight, steps_per_epoch,
                       validation_split):
        self._held_out = None
        if is_batch_source(x):
            if y is not None:
                raise ValueError(f"y must be None when x is a {type(x).__name__} of batches: they hold the targets.")
            if sample_weight is not None or validation_split:
                raise ValueError(f"sample_weight and validation_split apply to arrays; a {type(x).__name__} of "
                                 "batches yields its own weights, and validation_data validates it.")
            self._require_compiled()
            source = SourceData(x, steps_per_epoch, self._prepare_data, class_weight, shuffle, "x")
            if not self.built:
                self._build_from(source)
            return source
        if steps_per_epoch is not None:
            raise ValueError("steps_per_epoch applies to generators and PyDatasets; with arrays, every sample "
                             "is used once per epoch (take a slice of x to train on fewer).")
        x, y = self._prepare_data(x, y)
        weights = sample_weights(y, sample_weight, class_weight, len(x))
        x, y, weights = self._split_validation(x, y, weights, validation_split)
        return ArrayData(x, y, weights, batch_size, shuffle)

    def _build_from(self, source):
        """Build the model from the first batch of a source, which is then read again."""
        if source.indexed:
            first = source.source[0]
        else:
            first = next(source._iterator)
            source._iterator = itertools.chain([first], source._iterator)
        if not (isinstance(first, (tuple, list)) and len(first) in (2, 3)):
            source._converted(first)  # raises the message for a malformed batch
        self.build(np.shape(first[0])[1:])

    def _validation_data(self, validation_data, validation_steps, data):
        """None, (x, y, weights) arrays, or a SourceData."""
        if validation_data is None:
            return getattr(self, "_held_out", None)
        if is_batch_source(validation_data):
            return SourceData(validation_data, validation_steps, self._prepare_data, None, False, "validation_data")
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3)):
            raise ValueError(
                f"validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight), or a generator "
                f"or PyDataset of batches. Received a {type(validation_data).__name__}"
                + (f" of length {len(validation_data)}." if hasattr(validation_data, "__len__") else ".")
            )
        x, y = self._prepare_data(*validation_data[:2], argument="validation_data x")
        weights = sample_weights(y, validation_data[2] if len(validation_data) == 3 else None, None, len(x),
                                 "validation_data's sample_weight")
        return x, y, weights

    def _run_epochs(self, data, validation, validation_batch_size, validate_after, epochs, callback_list):
        fused = self._uses_fused_gradient()
        fused_kernel = self._fused_loss_kernel(fused)
        pairs = self._trainable_pairs()
        needs_grad = self._layers_needing_input_grad()
        batch_begin, batch_end = callback_list.on_train_batch_begin, callback_list.on_train_batch_end

        self.resume_at_epoch = 0
        callback_list.on_train_begin()
        logs = {}
        for epoch in epochs:
            if epoch < self.resume_at_epoch:
                continue  # done before a restored backup (BackupAndRestore)
            callback_list.on_epoch_begin(epoch)
            epoch_rng = self._begin_epoch_randomness()
            totals = _RunningMeans()
            self.reset_metrics()
            for step, (xb, yb, wb) in enumerate(data.batches(epoch_rng)):
                if not batch_begin.is_empty:
                    batch_begin(step)
                loss = self._train_step(xb, yb, fused, fused_kernel and wb is None, pairs, needs_grad, wb)
                totals.add({"loss": loss}, len(xb))
                if not batch_end.is_empty:
                    batch_end(step, self._metric_logs(totals))
                if self.stop_training:
                    break
            if getattr(data, "exhausted", False) and not totals.count:
                break
            logs = self._metric_logs(totals)
            data.end_epoch()
            if validation is not None and validate_after(epoch + 1):
                validation_logs = self._evaluate_data(validation, validation_batch_size)
                logs.update({f"val_{key}": value for key, value in validation_logs.items()})
            callback_list.on_epoch_end(epoch, logs)
            if self.stop_training or getattr(data, "exhausted", False):
                break
        callback_list.on_train_end(logs)

    def _begin_epoch_randomness(self):
        """The generator for this epoch's shuffle, and fresh ones for stochastic layers.

        Everything random in an epoch derives from (the model's shuffle seed, the epoch's
        number), so training resumed at `initial_epoch` from a checkpoint that kept the seed
        continues exactly as training straight through would have.
        """
        key = [self._shuffle_seed, self._epochs_seen]
        self._epochs_seen += 1
        self.reseed(key)
        return np.random.default_rng(key)

    def _largest_product(self, batch_size):
        """Multiply-adds of the largest matrix product in one training step."""
        return max((layer.multiply_adds(batch_size) for layer in self._leaf_layers()), default=0)

    def _fused_loss_kernel(self, fused):
        """Whether a step can run the loss kernel (activation, loss, gradient and accuracy in
        one pass): the fused gradient applies, the last layer can skip its activation, and
        every metric is of the kind of accuracy that the kernel counts."""
        return (
            fused
            and self.loss.fused_accuracy is not None
            and self._output_layer().can_skip_activation
            and all(getattr(metric, "kind", None) == self.loss.fused_accuracy for metric in self.compiled_metrics)
        )

    def _train_step(self, x, y, fused, fused_kernel, pairs, needs_grad, weights=None):
        """One step: returns the batch's loss (regularization included); the compiled metrics
        take the batch. `fused` and `fused_kernel` are `_uses_fused_gradient()` and
        `_fused_loss_kernel(fused)`, decided once per fit (the kernel is not used with sample
        weights). `weights` (one per sample) scale each sample's loss and gradient."""
        if fused_kernel:
            logits = self._forward(x, training=True, apply_activation=False)
            # The logits are not needed after the loss: the gradient is written over them.
            loss, correct, count = self.loss.fused_step(y, logits, out=logits)
            for metric in self.compiled_metrics:
                metric.update_counts(correct, count)
            self._backward(logits, fused, needs_grad)
            self.optimizer.apply_gradients(pairs)
            return loss + self._regularization_loss()
        outputs = self._forward(x, training=True)
        loss = self.loss(y, outputs, sample_weight=weights) + self._regularization_loss()
        for metric in self.compiled_metrics:
            metric.update_state(y, outputs)
        if fused:
            # The last layer no longer needs its outputs: write the gradient over them.
            grad = self.loss.fused_gradient(y, outputs, out=outputs)
        else:
            grad = self.loss.gradient(y, outputs).astype(outputs.dtype, copy=False)
        if weights is not None:
            grad *= weights.astype(grad.dtype).reshape((-1,) + (1,) * (grad.ndim - 1))
        self._backward(grad, fused, needs_grad)
        self.optimizer.apply_gradients(pairs)
        return loss

    def _split_validation(self, x, y, weights, validation_split):
        """(x, y, weights) to train on; the held-out end goes to `self._held_out`."""
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1). Received: validation_split={validation_split}")
        if validation_split == 0:
            return x, y, weights
        split_at = int(len(x) * (1 - validation_split))
        if split_at == 0 or split_at == len(x):
            raise ValueError(
                f"validation_split={validation_split} leaves no training or no validation samples "
                f"out of {len(x)}."
            )
        held = None if weights is None else weights[split_at:]
        self._held_out = (x[split_at:], y[split_at:], held)
        return x[:split_at], y[:split_at], None if weights is None else weights[:split_at]

    # Evaluation and prediction -------------------------------------------------------------

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 return_dict=False):
        """Loss and metrics on (x, y) (or a generator or PyDataset of batches), in inference mode.

        Returns:
            [loss, metric, ...] as Python floats (a float when there are no metrics), or a
            dict with `return_dict=True`; each metric over all of (x, y).
        """
        batch_size = _check_batch_size(batch_size, default=_DEFAULT_BATCH_SIZE)
        verbose = 1 if verbose == "auto" else int(verbose)
        if is_batch_source(x):
            if y is not None:
                raise ValueError(f"y must be None when x is a {type(x).__name__} of batches: they hold the targets.")
            self._require_compiled()
            data = SourceData(x, steps, self._prepare_data, None, False, "x")
        else:
            x, y = self._prepare_data(x, y)
            data = (x, y, sample_weights(y, sample_weight, None, len(x)))
        with execution.inference_policy().applied():
            logs = self._evaluate_data(data, batch_size, verbose)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def _evaluate_data(self, data, batch_size, verbose=0):
        """Logs over `data`: (x, y, weights) arrays in batches of `batch_size`, or a SourceData."""
        if isinstance(data, SourceData):
            batches, steps = data.batches(np.random.default_rng(0)), data.steps
        else:
            x, y, weights = data
            batches = ((x[start:start + batch_size], y[start:start + batch_size],
                        None if weights is None else weights[start:start + batch_size])
                       for start in range(0, len(x), batch_size))
            steps = -(-len(x) // batch_size)
        totals = _RunningMeans()
        self.reset_metrics()
        progbar = Progbar(steps, verbose=verbose) if verbose else None
        for step, (xb, yb, wb) in enumerate(batches):
            outputs = self._forward(xb, training=False)
            totals.add({"loss": self.loss(yb, outputs, sample_weight=wb)}, len(xb))
            for metric in self.compiled_metrics:
                metric.update_state(yb, outputs)
            if progbar:
                progbar.update(step + 1, self._metric_logs(totals))
        if not totals.count:
            raise ValueError("evaluate received no batches: the generator or PyDataset is empty or exhausted.")
        logs = self._metric_logs(totals)
        logs["loss"] = float(logs["loss"] + self._regularization_loss())
        return logs

    def predict(self, x, batch_size=None, verbose=0):
        """Outputs for `x`, shape (samples, *output_shape), computed in batches.

        An input shaped exactly like one sample (no batch axis) is taken as a batch of one,
        with a warning.
        """
        batch_size = _check_batch_size(batch_size, default=_INFERENCE_BATCH_SIZE)
        x = np.asarray(x)
        if self.built and x.shape == self.input_shape:
            warnings.warn(
                f"predict received one sample of shape {x.shape} without a batch axis; treating it as "
                f"a batch of one. Pass x[np.newaxis] (shape {(1,) + x.shape}) to silence this.",
                UserWarning,
                stacklevel=2,
            )
            x = x[np.newaxis]
        x = self._prepare_inputs(x)
        several = isinstance(self.output_shape, list)
        shapes = self.output_shape if several else [self.output_shape]
        results = [np.empty((len(x),) + tuple(shape), dtype=self.dtype) for shape in shapes]
        steps = -(-len(x) // batch_size)
        progbar = Progbar(steps, verbose=int(verbose)) if verbose else None
        with execution.inference_policy().applied():
            for step, start in enumerate(range(0, len(x), batch_size)):
                stop = min(start + batch_size, len(x))
                outputs = self._forward(x[start:stop], training=False)
                for result, output in zip(results, outputs if several else [outputs]):
                    result[start:stop] = output
                if progbar:
                    progbar.update(step + 1)
        return results if several else results[0]

    def predict_classes(self, x, batch_size=None, verbose=0):
        """Class indices (argmax, or probability > 0.5 for one output), as Keras 2 gave them."""
        warnings.warn(
            "predict_classes is deprecated (as in Keras 2.6+); use np.argmax(model.predict(x), axis=-1), "
            "or (model.predict(x) > 0.5).astype('int32') for a single sigmoid output.",
            DeprecationWarning,
            stacklevel=2,
        )
        probs = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probs.shape[-1] > 1:
            return np.argmax(probs, axis=-1)
        return (probs > 0.5).astype("int32")

    def __call__(self, x, training=False):
        from neurona.models import graph

        if graph.is_symbolic(x):
            return graph.call_symbolic(self, x)
        from neurona.tensors import wrap

        outputs = self._forward(self._prepare_inputs(x), training=training)
        return wrap([np.array(o) for o in outputs] if isinstance(outputs, list) else np.array(outputs))

    def train_on_batch(self, x, y):
        """One gradient step on (x, y); returns [loss, metric, ...] as Python floats (or the
        loss alone), the metrics over this batch (they are reset first, as in Keras)."""
        x, y = self._prepare_data(x, y)
        fused = self._uses_fused_gradient()
        self.reset_metrics()
        loss = self._train_step(x, y, fused, self._fused_loss_kernel(fused), self._trainable_pairs(),
                                self._layers_needing_input_grad())
        values = [_python_value(loss)] + [_python_value(metric.result()) for metric in self.compiled_metrics]
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x, y):
        return self.evaluate(x, y, batch_size=len(x), verbose=0)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=len(x))

    # Weights -------------------------------------------------------------------------------

    @property
    def weights(self):
        return [value for layer in self._leaf_layers() for value in layer.weights]

    @property
    def trainable_weights(self):
        return [value for layer in self._leaf_layers() for value in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [value for layer in self._leaf_layers() for value in layer.non_trainable_weights]

    def get_weights(self):
        """Copies of every parameter, layer by layer (kernel then bias)."""
        return [value.copy() for value in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        expected = [value.shape for value in self.weights]
        received = [np.shape(value) for value in weights]
        if expected != received:
            raise ValueError(
                f"Model {self.name!r} expects {len(expected)} weight arrays of shapes {expected}. "
                f"Received {len(received)} of shapes {received}."
            )
        offset = 0
        for layer in self._leaf_layers():
            count = len(layer.params)
            layer.set_weights(weights[offset:offset + count])
            offset += count

    def count_params(self):
        return sum(layer.count_params() for layer in self._leaf_layers())

    # Files (implemented in neurona.saving, which sits around the engine) ---------------------

    def save(self, filepath, overwrite=True):
        """Save architecture, weights and training state; the suffix picks the format:
        `.keras` (Keras 3), `.h5` (Keras' legacy HDF5), anything else neurona's own."""
        from neurona import saving

        saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        from neurona import saving

        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        from neurona import saving

        saving.load_weights(self, filepath)

    def to_json(self, **kwargs):
        """The architecture (no weights) as Keras' JSON text, which
        `keras.models.model_from_json` reads back; `kwargs` go to `json.dumps`."""
        from neurona import saving

        return saving.model_to_json(self, **kwargs)


def _python_value(value):
    """A metric's value as Keras logs it: a Python float, or an array left as it is."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


class _RunningMeans:
    """Sample-weighted means of per-batch values over an epoch."""

    def __init__(self):
        self.sums = {}
        self.count = 0

    def add(self, values, count):
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value * count
        self.count += count

    def means(self):
        return {key: total / self.count for key, total in self.sums.items()} if self.count else {}


def _check_batch_size(batch_size, default=_DEFAULT_BATCH_SIZE):
    if batch_size is None:
        return default
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer. Received: batch_size={batch_size!r}")
    return int(batch_size)


def _validation_epochs(validation_freq):
    """A test of 1-based epoch numbers: every `validation_freq`-th, or those listed."""
    if isinstance(validation_freq, (int, np.integer)) and not isinstance(validation_freq, bool) and validation_freq > 0:
        return lambda epoch: epoch % int(validation_freq) == 0
    if isinstance(validation_freq, (list, tuple, set)) and all(isinstance(e, (int, np.integer)) for e in validation_freq):
        listed = {int(e) for e in validation_freq}
        return lambda epoch: epoch in listed
    raise ValueError(f"validation_freq must be a positive integer or a list of epochs. Received: {validation_freq!r}")


def _check_epochs(epochs, initial_epoch):
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer. Received: {name}={value!r}")
