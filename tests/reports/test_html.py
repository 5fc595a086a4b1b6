import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from neurona.reports.history_csv import write_history_csv
from neurona.reports.html import build_report, format_value

CONFIG = {"name": "mnist <b>mlp</b>", "seed": 7, "optimizer": {"name": "adam", "learning_rate": 0.001},
          "note": "<script>alert('x')</script>"}
METRICS = {"test_accuracy": 0.97123, "test_loss": 0.0912, "train_seconds": 12.34, "samples": {"test": 10000},
           "versions": {"neurona": "0.1.0"}}
HISTORY = {"loss": [0.5, 0.3, 0.2], "accuracy": [0.8, 0.9, 0.95], "val_loss": [0.4, 0.35, 0.38]}


class _Page(HTMLParser):
    """Collects what the report references and checks that tags are balanced."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.images, self.links, self.open_tags, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "a":
            self.links.append(attrs["href"])
        if tag not in self.VOID:
            self.open_tags.append(tag)

    def handle_endtag(self, tag):
        assert self.open_tags.pop() == tag

    def handle_data(self, data):
        self.text.append(data)


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.open_tags == []
    return page


@pytest.fixture(scope="module")
def plot_files(tmp_path_factory):
    """Two real plots, drawn once for the module (drawing is the slow part)."""
    pytest.importorskip("matplotlib")
    from neurona.reports.plots import plot_confusion_matrix, plot_history

    folder = tmp_path_factory.mktemp("plots")
    return [
        plot_history(HISTORY, folder / "history.png"),
        plot_confusion_matrix(np.array([[3, 1], [0, 4]]), folder / "confusion_matrix.png"),
    ]


@pytest.fixture
def run_dir(tmp_path, plot_files):
    """A run folder as the CLI writes it."""
    folder = tmp_path / "runs" / "20250101-120000-mnist"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(CONFIG))
    (folder / "metrics.json").write_text(json.dumps(METRICS))
    (folder / "model.npz").write_bytes(b"weights")
    write_history_csv(HISTORY, folder / "history.csv")
    for path in plot_files:
        shutil.copy(path, folder)
    return folder


def test_report_references_only_files_that_exist_and_every_png_decodes(run_dir, decode_png):
    path = build_report(run_dir)
    assert path == run_dir / "report.html"
    page = _parse(path)
    sources = [image["src"] for image in page.images]
    assert sources == ["history.png", "confusion_matrix.png"]  # known plots in the report's order
    for image in page.images:
        assert (int(image["width"]), int(image["height"])) == decode_png(run_dir / image["src"])
    assert sorted(page.links) == ["config.json", "history.csv", "metrics.json", "model.npz"]
    assert all((run_dir / link).is_file() for link in page.links)


def test_report_is_self_contained_and_works_after_moving_the_folder(run_dir, tmp_path, decode_png):
    build_report(run_dir)
    moved = Path(shutil.move(run_dir, tmp_path / "elsewhere"))
    page_text = (moved / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page_text and "https://" not in page_text and "<script" not in page_text
    assert str(tmp_path) not in page_text
    for image in _parse(moved / "report.html").images:
        assert decode_png(moved / image["src"])


def test_report_escapes_config_and_metrics_values(run_dir):
    text = build_report(run_dir).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "<b>" not in text and "mnist &lt;b&gt;mlp&lt;/b&gt;" in text


def test_report_shows_metrics_config_and_best_history_epoch(run_dir):
    text = " ".join(_parse(build_report(run_dir)).text)
    for expected in ("97.12%", "Test accuracy", "12.3 s", "samples.test", "10,000", "optimizer.learning_rate",
                     "versions.neurona", "Highlighted: epoch 2, the lowest val_loss."):
        assert expected in text


def test_write_is_atomic_and_a_rebuild_gives_the_same_page(run_dir):
    first = build_report(run_dir).read_text(encoding="utf-8")
    second = build_report(run_dir).read_text(encoding="utf-8")
    assert first == second
    assert not [path.name for path in run_dir.iterdir() if path.name.startswith(".") or path.suffix == ".tmp"]


def test_a_folder_without_history_or_plots_still_gets_a_report(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "metrics.json").write_text('{"test_accuracy": 0.5}')
    page = _parse(build_report(tmp_path))
    text = " ".join(page.text)
    assert page.images == []
    assert "This run folder has no plots." in text and "This run folder has no history.csv." in text


@pytest.mark.parametrize("missing", ["config.json", "metrics.json"])
def test_a_missing_required_file_is_named_with_the_folder(tmp_path, missing):
    for name in {"config.json", "metrics.json"} - {missing}:
        (tmp_path / name).write_text("{}")
    with pytest.raises(FileNotFoundError, match=f"Run folder {tmp_path} has no {missing}"):
        build_report(tmp_path)
    assert not (tmp_path / "report.html").exists()


def test_a_missing_folder_and_bad_json_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Run folder not found: .*nowhere"):
        build_report(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text("[1, 2]")
    (tmp_path / "metrics.json").write_text("{}")
    with pytest.raises(ValueError, match="config.json must hold a JSON object. Received: list"):
        build_report(tmp_path)
    (tmp_path / "config.json").write_text("{oops")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        build_report(tmp_path)


def test_format_value():
    assert format_value(0.97123) == "0.9712"
    assert format_value(12345) == "12,345"
    assert format_value(123456.78) == "123,456.8"
    assert format_value(0.97123, "percent") == "97.12%"
    assert format_value(None) == "—" and format_value(True) == "true"
    assert format_value([1, "a"]) == '[1, "a"]'


def _history_rows(path):
    """The first cell of each body row of the report's history table."""
    table = path.read_text(encoding="utf-8").split('<h2 id="history">', 1)[1].split("</table>", 1)[0]
    return [row.split('<td class="number">', 1)[1].split("</td>", 1)[0] for row in table.split("<tr")[2:]]


