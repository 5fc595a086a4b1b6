"""Checks of a run folder shared by the command tests: complete, and its report shows real files."""

import json
from html.parser import HTMLParser

RUN_FILES = {"config.json", "history.csv", "metrics.json", "report.html", "history.png", "samples.png",
             "predictions.png", "confusion_matrix.png", "confident_mistakes.png"}
METRIC_KEYS = {"test_accuracy", "test_loss", "train_seconds", "test_seconds", "train_samples", "test_samples",
               "epochs_run", "classification_report", "versions", "machine", "dataset"}


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.sources.append(attrs["src"])
        if tag == "a":
            self.links.append(attrs["href"])


def check_run_folder(run_dir):
    """Assert the folder holds a whole run, and return its metrics."""
    from PIL import Image

    names = {path.name for path in run_dir.iterdir()}
    missing = RUN_FILES - names
    assert not missing, f"{run_dir} lacks {missing}"
    assert names & {"model.neurona", "model.keras", "model.h5"}
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert METRIC_KEYS <= set(metrics)
    page = _References()
    page.feed((run_dir / "report.html").read_text(encoding="utf-8"))
    pngs = {path.name for path in run_dir.glob("*.png")}
    assert set(page.sources) == pngs
    for reference in page.sources + page.links:
        assert (run_dir / reference).is_file(), reference
    for name in pngs:
        with Image.open(run_dir / name) as image:
            assert image.format == "PNG"
            image.load()
            assert min(image.size) > 100
    return metrics
