"""Write tests/fixtures/keras/losses_metrics.npz: Keras' values of its losses and metrics (dev-only).

Needs Keras 3 with TensorFlow; neurona is not used. The committed file was made with Python
3.11, keras 3.15.1 and tensorflow-cpu 2.21.0:

    .venv/bin/python tools/make_keras_metric_fixtures.py          # writes the .npz
    .venv/bin/python tools/make_keras_metric_fixtures.py --check  # compares neurona with it

The inputs are fixed random float32 arrays (NumPy's default_rng(2024)), so each run writes
the same numbers. What the file holds:

    index                    JSON: {"keras": version, "losses": {case: {"class": Keras' class name,
                             "config": its keyword arguments, "function": the lowercase
                             function's name}}, "metrics": {case: {"class", "config", "sizes":
                             the batch size of each update_state call, "weighted": whether
                             that call had a sample_weight (the first call never has)}}}
    loss/<case>/y_true, y_pred, sample_weight
    loss/<case>/per_sample   keras.losses.<function>(y_true, y_pred, **config): per-sample values
    loss/<case>/values       [keras.losses.<class>(**config)(y_true, y_pred), the same with
                             sample_weight]
    metric/<case>/y_true, y_pred
                             the batches of the calls, one after the other (for Mean, y_pred
                             holds the values and there is no y_true)
    metric/<case>/sample_weight
                             the weights of the weighted calls, one after the other (one per
                             sample, or one per output)
    metric/<case>/results    result() after each call, shape (calls,) or (calls, thresholds)

Every loss Keras and neurona share is there (the cross-entropies with and without logits as
well), and every metric class, each over several calls of different sizes so that the
accumulation across batches is compared, not only one batch's value.
"""

import argparse
import json
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras" / "losses_metrics.npz"
SEED = 2024
BATCH = 12


def _data(rng, kind, batch=BATCH):
    """(y_true, y_pred) of one kind of problem, as float32."""
    f32 = np.float32
    if kind == "regression":
        return rng.normal(size=(batch, 3)).astype(f32), rng.normal(size=(batch, 3)).astype(f32)
    if kind == "probabilities":
        return (rng.dirichlet(np.ones(4), batch).astype(f32), rng.dirichlet(np.ones(4), batch).astype(f32))
    if kind == "saturated":
        # Exact zeros and ones: the clips are active.
        y_pred = rng.dirichlet(np.ones(4), batch).astype(f32)
        y_pred[:3] = np.eye(4, dtype=f32)[:3]
        y_true = np.eye(4, dtype=f32)[rng.integers(0, 4, batch)]
        return y_true, y_pred
    if kind == "one_hot":
        return (np.eye(5, dtype=f32)[rng.integers(0, 5, batch)], rng.dirichlet(np.ones(5), batch).astype(f32))
    if kind == "sparse":
        return rng.integers(0, 5, batch).astype(f32), rng.dirichlet(np.ones(5), batch).astype(f32)
    if kind == "sparse_column":
        return rng.integers(0, 5, (batch, 1)).astype(f32), rng.dirichlet(np.ones(5), batch).astype(f32)
    if kind == "one_hot_logits":
        return np.eye(5, dtype=f32)[rng.integers(0, 5, batch)], rng.normal(scale=2, size=(batch, 5)).astype(f32)
    if kind == "sparse_logits":
        return rng.integers(0, 5, batch).astype(f32), rng.normal(scale=2, size=(batch, 5)).astype(f32)
    if kind == "binary":
        return (rng.random((batch, 1)) > 0.5).astype(f32), rng.random((batch, 1)).astype(f32)
    if kind == "binary_flat":
        return (rng.random(batch) > 0.5).astype(f32), rng.random(batch).astype(f32)
    if kind == "multi_binary":
        return (rng.random((batch, 3)) > 0.5).astype(f32), rng.random((batch, 3)).astype(f32)
    if kind == "soft_binary":
        return rng.random((batch, 3)).astype(f32), rng.random((batch, 3)).astype(f32)
    if kind == "binary_logits":
        return (rng.random((batch, 3)) > 0.5).astype(f32), rng.normal(scale=2, size=(batch, 3)).astype(f32)
    if kind == "signs":
        return rng.choice([-1.0, 1.0], (batch, 3)).astype(f32), rng.normal(size=(batch, 3)).astype(f32)
    if kind == "zero_one":
        return (rng.random((batch, 3)) > 0.5).astype(f32), rng.normal(size=(batch, 3)).astype(f32)
    if kind == "rates":
        return rng.poisson(2.0, (batch, 3)).astype(f32), rng.uniform(0.1, 4.0, (batch, 3)).astype(f32)
    if kind == "directions":
        # Similar directions, so that no similarity is close to 0 (a relative comparison).
        y_true = rng.normal(size=(batch, 4)).astype(f32)
        y_pred = (y_true + rng.normal(scale=0.5, size=(batch, 4))).astype(f32)
        y_pred[0] = 0.0  # a zero vector: similarity 0
        return y_true, y_pred
    if kind == "wide_errors":
        y_true = rng.normal(size=(batch, 3)).astype(f32)
        return y_true, (y_true + rng.normal(scale=3, size=(batch, 3))).astype(f32)
    if kind == "integers":
        return rng.integers(0, 3, (batch, 2)).astype(f32), rng.integers(0, 3, (batch, 2)).astype(f32)
    if kind == "eight_classes":
        return np.eye(8, dtype=f32)[rng.integers(0, 8, batch)], rng.dirichlet(np.ones(8), batch).astype(f32)
    if kind == "sparse_eight_classes":
        return rng.integers(0, 8, batch).astype(f32), rng.dirichlet(np.ones(8), batch).astype(f32)
    raise ValueError(f"unknown kind {kind!r}")