def test_a_scratch_run_shows_every_100th_iteration_as_the_tutorial_prints_it(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"name": "seed001", "trainer": "scratch"}))
    (tmp_path / "metrics.json").write_text('{"test_accuracy": 0.8}')
    cost = list(np.linspace(0.69, 0.09, 2500))
    write_history_csv({"loss": cost, "accuracy": list(np.linspace(0.5, 1.0, 2500))}, tmp_path / "history.csv")
    path = build_report(tmp_path)
    assert _history_rows(path) == [str(i) for i in range(0, 2500, 100)] + ["2499"]
    text = " ".join(_parse(path).text)
    assert "Every 100th iteration (0, 100, 200, ...) and the last: 26 of 2500 rows; history.csv has them all." in text
    assert "<th>iteration</th>" in path.read_text(encoding="utf-8")
    assert format_value(cost[100]) in text


def test_a_long_epoch_history_is_thinned_keeping_the_best_epoch(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "metrics.json").write_text("{}")
    val_loss = [1.0] * 300
    val_loss[136] = 0.1
    write_history_csv({"loss": [0.5] * 300, "val_loss": val_loss}, tmp_path / "history.csv")
    path = build_report(tmp_path)
    rows = _history_rows(path)
    assert rows[:3] == ["1", "21", "41"] and rows[-1] == "300" and "137" in rows
    assert len(rows) == 17
    text = " ".join(_parse(path).text)
    assert "Every 20th epoch (1, 21, 41, ...) and the last: 17 of 300 rows" in text
    assert "Highlighted: epoch 137, the lowest val_loss." in text


def test_a_short_history_shows_every_row(run_dir):
    assert _history_rows(build_report(run_dir)) == ["1", "2", "3"]


def test_the_history_caption_mentions_the_dashed_line_only_with_validation(run_dir):
    with_validation = " ".join(_parse(build_report(run_dir)).text)
    assert "The dashed line marks the epoch with the lowest validation loss" in with_validation
    write_history_csv({"loss": [0.5, 0.3, 0.2], "accuracy": [0.8, 0.9, 0.95]}, run_dir / "history.csv")
    without = " ".join(_parse(build_report(run_dir)).text)
    assert "dashed" not in without
    assert "Loss and accuracy per epoch on the training data (this run had no validation data)." in without
