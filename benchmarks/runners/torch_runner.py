import time

import numpy as np

from benchmarks.runners.common import accuracy, median_seconds, percentiles_ms


def build(config, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    dtype = getattr(torch, config.dtype)
    if config.architecture == "mnist-cnn":
        # Channels first, as PyTorch lays images out; Flatten then reads (C, H, W) order, which
        # changes nothing but the order of the dense layer's rows.
        modules = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                   nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, config.units[-1])]
    else:
        widths = (config.input_size,) + tuple(config.units)
        modules = []
        for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
            modules.append(nn.Linear(fan_in, fan_out))
            if index < len(widths) - 2:
                modules.append(nn.ReLU())
    model = nn.Sequential(*modules).to(dtype)
    with torch.no_grad():
        for module in modules:
            if not isinstance(module, (nn.Linear, nn.Conv2d)):
                continue
            if config.initializer == "fan_in_normal":
                module.weight.normal_(0.0, module.weight[0].numel() ** -0.5)
                module.bias.zero_()
            elif config.initializer == "glorot_uniform":
                # Keras' default; PyTorch's fans for a convolution are Keras' (kh*kw*in, kh*kw*out).
                nn.init.xavier_uniform_(module.weight)
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
    x = torch.from_numpy(channels_first(x_train)).to(dtype)
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
                xv = torch.from_numpy(channels_first(x_val))
                logits = model(xv)
                float(criterion(logits, torch.from_numpy(y_val))), float((logits.argmax(1) == torch.from_numpy(y_val)).float().mean())
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(channels_first(x_test)).to(dtype)).numpy()
    return {"seconds": seconds, "test_accuracy": accuracy(logits, y_test, "logits" if binary else None), "model": model}


def channels_first(x):
    """Images (N, H, W, C) as PyTorch takes them, (N, C, H, W), contiguous; other arrays as
    they are (contiguous)."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 1) if x.ndim == 4 else x)


def predict_timings(model, x_test):
    import torch

    x_test = channels_first(x_test)

    def predict(batch):
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(batch)), dim=1).numpy()

    return {
        "predict_10k_s": median_seconds(lambda: predict(x_test[:10000])),
        "predict_one_ms": percentiles_ms(lambda: predict(x_test[:1]), 2000),
    }
