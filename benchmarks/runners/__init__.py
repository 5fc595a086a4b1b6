"""One module per framework, each with `train(config, arrays, seed)` and `predict_timings(...)`.

A runner returns {'seconds': training time, 'test_accuracy': ..., 'model': the trained model}
and is imported only inside its own worker process, so frameworks never share a process.
"""
