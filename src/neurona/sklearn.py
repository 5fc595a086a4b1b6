"""`NeuronaClassifier`: a neurona model as a scikit-learn classifier.

    from neurona.sklearn import NeuronaClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), NeuronaClassifier(hidden_layer_sizes=(64,), epochs=5))
    pipeline.fit(x_train, y_train).score(x_test, y_test)

The default model is an MLP (`hidden_layer_sizes`, as `MLPClassifier` spells it) ending in one
softmax unit per class. `model` gives any other Sequential: a callable
`(n_features, n_classes) -> Sequential` or a list of Keras' {"class_name", "config"} layer
entries (the output layer included, as a config's `layers` key), which may take image-shaped
`X`, e.g. (samples, 28, 28, 1) for a convnet.

A fitted estimator pickles through neurona's own model format (architecture, weights and
optimizer state, no pickled layer objects). Needs scikit-learn (`pip install 'neurona[sklearn]'`).
"""

import os
import tempfile

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError as error:
    raise ImportError("neurona.sklearn needs scikit-learn: pip install 'neurona[sklearn]'") from error
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from neurona import optimizers
from neurona.callbacks import EarlyStopping
from neurona.layers import Dense
from neurona.models import Sequential
from neurona.utils import set_random_seed

_MODEL_SUFFIX = ".neurona"