# (case, Keras class, constructor arguments, function, data kind)
LOSSES = [
    ("mean_squared_error", "MeanSquaredError", {}, "mean_squared_error", "regression"),
    ("mean_absolute_error", "MeanAbsoluteError", {}, "mean_absolute_error", "regression"),
    ("huber", "Huber", {}, "huber", "wide_errors"),
    ("huber_delta", "Huber", {"delta": 0.4}, "huber", "wide_errors"),
    ("log_cosh", "LogCosh", {}, "log_cosh", "wide_errors"),
    ("poisson", "Poisson", {}, "poisson", "rates"),
    ("kl_divergence", "KLDivergence", {}, "kl_divergence", "probabilities"),
    ("kl_divergence_clipped", "KLDivergence", {}, "kl_divergence", "saturated"),
    ("hinge_signs", "Hinge", {}, "hinge", "signs"),
    ("hinge_zero_one", "Hinge", {}, "hinge", "zero_one"),
    ("squared_hinge_signs", "SquaredHinge", {}, "squared_hinge", "signs"),
    ("squared_hinge_zero_one", "SquaredHinge", {}, "squared_hinge", "zero_one"),
    ("categorical_hinge", "CategoricalHinge", {}, "categorical_hinge", "one_hot_logits"),
    ("cosine_similarity", "CosineSimilarity", {}, "cosine_similarity", "directions"),
    ("categorical_crossentropy", "CategoricalCrossentropy", {}, "categorical_crossentropy", "one_hot"),
    ("categorical_crossentropy_saturated", "CategoricalCrossentropy", {}, "categorical_crossentropy", "saturated"),
    ("categorical_crossentropy_logits", "CategoricalCrossentropy", {"from_logits": True}, "categorical_crossentropy",
     "one_hot_logits"),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {}, "sparse_categorical_crossentropy",
     "sparse"),
    ("sparse_categorical_crossentropy_logits", "SparseCategoricalCrossentropy", {"from_logits": True},
     "sparse_categorical_crossentropy", "sparse_logits"),
    ("binary_crossentropy", "BinaryCrossentropy", {}, "binary_crossentropy", "soft_binary"),
    ("binary_crossentropy_logits", "BinaryCrossentropy", {"from_logits": True}, "binary_crossentropy",
     "binary_logits"),
]

