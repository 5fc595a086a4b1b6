"""The Sequential model a config describes, compiled and built.

Both kinds of config become one list of layer entries (`model_entries`): a `layers` list as it
is, `hidden_layers` expanded by `layer_entries.mlp_entries`. The layers are built one by one
for the inputs `input_shape_for` gives, so an error names the entry that does not fit them.
"""

import math

from neurona import losses, optimizers
from neurona.layers import InputLayer
from neurona.models import Sequential
from neurona.runs.layer_entries import make_layer, mlp_entries


def num_outputs(config, num_classes):
    """Output units: 1 (sigmoid) for binary_crossentropy, else one softmax unit per class."""
    if config["loss"] == "binary_crossentropy":
        if num_classes > 2:
            raise ValueError(
                f"loss binary_crossentropy needs two classes; the dataset has {num_classes}. "
                "Use sparse_categorical_crossentropy."
            )
        return 1
    return num_classes


def model_entries(config, num_classes):
    """The layer entries of the model: `layers`, or what `hidden_layers` is shorthand for."""
    if config["layers"] is not None:
        return config["layers"]
    return mlp_entries(config["hidden_layers"], config["activation"], config["dropout"],
                       num_outputs(config, num_classes), flatten=config["input"] == "image")


def build_model(config, image_shape, num_classes, train_samples=None):
    """A compiled Sequential for images of `image_shape` (rows, cols[, channels]).

    `input: flat` takes vectors of prod(image_shape) values (Dense first, as seeds 000, 002 and
    004 write it); `input: image` takes the images, behind a Flatten layer for `hidden_layers`
    (seed 003), with a channel axis for a `layers` list ((28, 28, 1) for MNIST). A first entry
    that declares its input shape (an InputLayer, `input_shape`) keeps it when it holds as many
    values as an image. Weights are drawn from NumPy's global generator: seed it first for
    repeatable weights. `train_samples` sizes a schedule that lasts the run (see
    `make_optimizer`).

    Raises:
        ValueError: a layer does not fit what the layer before gives it, or the last layer's
            outputs do not fit the classes and the loss (the message names the entry).
    """
    dtype = config["dtype"]
    entries = model_entries(config, num_classes)
    layers = [make_layer(entry, dtype) for entry in entries]
    input_shape = input_shape_for(config, image_shape)
    declared = layers[0].declared_input_shape
    if declared is not None:
        if math.prod(declared) != math.prod(image_shape):
            raise ValueError(
                f"layers[0] ({entries[0]['class_name']}) declares inputs of shape {declared} "
                f"({math.prod(declared)} values) but the images have shape {tuple(image_shape)} "
                f"({math.prod(image_shape)} values)."
            )
        input_shape = tuple(declared)
    if config.get("augment"):
        from neurona.layers import augmentation

        augmenting = augmentation.augmentation_preset(config["augment"], input_shape)
        at = 1 if isinstance(layers[0], InputLayer) else 0
        layers[at:at] = augmenting
        entries = entries[:at] + [{"class_name": type(layer).__name__} for layer in augmenting] + entries[at:]
    shape = input_shape
    for index, (entry, layer) in enumerate(zip(entries, layers)):
        if isinstance(layer, InputLayer):
            continue
        try:
            layer.build(shape)
            next_shape = layer.compute_output_shape(shape)
        except ValueError as error:
            hint = ""
            if shape == input_shape and len(shape) == 1 and config["input"] == "flat":
                hint = (f" The config's input is 'flat' (vectors of {shape[0]} values); input 'image' gives "
                        f"the model images of shape {input_shape_for({**config, 'input': 'image'}, image_shape)}.")
            raise ValueError(f"layers[{index}] ({entry['class_name']}) cannot take inputs of shape {shape}: "
                             f"{error}{hint}") from None
        shape = next_shape
    model = Sequential(name=config["name"])
    for layer in layers:
        model.add(layer)
    if not model.built:
        model.build(input_shape)
    if config["layers"] is not None:
        _check_outputs(model, config["loss"], num_classes, num_outputs(config, num_classes))
    steps = run_steps(config, train_samples) if train_samples else None
    model.compile(optimizer=make_optimizer(config, steps), loss=make_loss(config), metrics=["accuracy"])
    return model


def make_loss(config):
    """The loss named by `config['loss']`, with `config['loss_params']` (label smoothing)."""
    if not config.get("loss_params"):
        return config["loss"]
    return type(losses.get(config["loss"]))(**config["loss_params"])


def _check_outputs(model, loss, num_classes, outputs):
    """The last layer of a `layers` list gives what the loss needs: `outputs` probabilities."""
    expected = "sigmoid" if outputs == 1 else "softmax"
    fix = f"end the list with Dense({outputs}, activation='{expected}')"
    if tuple(model.output_shape) != (outputs,):
        raise ValueError(
            f"The layers end in outputs of shape {tuple(model.output_shape)}, but {loss} on {num_classes} classes "
            f"needs ({outputs},): {fix}."
        )
    activation = getattr(model.layers[-1], "activation", None)
    name = activation.name if activation is not None else None
    if name != expected:
        raise ValueError(
            f"The last layer's activation is {name!r}, but {loss} needs probabilities from {expected!r}: {fix}.")


# A schedule's length argument: null in a config means the whole run, in optimizer steps.
RUN_LENGTH_KEYS = {"OneCycle": "total_steps", "CosineDecay": "decay_steps", "PolynomialDecay": "decay_steps",
                   "CosineDecayRestarts": "first_decay_steps"}


def make_optimizer(config, steps=None):
    """The optimizer named by `config['optimizer']` with `config['optimizer_params']`.

    A learning rate given as a schedule ({"class_name": "OneCycle", "config": {...}}) whose
    length (`total_steps`, `decay_steps`) is null or absent lasts the run: `steps`, the
    optimizer steps of all its epochs (1 when unknown, to check the rest of its arguments)."""
    cls = type(optimizers.get(config["optimizer"]))
    return cls(**with_run_length(config["optimizer_params"], steps or 1))


def with_run_length(params, steps):
    """`params` with a schedule's missing length set to `steps`."""
    rate = params.get("learning_rate")
    if not (isinstance(rate, dict) and rate.get("class_name") in RUN_LENGTH_KEYS):
        return params
    key = RUN_LENGTH_KEYS[rate["class_name"]]
    schedule_config = dict(rate.get("config") or {})
    if schedule_config.get(key) is None:
        schedule_config[key] = max(int(steps), 2)
    return {**params, "learning_rate": {**rate, "config": schedule_config}}


def run_steps(config, train_samples):
    """Optimizer steps of the whole run: epochs x batches per epoch."""
    batch = config["batch_size"] or train_samples
    return config["epochs"] * math.ceil(train_samples / batch)


def input_shape_for(config, image_shape):
    """The model's input shape (batch axis excluded) for images of `image_shape`."""
    if config["input"] == "image":
        if (config["layers"] is not None or config.get("augment")) and len(image_shape) == 2:
            return tuple(image_shape) + (1,)
        return tuple(image_shape)
    return (math.prod(image_shape),)
