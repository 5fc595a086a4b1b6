"""The models `neurona compare` measures: scikit-learn's classic classifiers and neurona's recipes.

neurona's recipes run as `neurona.sklearn.NeuronaClassifier`s, so every row is fitted and
scored the same way. scikit-learn is optional (`pip install 'neurona[sklearn]'`) and imported
only when a model is built. SVC and k-nearest neighbours are slow on 60,000 images (SVC's training grows with
the square of the samples; k-NN compares every test image with every training image), so
they train on a subsample by default; the table says so.
"""

from dataclasses import dataclass

from neurona.runs import recipes

# scikit-learn's estimator for each baseline: (class path, keyword arguments).
_SKLEARN = {
    "logistic_regression": ("sklearn.linear_model.LogisticRegression", {"max_iter": 100}),
    "knn": ("sklearn.neighbors.KNeighborsClassifier", {"n_neighbors": 5, "n_jobs": -1}),
    "random_forest": ("sklearn.ensemble.RandomForestClassifier", {"n_estimators": 100, "n_jobs": -1}),
    "svc": ("sklearn.svm.SVC", {"kernel": "rbf"}),
    "mlp_sklearn": ("sklearn.neural_network.MLPClassifier", {"hidden_layer_sizes": (128,), "max_iter": 10}),
}
SLOW = ("knn", "svc")
SEEDED = ("random_forest", "svc", "mlp_sklearn")
# neurona's recipes that fit the comparison (an MLP on any 10-class image set), by model name.
NEURONA = {"neurona_seed000": "seed000", "neurona_seed002": "seed002", "neurona_seed003": "seed003"}
DEFAULT_MODELS = tuple(_SKLEARN) + tuple(NEURONA)


@dataclass(frozen=True)
class ModelSpec:
    """One contestant: its name in --models, what the table calls it, and how it is made."""

    name: str
    title: str
    library: str
    slow: bool = False


def spec(name):
    """The ModelSpec called `name`; ValueError listing the names otherwise."""
    if name in _SKLEARN:
        path, arguments = _SKLEARN[name]
        shown = ", ".join(f"{key}={value}" for key, value in arguments.items() if key != "n_jobs")
        return ModelSpec(name, f"{path.rsplit('.', 1)[1]}({shown})", "scikit-learn", slow=name in SLOW)
    if name in NEURONA:
        recipe = recipes.RECIPES[NEURONA[name]]
        layers = "-".join(str(units) for units in recipe["hidden_layers"])
        return ModelSpec(name, f"MLP {layers} {recipe['optimizer']} ({NEURONA[name]})", "neurona")
    raise ValueError(f"Unknown model {name!r}. Models: {', '.join(DEFAULT_MODELS)}.")


def require_sklearn():
    """Import scikit-learn, or raise ImportError saying how to install it."""
    import importlib

    try:
        importlib.import_module("sklearn")
    except ImportError as error:
        raise ImportError("compare needs scikit-learn: pip install 'neurona[sklearn]'") from error


def make_sklearn(name, seed):
    """A fresh scikit-learn estimator for baseline `name`."""
    import importlib

    require_sklearn()
    path, arguments = _SKLEARN[name]
    module_name, class_name = path.rsplit(".", 1)
    module = importlib.import_module(module_name)
    arguments = dict(arguments)
    if name in SEEDED:
        arguments["random_state"] = seed
    return getattr(module, class_name)(**arguments)


def neurona_config(name, dataset_name, epochs=None, seed=None):
    """The checked config of neurona model `name` for the comparison's common split."""
    from neurona.runs import config as run_config

    overrides = {"dataset": dataset_name, "limit_train": None, "limit_test": None, "validation_split": 0.0,
                 "validate_on_test": False, "early_stopping": None}
    if epochs is not None:
        overrides["epochs"] = epochs
    if seed is not None:
        overrides["seed"] = seed
    return run_config.resolve(NEURONA[name], overrides=overrides)


def make_neurona(config):
    """The `NeuronaClassifier` training the MLP of a `neurona_config` (flat inputs, sparse labels:
    the same model and loss as the recipe's, whatever its label encoding)."""
    require_sklearn()
    from neurona.sklearn import NeuronaClassifier

    extra = sorted(set(config["optimizer_params"]) - {"learning_rate"})
    if extra:
        raise ValueError(f"compare sets only the optimizer's learning_rate. Received: optimizer_params with {extra}")
    return NeuronaClassifier(hidden_layer_sizes=tuple(config["hidden_layers"]), activation=config["activation"],
                             optimizer=config["optimizer"],
                             learning_rate=config["optimizer_params"].get("learning_rate"), epochs=config["epochs"],
                             batch_size=config["batch_size"], random_state=config["seed"])
