"""The text of `model.summary()`, laid out as Keras prints it."""


def format_summary(model, line_length=65):
    columns = (int(line_length * 0.45), int(line_length * 0.33), line_length - int(line_length * 0.45) - int(line_length * 0.33))
    rows = [("Layer (type)", "Output Shape", "Param #")]
    for layer, shape in model._summary_rows():
        rows.append((f"{layer.name} ({type(layer).__name__})", str((None,) + tuple(shape)), f"{layer.count_params()}"))
    total = model.count_params()
    trainable = model.count_trainable_params()
    lines = [f'Model: "{model.name}"', "_" * line_length, _row(rows[0], columns), "=" * line_length]
    for index, row in enumerate(rows[1:]):
        lines.append(_row(row, columns))
        lines.append(("=" if index == len(rows) - 2 else "_") * line_length)
    if len(rows) == 1:
        lines.append("=" * line_length)
    lines += [
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        "_" * line_length,
    ]
    return "\n".join(lines)


def _row(cells, widths):
    return "".join(str(cell).ljust(width) for cell, width in zip(cells, widths)).rstrip()