# (case, Keras class, constructor arguments, data kind, sample weights of each call after the first)
# The weights are "samples" (one per sample) or "outputs" (one per output).
METRICS = [
    ("accuracy", "Accuracy", {}, "integers", "samples"),
    ("binary_accuracy", "BinaryAccuracy", {}, "binary", "samples"),
    ("binary_accuracy_threshold", "BinaryAccuracy", {"threshold": 0.7}, "multi_binary", "samples"),
    ("binary_accuracy_output_weights", "BinaryAccuracy", {}, "multi_binary", "outputs"),
    ("categorical_accuracy", "CategoricalAccuracy", {}, "one_hot", "samples"),
    ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", {}, "sparse", "samples"),
    ("sparse_categorical_accuracy_column", "SparseCategoricalAccuracy", {}, "sparse_column", "samples"),
    ("top_k_categorical_accuracy", "TopKCategoricalAccuracy", {}, "eight_classes", "samples"),
    ("top_k_categorical_accuracy_k2", "TopKCategoricalAccuracy", {"k": 2}, "one_hot", "samples"),
    ("sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy", {}, "sparse_eight_classes", "samples"),
    ("sparse_top_k_categorical_accuracy_k3", "SparseTopKCategoricalAccuracy", {"k": 3}, "sparse", "samples"),
    ("precision", "Precision", {}, "binary", "samples"),
    ("precision_flat", "Precision", {}, "binary_flat", "samples"),
    ("precision_thresholds", "Precision", {"thresholds": [0.2, 0.5, 0.8]}, "multi_binary", "samples"),
    ("precision_even_thresholds", "Precision", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multi_binary",
     "samples"),
    ("precision_top_k", "Precision", {"top_k": 2}, "multi_binary", "samples"),
    ("precision_class_id", "Precision", {"class_id": 1}, "multi_binary", "samples"),
    ("recall", "Recall", {}, "binary", "samples"),
    ("recall_thresholds", "Recall", {"thresholds": [0.3, 0.6]}, "multi_binary", "outputs"),
    ("recall_top_k_class_id", "Recall", {"top_k": 2, "class_id": 2}, "multi_binary", "samples"),
    ("auc", "AUC", {}, "binary", "samples"),
    ("auc_flat", "AUC", {}, "binary_flat", "samples"),
    ("auc_pr", "AUC", {"curve": "PR"}, "binary", "samples"),
    ("auc_pr_few_thresholds", "AUC", {"curve": "PR", "num_thresholds": 11}, "multi_binary", "samples"),
    ("auc_minoring", "AUC", {"summation_method": "minoring"}, "multi_binary", "samples"),
    ("auc_pr_majoring", "AUC", {"curve": "PR", "summation_method": "majoring"}, "binary", "samples"),
    ("auc_thresholds", "AUC", {"thresholds": [0.1, 0.3, 0.55, 0.9]}, "binary", "samples"),
    ("auc_multi_label", "AUC", {"multi_label": True}, "multi_binary", "samples"),
    ("auc_multi_label_pr_weights", "AUC", {"multi_label": True, "curve": "PR", "label_weights": [1.0, 2.0, 0.5]},
     "multi_binary", "samples"),
    ("auc_from_logits", "AUC", {"from_logits": True}, "binary_logits", "outputs"),
    ("mean_squared_error", "MeanSquaredError", {}, "regression", "samples"),
    ("mean_absolute_error", "MeanAbsoluteError", {}, "regression", "samples"),
    ("mean", "Mean", {}, "regression", "samples"),
]
UPDATES = 3


