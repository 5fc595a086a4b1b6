"""The files of a run folder, by name, and the caption the report gives each plot."""

import math

CONFIG = "config.json"
METRICS = "metrics.json"
HISTORY = "history.csv"
REPORT = "report.html"

# Plot file name -> caption, in the order the report shows them. Other PNGs follow, by name.
PLOT_CAPTIONS = {
    "history.png": (
        "Loss and accuracy per epoch, training against validation. The dashed line marks the epoch "
        "with the lowest validation loss: when validation loss rises after it while training loss "
        "keeps falling, the model is overfitting."
    ),
    "samples.png": "Sixteen random training images with their labels.",
    "predictions.png": "Nine random test images titled true → predicted; mistakes are framed in red.",
    "confusion_matrix.png": "Confusion matrix on the test set: rows are the true classes, columns the predictions.",
    "confident_mistakes.png": "The wrong test predictions the model was most sure of, with the probability it gave.",
    "first_layer_weights.png": (
        "Each first-layer unit's incoming weights drawn as an image: red pixels push the unit up, blue ones down."
    ),
    "conv_filters.png": (
        "The first convolution's filters, each drawn as a small image of its weights (averaged over the input "
        "channels): red weights raise the filter's output where the image is bright, blue ones lower it."
    ),
    "feature_maps.png": (
        "The first test image and what the convolution and pooling layers make of it: the first channels of "
        "each layer's output (its feature maps), brighter where a filter responds. A pooling layer shrinks "
        "the maps, keeping each window's strongest (max) or mean (average) response."
    ),
}


# history.png's caption for a run without validation data: no dashed line to speak of.
HISTORY_CAPTION_WITHOUT_VALIDATION = "Loss and accuracy per epoch on the training data (this run had no validation data)."


def plot_caption(filename, history=None):
    """The caption of a plot file: the known one, or its name made readable ('loss_curve.png' -> 'Loss curve').

    `history` ({key: [value per epoch]}, as read from history.csv) lets history.png's caption
    mention the dashed line of the lowest validation loss only when there is a finite val_loss.
    """
    if filename == "history.png" and history is not None and not _has_validation_loss(history):
        return HISTORY_CAPTION_WITHOUT_VALIDATION
    if filename in PLOT_CAPTIONS:
        return PLOT_CAPTIONS[filename]
    stem = filename.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:]


def _has_validation_loss(history):
    return any(math.isfinite(value) for value in history.get("val_loss") or [])


def plot_order(filename):
    """Sort key putting the known plots first, in PLOT_CAPTIONS order, then the others by name."""
    known = list(PLOT_CAPTIONS)
    return (known.index(filename), "") if filename in known else (len(known), filename)
