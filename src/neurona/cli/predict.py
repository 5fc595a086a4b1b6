"""`neurona predict MODEL IMAGE...` or `neurona predict MODEL --index N`: class and probabilities.

    neurona predict runs/X my_digit.png              a photo of a digit, made MNIST-like first
    neurona predict runs/X --index 99 --show         seed 003: test image 99, and a figure of it
"""

from pathlib import Path

import click


@click.command("predict")
@click.argument("model_path", metavar="MODEL")
@click.argument("images", nargs=-1, metavar="[IMAGE]...")
@click.option("--index", "indices", type=click.IntRange(min=0), multiple=True,
              help="Predict test image N of the data instead (repeatable).")
@click.option("--data", "data_name", metavar="NAME_OR_PATH", help="Dataset of --index (default: the run's own).")
@click.option("--digit/--no-digit", default=None,
              help="Normalise images like MNIST digits (default: when the model was trained on MNIST).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Classes listed per image.")
@click.option("--show", is_flag=True, help="Write a figure (the image and its probabilities) per prediction.")
@click.option("--out-dir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where --show writes its PNG files.")
def predict(model_path, images, indices, data_name, digit, top, show, out_dir):
    """Predict the class of each IMAGE (PNG, JPEG, BMP) with MODEL (a run folder or a model file)."""
    if not images and not indices:
        raise click.UsageError("give IMAGE files, or --index N for a test image.")
    import numpy as np

    from neurona import datasets
    from neurona.models import load_model
    from neurona.runs import folder, prediction
    from neurona.runs.evaluation import ensure_compiled

    info = folder.locate(model_path)
    model = ensure_compiled(load_model(info.model_path))
    image_shape = prediction.image_shape_for(model, info.image_shape)
    num_classes = max(model.output_shape[-1], 2)
    class_names = info.class_names or [str(index) for index in range(num_classes)]
    out_dir = Path(out_dir)

    items = []  # (what it is, uint8 image, true class or None, figure file stem)
    if images:
        use_digit = digit if digit is not None else prediction.is_digit_model(
            info.dataset_name, image_shape, model.output_shape[-1])
        for image_path in images:
            image = prediction.read_user_image(image_path, image_shape, use_digit)
            items.append((image_path, image, None, Path(image_path).stem))
    if indices:
        data_name = data_name or info.dataset_name
        if data_name is None:
            raise click.UsageError(f"{model_path} is not in a run folder: name the data of --index with --data.")
        dataset = datasets.load(data_name)
        class_names = info.class_names or list(dataset.class_names)
        for index in indices:
            if index >= len(dataset.x_test):
                raise ValueError(
                    f"--index {index} is past the last of the {len(dataset.x_test)} {dataset.name} test images.")
            label = int(dataset.y_test[index])
            items.append((f"{dataset.name} test image {index} (label {dataset.class_names[label]})",
                          dataset.x_test[index], label, f"{dataset.name}_test_{index}"))

    if show:
        out_dir.mkdir(parents=True, exist_ok=True)
    for what, image, true_class, stem in items:
        probs = prediction.predict_probabilities(model, image[np.newaxis], what)[0]
        names = class_names if len(class_names) == len(probs) else [str(index) for index in range(len(probs))]
        predicted = int(np.argmax(probs))
        click.echo(f"{what}: {names[predicted]} ({probs[predicted]:.2%})")
        for line in prediction.format_probabilities(probs, names, top):
            click.echo(line)
        if show:
            path = prediction.save_prediction_figure(out_dir / f"{stem}.prediction.png", image, probs, names,
                                                     str(what), true_label=true_class)
            click.echo(f"  figure: {path}")
