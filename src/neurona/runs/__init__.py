"""Training runs: recipes, config files, the training session and the run folder it writes.

    from neurona.runs import recipes, config, session
    cfg = config.resolve(recipe="seed002", overrides={"epochs": 5})
    result = session.train_run(cfg)           # trains, evaluates, writes runs/<time>-seed002/
    result.run_dir, result.metrics["test_accuracy"]

Modules, one concept each:

- `recipes`: the tutorials' configurations (seed000 ... seed004), the default `mnist-mlp` and
  Keras' convnet `mnist-cnn`.
- `config`: the config schema; a JSON file, a recipe and flags resolved into one checked dict.
- `layer_entries`: a config's `layers` list of Keras' {"class_name", "config"} entries, checked
  and made into layers; `hidden_layers` expanded into one.
- `data`: a dataset turned into the arrays a config asks for (limits, validation, scaling).
- `building`: the Sequential model a config describes.
- `scratch_training`: seed 001's functional-API training, recorded per iteration.
- `interrupt`: Ctrl-C stops training after the current batch instead of killing it.
- `evaluation`: loss, accuracy, per-class report and per-sample lines of a model on data.
- `artifacts`: metrics.json and the plots of a run.
- `folder`: the run folder's layout, writing it atomically, finding a run's model file.
- `session`: all of the above in order: `train_run(config)`.
- `prediction`: a user's image made into a model input; the image + probabilities figure.
- `baselines`, `comparison`: scikit-learn and neurona models on one split (`neurona compare`).
"""
