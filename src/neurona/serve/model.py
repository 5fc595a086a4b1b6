"""What a server serves: one model file, fixed at start, and the predictors its workers own.

Layers keep per-layer buffers and caches even in inference (`Dense.forward` writes its
pre-activations into `self._buffer(...)` and keeps `self._inputs`), so two threads calling
`predict` on one model would write into the same arrays. Each worker therefore owns a
`Predictor` with its own copy of the model, loaded from the same file at start; the saliency's
backward pass then uses that copy's caches too, and no request touches another's arrays.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurona.datasets.checksums import file_sha256
from neurona.kernels import policy as execution
from neurona.runs import folder, prediction
from neurona.runs.data import class_probabilities, model_inputs


@dataclass(frozen=True)
class ModelCard:
    """What `GET /api/model` tells about the served model (fixed for the server's life)."""

    name: str
    path: Path
    sha256: str
    input_shape: tuple
    image_shape: tuple
    class_names: list
    digit: bool
    dataset: str | None
    metrics: dict

    def public(self):
        """The JSON of `GET /api/model` (no local path: the server does not tell its files)."""
        return {
            "name": self.name,
            "sha256": self.sha256,
            "input_shape": list(self.input_shape),
            "image_shape": list(self.image_shape),
            "class_names": list(self.class_names),
            "num_classes": len(self.class_names),
            "digit_normalizer": self.digit,
            "dataset": self.dataset,
            "metrics": dict(self.metrics),
        }


def load_predictors(model_path, count):
    """(ModelCard, [Predictor] * count) for a run folder or a model file `load_model` reads.

    Every predictor loads its own copy of the file, one after another on this thread (loading
    swaps the process's floatx for a moment, so loads must not overlap). The file's checksum
    is taken before the first load and checked after the last, so all copies are the same.

    Raises:
        FileNotFoundError: nothing at `model_path`, or a run folder without a model file.
        ValueError: the model's inputs are not images of a known size, or the file changed
            while it was being loaded.
    """
    from neurona.models import load_model

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"workers must be a positive integer. Received: workers={count!r}")
    info = folder.locate(model_path)
    sha256 = file_sha256(info.model_path)
    models = [load_model(info.model_path, compile=False) for _ in range(count)]
    if file_sha256(info.model_path) != sha256:
        raise ValueError(f"{info.model_path} changed while it was being loaded; start the server again.")
    first = models[0]
    image_shape = prediction.image_shape_for(first, info.image_shape)
    num_outputs = first.output_shape[-1]
    num_classes = max(num_outputs, 2)
    class_names = info.class_names
    if not class_names or len(class_names) != num_classes:
        class_names = [str(index) for index in range(num_classes)]
    metrics = {key: value for key, value in (info.metrics or {}).items()
               if isinstance(value, (int, float, bool, str)) or value is None}
    card = ModelCard(
        name=info.run_dir.name if info.run_dir is not None else info.model_path.stem,
        path=info.model_path,
        sha256=sha256,
        input_shape=tuple(first.input_shape),
        image_shape=tuple(image_shape),
        class_names=[str(name) for name in class_names],
        digit=prediction.is_digit_model(info.dataset_name, image_shape, num_outputs),
        dataset=info.dataset_name,
        metrics=metrics,
    )
    return card, [Predictor(model, card) for model in models]


class Predictor:
    """One worker's model: probabilities for a batch, and the saliency of one image.

    Not thread-safe by design: one predictor belongs to one worker thread.
    """

    def __init__(self, model, card):
        self.model = model
        self.card = card

    def probabilities_of_images(self, images):
        """(n, classes) float64 probabilities for uint8 images (n, *image_shape)."""
        return prediction.predict_probabilities(self.model, images, "the uploaded image")

    def probabilities_of_inputs(self, inputs):
        """(n, classes) float64 probabilities for model inputs (n, *input_shape), in one forward pass."""
        return class_probabilities(self.model.predict(inputs, batch_size=len(inputs)))

    def score_gradient(self, image, class_index):
        """d score(class_index) / d input for one uint8 image, shaped like the model's input.

        The score is the class's logit when the output layer can leave its activation out
        (softmax or sigmoid fused away), else the class's probability. For one sigmoid
        output, class 0's score is minus class 1's. The backward pass runs on this worker's
        own model, whose caches the forward pass just filled.
        """
        model = self.model
        x = model_inputs(image[np.newaxis], model.input_shape, model.dtype, "the uploaded image")
        logits = bool(getattr(model._output_layer(), "can_skip_activation", False))
        with execution.inference_policy().applied():
            scores = model._forward(x, training=False, apply_activation=not logits)
            grad = np.zeros_like(scores)
            if scores.shape[-1] == 1:
                grad[0, 0] = 1.0 if class_index == 1 else -1.0
            else:
                grad[0, class_index] = 1.0
            return np.array(model.backward(grad, need_input_grad=True, through_activation=not logits))[0]

    def saliency(self, image, class_index):
        """|`score_gradient`| as float64 of `image_shape`, scaled so that its largest value is 1
        (all zeros when the gradient is zero)."""
        magnitude = np.abs(self.score_gradient(image, class_index).astype(np.float64)).reshape(self.card.image_shape)
        peak = magnitude.max()
        return magnitude / peak if peak > 0 else magnitude