def build(rng):
    """{key: array} of every case (see the module docstring)."""
    import keras

    arrays = {}
    index = {"keras": keras.__version__, "losses": {}, "metrics": {}}
    for case, class_name, config, function, kind in LOSSES:
        y_true, y_pred = _data(rng, kind)
        weight = rng.uniform(0.0, 2.0, len(y_pred)).astype(np.float32)
        loss = getattr(keras.losses, class_name)(**config)
        fn = getattr(keras.losses, function)
        index["losses"][case] = {"class": class_name, "config": config, "function": function}
        prefix = f"loss/{case}/"
        arrays.update({
            prefix + "y_true": y_true, prefix + "y_pred": y_pred, prefix + "sample_weight": weight,
            prefix + "per_sample": np.asarray(fn(y_true, y_pred, **config)),
            prefix + "values": np.array([loss(y_true, y_pred), loss(y_true, y_pred, sample_weight=weight)]),
        })
    for case, class_name, config, kind, weights in METRICS:
        metric = getattr(keras.metrics, class_name)(**config)
        # Batches of different sizes: the last one short, as at the end of an epoch.
        sizes = [BATCH] * (UPDATES - 1) + [BATCH // 2 + 1]
        batches, weight_list, results = [], [], []
        for call, size in enumerate(sizes):
            y_true, y_pred = _data(rng, kind, batch=size)
            weight = None
            if call:
                weight = rng.uniform(0.0, 2.0, (size,) if weights == "samples" else y_pred.shape).astype(np.float32)
                weight[0] = 0.0  # a sample left out
                weight_list.append(weight)
            if class_name == "Mean":
                metric.update_state(y_pred, sample_weight=weight)
            else:
                metric.update_state(y_true, y_pred, sample_weight=weight)
            batches.append((y_true, y_pred))
            results.append(np.asarray(metric.result()))
        index["metrics"][case] = {"class": class_name, "config": config, "sizes": sizes,
                                  "weighted": [call > 0 for call in range(len(sizes))]}
        prefix = f"metric/{case}/"
        if class_name != "Mean":
            arrays[prefix + "y_true"] = np.concatenate([y_true for y_true, _ in batches])
        arrays[prefix + "y_pred"] = np.concatenate([y_pred for _, y_pred in batches])
        arrays[prefix + "sample_weight"] = np.concatenate(weight_list)
        arrays[prefix + "results"] = np.stack(results)
    arrays["index"] = np.array(json.dumps(index))
    return arrays


def metric_calls(data, index, case):
    """[(y_true or None, y_pred, sample_weight or None)] of each update_state call of `case`."""
    entry = index["metrics"][case]
    cuts = np.cumsum(entry["sizes"])[:-1]
    prefix = f"metric/{case}/"
    y_pred = np.split(data[prefix + "y_pred"], cuts)
    y_true = np.split(data[prefix + "y_true"], cuts) if prefix + "y_true" in data else [None] * len(y_pred)
    weighted = [size for size, flag in zip(entry["sizes"], entry["weighted"]) if flag]
    weights = iter(np.split(data[prefix + "sample_weight"], np.cumsum(weighted)[:-1]))
    return [(t, p, next(weights) if flag else None) for t, p, flag in zip(y_true, y_pred, entry["weighted"])]


def check(data):
    """Print how far neurona is from each Keras value (for looking at, not a test)."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "src"))
    from neurona import losses, metrics

    index = json.loads(str(data["index"]))
    for case, entry in index["losses"].items():
        prefix = f"loss/{case}/"
        ours = getattr(losses, entry["class"])(**entry["config"])(data[prefix + "y_true"], data[prefix + "y_pred"])
        print(f"loss   {case:40s} {abs(ours - float(data[prefix + 'values'][0])):.2e}")
    for case, entry in index["metrics"].items():
        metric = getattr(metrics, entry["class"])(**entry["config"])
        worst = 0.0
        for (y_true, y_pred, weight), expected in zip(metric_calls(data, index, case), data[f"metric/{case}/results"]):
            if y_true is None:
                metric.update_state(y_pred, sample_weight=weight)
            else:
                metric.update_state(y_true, y_pred, sample_weight=weight)
            worst = max(worst, float(np.max(np.abs(np.asarray(metric.result()) - expected))))
        print(f"metric {case:40s} {worst:.2e}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write Keras' loss and metric values to " + str(OUT))
    parser.add_argument("--check", action="store_true", help="compare neurona with the file instead of writing it")
    args = parser.parse_args(argv)
    if args.check:
        with np.load(OUT) as data:
            check(dict(data))
        return
    arrays = build(np.random.default_rng(SEED))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"{len(LOSSES)} losses, {len(METRICS)} metrics, {OUT.stat().st_size} bytes, in {OUT}")


if __name__ == "__main__":
    main()