class NeuronaClassifier(ClassifierMixin, BaseEstimator):
    """A neurona network trained with `fit`, predicting the labels it was fitted on.

    Args:
        hidden_layer_sizes: units of each hidden Dense layer of the default MLP.
        activation: activation of those hidden layers (relu, tanh, sigmoid, ...).
        optimizer: sgd, adam, rmsprop, adagrad, adadelta, adamax or nadam.
        learning_rate: the optimizer's learning rate (None: the optimizer's default).
        epochs: passes over the training data in `fit`.
        batch_size: samples per gradient step.
        validation_split: fraction of the training samples held out for validation, in [0, 1).
        early_stopping: stop when the validation loss (the training loss without a split) has
            not improved for 3 epochs, restoring the best weights.
        random_state: None, an int or a `RandomState`: the same int, the same weights and
            predictions. `fit` seeds NumPy's global generator with it, from which neurona
            draws its weights and shuffling (as `neurona.utils.set_random_seed` does).
        verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
        model: None (the MLP), a callable `(n_features, n_classes) -> Sequential` (compiled
            with `optimizer` and sparse categorical cross-entropy unless already compiled), or a
            list of layer entries ending in a softmax layer of n_classes units.

    Attributes (after `fit`):
        classes_: the sorted labels, (n_classes,).
        n_features_in_: features per sample (X.shape[1]).
        model_: the trained Sequential.
        history_: {metric: [value per epoch]} of the last `fit` or `partial_fit`.
    """

    def __init__(self, hidden_layer_sizes=(128,), activation="relu", optimizer="adam", learning_rate=None,
                 epochs=10, batch_size=32, validation_split=0.0, early_stopping=False, random_state=None,
                 verbose=0, model=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.verbose = verbose
        self.model = model

    # Training ------------------------------------------------------------------------------

    def fit(self, X, y):
        """Train a new model on X, (samples, features) (or image-shaped with `model`), and labels y."""
        X, y = self._validate_training(X, y, reset=True)
        self.classes_ = np.unique(y)
        self._check_classes()
        self._seed()
        self.model_ = self._build(X.shape[1:], len(self.classes_))
        self._train(X, np.searchsorted(self.classes_, y), self._check_epochs(), self._callbacks())
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch on (X, y), continuing the model; the first call needs `classes` (or all labels in y)."""
        first = not hasattr(self, "model_")
        X, y = self._validate_training(X, y, reset=first)
        if first:
            self.classes_ = np.unique(y if classes is None else classes)
            self._check_classes()
            self._seed()
            self.model_ = self._build(X.shape[1:], len(self.classes_))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes must be the ones of the first partial_fit call, {list(self.classes_)}. "
                             f"Received: classes={list(np.unique(classes))}")
        unknown = np.setdiff1d(y, self.classes_)
        if len(unknown):
            raise ValueError(f"y holds labels {list(unknown)} outside classes_ {list(self.classes_)}.")
        self._train(X, np.searchsorted(self.classes_, y), 1, [])
        return self

    def _validate_training(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float32, np.float64], allow_nd=self.model is not None)
        check_classification_targets(y)
        return X, y

    def _check_classes(self):
        if len(self.classes_) < 2:
            raise ValueError(f"NeuronaClassifier needs samples of at least 2 classes. Received: 1 class, "
                             f"{self.classes_[0]!r}.")

    def _check_epochs(self):
        epochs = self.epochs
        if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer. Received: epochs={epochs!r}")
        return int(epochs)

    def _seed(self):
        if self.random_state is not None:
            set_random_seed(int(check_random_state(self.random_state).randint(2**31 - 1)))

    def _callbacks(self):
        if not self.early_stopping:
            return []
        monitor = "val_loss" if self.validation_split else "loss"
        return [EarlyStopping(monitor=monitor, patience=3, restore_best_weights=True)]

    def _train(self, X, targets, epochs, callbacks):
        history = self.model_.fit(X.astype(self.model_.dtype, copy=False), targets, batch_size=self.batch_size,
                                  epochs=epochs, verbose=self.verbose, callbacks=callbacks,
                                  validation_split=self.validation_split)
        self.history_ = {key: [float(value) for value in values] for key, values in history.history.items()}

    def _optimizer(self):
        optimizer = type(optimizers.get(self.optimizer))
        return optimizer() if self.learning_rate is None else optimizer(learning_rate=self.learning_rate)

    def _build(self, input_shape, n_classes):
        if self.model is None:
            model = Sequential([Dense(int(units), activation=self.activation) for units in self.hidden_layer_sizes]
                               + [Dense(n_classes, activation="softmax")])
            model.build(tuple(input_shape))
        elif callable(self.model):
            model = self.model(int(np.prod(input_shape)), n_classes)
            if not isinstance(model, Sequential):
                raise TypeError(f"model must return a neurona Sequential. Received: {type(model).__name__}")
            if not model.built:
                model.build(tuple(input_shape))
        elif isinstance(self.model, (list, tuple)):
            from neurona.runs.layer_entries import check_entry, make_layer

            entries = [check_entry(index, entry) for index, entry in enumerate(self.model)]
            model = Sequential([make_layer(entry) for entry in entries])
            model.build(tuple(input_shape))
        else:
            raise TypeError("model must be None, a callable (n_features, n_classes) -> Sequential or a list of "
                            f"layer entries. Received: {type(self.model).__name__}")
        if tuple(model.output_shape) != (n_classes,):
            raise ValueError(f"The model's outputs have shape {tuple(model.output_shape)}; {n_classes} classes "
                             f"need ({n_classes},) softmax probabilities.")
        if not model.compiled:
            model.compile(optimizer=self._optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    # Prediction ----------------------------------------------------------------------------

    def predict_proba(self, X):
        """Class probabilities, (samples, n_classes) in the order of `classes_`; rows sum to 1."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64], allow_nd=self.model is not None)
        probs = np.asarray(self.model_.predict(X.astype(self.model_.dtype, copy=False)), dtype=np.float64)
        probs = np.clip(probs, 0.0, None)
        return probs / probs.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most probable label of each sample, (samples,), taken from `classes_`."""
        check_is_fitted(self, "model_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # scikit-learn's protocols --------------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.classifier_tags.multi_label = False
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(state.get("model_"), Sequential):
            state = dict(state, model_=_model_bytes(state["model_"]))
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            state = dict(state, model_=_model_from_bytes(state["model_"]))
        super().__setstate__(state)


def _model_bytes(model):
    """The model in neurona's format, as bytes (written to a temporary file and read back)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model" + _MODEL_SUFFIX)
        model.save(path)
        with open(path, "rb") as file:
            return file.read()


def _model_from_bytes(data):
    from neurona import saving

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model" + _MODEL_SUFFIX)
        with open(path, "wb") as file:
            file.write(data)
        return saving.load_model(path)
