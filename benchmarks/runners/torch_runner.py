import time

import numpy as np

from benchmarks.runners.common import accuracy, median_seconds, percentiles_ms


def build(config, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    dtype = getattr(torch, config.dtype)
    widths = (config.input_size,) + tuple(config.units)
    modules = []
    for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        modules.append(nn.Linear(fan_in, fan_out))
        if index < len(widths) - 2:
            modules.append(nn.ReLU())
    model = nn.Sequential(*modules).to(dtype)
    if config.initializer == "fan_in_normal":
        with torch.no_grad():
            for module in modules:
                if isinstance(module, nn.Linear):
                    module.weight.normal_(0.0, module.in_features ** -0.5)
                    module.bias.zero_()
    optimizer = {
        "adam": lambda: torch.optim.Adam(model.parameters(), lr=config.learning_rate, eps=1e-7),
        "sgd": lambda: torch.optim.SGD(model.parameters(), lr=config.learning_rate),
        "rmsprop": lambda: torch.optim.RMSprop(model.parameters(), lr=config.learning_rate, alpha=0.9, eps=1e-7),
    }[config.optimizer]()
    return model, optimizer


def train(config, arrays, seed):
    """The idiomatic loop: shuffle indices, index the tensors, step; running loss and accuracy
    kept as tensors (no per-step synchronisation) and validation after each epoch."""
    import torch
    from torch import nn

    x_train, y_train, x_val, y_val, x_test, y_test = arrays
    binary = config.units[-1] == 1
    model, optimizer = build(config, seed)
    dtype = getattr(torch, config.dtype)
    x = torch.from_numpy(np.ascontiguousarray(x_train)).to(dtype)
    y = torch.from_numpy(y_train).to(dtype) if binary else torch.from_numpy(y_train)
    criterion = nn.BCEWithLogitsLoss() if binary else nn.CrossEntropyLoss()
    batch_size = config.batch_size or len(x)
    start = time.perf_counter()
    for _ in range(config.epochs):
        model.train()
        order = torch.randperm(len(x)) if config.batch_size else None
        total_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for begin in range(0, len(x), batch_size):
            if order is None:
                xb, yb = x[begin:begin + batch_size], y[begin:begin + batch_size]
            else:
                index = order[begin:begin + batch_size]
                xb, yb = x[index], y[index]
            logits = model(xb)
            loss = criterion(logits, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                total_loss += loss.detach() * len(xb)
                correct += ((logits > 0) == (yb > 0.5)).sum() if binary else (logits.argmax(1) == yb).sum()
        float(total_loss), int(correct)
        if len(x_val):
            model.eval()
            with torch.no_grad():
                xv = torch.from_numpy(x_val)
                logits = model(xv)
                float(criterion(logits, torch.from_numpy(y_val))), float((logits.argmax(1) == torch.from_numpy(y_val)).float().mean())
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(np.ascontiguousarray(x_test)).to(dtype)).numpy()
    return {"seconds": seconds, "test_accuracy": accuracy(logits, y_test, "logits" if binary else None), "model": model}


def predict_timings(model, x_test):
    import torch

    def predict(batch):
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(batch)), dim=1).numpy()

    return {
        "predict_10k_s": median_seconds(lambda: predict(x_test[:10000])),
        "predict_one_ms": percentiles_ms(lambda: predict(x_test[:1]), 2000),
    }
