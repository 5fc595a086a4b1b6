"""A model's architecture as JSON text, in Keras' layout: `model.to_json()` and
`keras.models.model_from_json(json_string)`.

The text is Keras 3's config of the model (what a `.keras` file holds as `config.json`, see
`keras_config`) with Keras 2's `keras_version` and `backend` beside it, so that Keras reads it
too; reading accepts what Keras 2 and Keras 3 write. It holds no weights: a model read from it
draws fresh ones from its layers' initializers. Reading is as careful as loading a file:
layers resolve through neurona's registry of names, never an import path, and the
architecture is built once with zeros to check its size before its weights are drawn (see
`building.build_model`).
"""

import json

from neurona.saving import building, keras_config, safe_json

KERAS_VERSION = "3.0.0"  # the Keras release whose reader this layout targets
_WHAT = "the JSON model config"


def model_to_json(model, **kwargs):
    """The architecture of `model` (built) as Keras' JSON; `kwargs` go to `json.dumps`
    (indent=2, ...), as in Keras."""
    config = keras_config.model_to_keras(model, "keras3", "to_json")
    config = {**config, "keras_version": KERAS_VERSION, "backend": "tensorflow"}
    return json.dumps(json.loads(safe_json.dumps(config)), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """The model `json_string` describes (Keras' JSON of a Sequential or functional model),
    with fresh weights and not compiled.

    Raises:
        ModelFileError: the text is not such a model, or uses something neurona refuses (the
            message says what).
    """
    if custom_objects:
        raise ValueError("model_from_json: neurona resolves layers by name in its own registry and runs no "
                         "custom code; custom_objects is not supported.")
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"model_from_json expects the JSON text (a str). Received a {type(json_string).__name__}.")
    config = safe_json.loads(json_string, _WHAT)
    entry, dtype, _ = keras_config.model_from_keras(config, _WHAT)
    model, _ = building.build_model(entry, dtype, None, _WHAT)
    return model
