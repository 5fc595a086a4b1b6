"""A run folder's `report.html`: one self-contained page with the config, metrics and plots.

The page needs no JavaScript and loads nothing from outside the folder: the style is inline
and images are referenced by relative paths, so the folder can be moved or zipped whole.
"""

import json
import math
import struct
from html import escape
from pathlib import Path
from urllib.parse import quote

from neurona.reports import run_files
from neurona.utils.atomic import write_text_atomic
from neurona.reports.history_csv import read_history_csv

# (metrics key, label, how to show it): the headline numbers, when metrics.json has them.
_HEADLINE = [
    ("test_accuracy", "Test accuracy", "percent"),
    ("test_loss", "Test loss", "number"),
    ("train_seconds", "Training time", "seconds"),
    ("test_seconds", "Test time", "seconds"),
]
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_STYLE = """
body { margin: 0; background: #f6f7f9; color: #1f2328;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 36px 0 12px; font-size: 19px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.subtitle { margin: 0; color: #57606a; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px; overflow-x: auto; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 20px; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 18px; min-width: 140px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .label { color: #57606a; font-size: 13px; }
table { border-collapse: collapse; background: #fff; border: 1px solid #d0d7de; margin: 8px 0; }
th, td { padding: 4px 12px; border-bottom: 1px solid #eaeef2; text-align: left; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #fff3cd; font-weight: 600; }
figure { margin: 0 0 28px; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 12px; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: 8px; color: #57606a; font-size: 14px; }
figcaption code { color: #1f2328; }
.note { color: #57606a; font-style: italic; }
details summary { cursor: pointer; color: #0969da; margin-top: 8px; }
"""


def build_report(run_dir):
    """Write `report.html` in `run_dir` (atomically) and return its path.

    Reads `config.json` and `metrics.json` (both required), `history.csv` and every `*.png`
    (optional: the page says what is missing instead).

    Raises:
        FileNotFoundError: the folder, its config.json or its metrics.json does not exist.
        ValueError: config.json or metrics.json is not a JSON object.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"Run folder not found: {run_dir}")
    config = _read_json_object(run_dir, run_files.CONFIG)
    metrics = _read_json_object(run_dir, run_files.METRICS)
    history_path = run_dir / run_files.HISTORY
    history = read_history_csv(history_path) if history_path.is_file() else None
    plots = sorted((path.name for path in run_dir.glob("*.png") if _is_listed(path)), key=run_files.plot_order)
    files = sorted(path.name for path in run_dir.iterdir() if _is_listed(path) and path.suffix != ".png"
                   and path.name != run_files.REPORT)

    title = str(config.get("name") or run_dir.name)
    page = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} · neurona run report</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">Run folder <code>{escape(run_dir.resolve().name)}</code></p>',
        _headline_cards(metrics),
        _plots_section(run_dir, plots, history),
        _metrics_section(metrics),
        _history_section(history, iterations=config.get("trainer") == "scratch"),
        _config_section(config),
        _files_section(files),
        "</main></body>",
        "</html>",
        "",
    ])
    return write_text_atomic(run_dir / run_files.REPORT, page)


def _is_listed(path):
    """Plain, visible files: not temporaries ('.x.tmp') or folders."""
    return path.is_file() and not path.name.startswith(".") and not path.name.endswith(".tmp")


def _read_json_object(run_dir, name):
    path = run_dir / name
    if not path.is_file():
        raise FileNotFoundError(f"Run folder {run_dir} has no {name} (expected {path})")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise ValueError(f"{path} must hold a JSON object. Received: {type(value).__name__}")
    return value


# Values ---------------------------------------------------------------------------------------

def format_value(value, style="number"):
    """A value as short, readable text: 0.97123 -> '0.9712', 12345 -> '12,345', None -> '—'."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if style == "percent":
            return f"{value:.2%}"
        if style == "seconds":
            return f"{value:,.1f} s"
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.1f}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flatten(mapping, prefix=""):
    """[(dotted key, value)] with nested objects expanded: {'a': {'b': 1}} -> [('a.b', 1)]."""
    rows = []
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            rows += _flatten(value, f"{name}.")
        else:
            rows.append((name, value))
    return rows


def _cell(value):
    text = escape(format_value(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="number">{text}</td>'
    if isinstance(value, (list, dict)):
        return f"<td><code>{text}</code></td>"
    return f"<td>{text}</td>"


def _key_value_table(rows):
    body = "\n".join(f"<tr><th>{escape(key)}</th>{_cell(value)}</tr>" for key, value in rows)
    return f"<table>\n{body}\n</table>"


# Sections -------------------------------------------------------------------------------------

def _headline_cards(metrics):
    cards = [
        f'<div class="card"><div class="value">{escape(format_value(metrics[key], style))}</div>'
        f'<div class="label">{escape(label)}</div></div>'
        for key, label, style in _HEADLINE
        if isinstance(metrics.get(key), (int, float)) and not isinstance(metrics.get(key), bool)
    ]
    return f'<div class="cards">{"".join(cards)}</div>' if cards else ""


def _plots_section(run_dir, plots, history=None):
    if not plots:
        return '<h2 id="plots">Plots</h2>\n<p class="note">This run folder has no plots.</p>'
    figures = []
    for name in plots:
        size = _png_size(run_dir / name)
        dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
        caption = escape(run_files.plot_caption(name, history))
        figures.append(
            f'<figure id="{escape(name)}"><img src="{escape(quote(name))}" alt="{escape(name)}"{dimensions}>'
            f"<figcaption>{caption} <code>{escape(name)}</code></figcaption></figure>"
        )
    return '<h2 id="plots">Plots</h2>\n' + "\n".join(figures)


def _png_size(path):
    """(width, height) read from a PNG's header, or None when the file is not a PNG."""
    with open(path, "rb") as file:
        header = file.read(24)
    if len(header) < 24 or not header.startswith(_PNG_SIGNATURE) or header[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", header[16:24])


def _metrics_section(metrics):
    metrics = dict(metrics)
    report = metrics.pop("classification_report", None)
    parts = ['<h2 id="metrics">Metrics</h2>', _key_value_table(_flatten(metrics))]
    if isinstance(report, dict) and isinstance(report.get("classes"), list):
        parts += ["<h3>Per class</h3>", _classification_table(report)]
    elif report is not None:
        parts.append(_key_value_table([("classification_report", report)]))
    return "\n".join(parts)


def _classification_table(report):
    """The rows of `metrics.classification_report` as a table, averages last."""
    columns = ["precision", "recall", "f1", "support"]
    header = "<tr><th>class</th>" + "".join(f"<th>{name}</th>" for name in columns) + "</tr>"
    rows = [(row.get("label", ""), row) for row in report["classes"] if isinstance(row, dict)]
    averages = (("macro_avg", "macro avg"), ("weighted_avg", "weighted avg"))
    rows += [(label, report[key]) for key, label in averages if isinstance(report.get(key), dict)]
    body = "\n".join(
        f"<tr><th>{escape(str(label))}</th>" + "".join(_cell(row.get(name)) for name in columns) + "</tr>"
        for label, row in rows
    )
    return f"<table>\n{header}\n{body}\n</table>"


# Longer histories are shown thinned to about HISTORY_SHOWN_ROWS rows; history.csv keeps them all.
HISTORY_ALL_ROWS_UP_TO = 100
HISTORY_SHOWN_ROWS = 25


def history_step(num_rows):
    """Show every `history_step(n)`-th row of an n-row history: 1 up to 100 rows, else the first
    of 1, 2, 5, 10, 20, 50, 100, ... leaving at most 25 (2,500 iterations: every 100th, as seed 001
    prints its cost)."""
    if num_rows <= HISTORY_ALL_ROWS_UP_TO:
        return 1
    step, factors = 1, (2, 2.5, 2)  # 1 -> 2 -> 5 -> 10 -> 20 -> ...
    while math.ceil(num_rows / step) > HISTORY_SHOWN_ROWS:
        step = round(step * factors[0])
        factors = factors[1:] + factors[:1]
    return step


def _history_section(history, iterations=False):
    """The history table; `iterations` numbers the rows from 0 as seed 001's training loop prints them."""
    if not history:
        return f'<h2 id="history">History</h2>\n<p class="note">This run folder has no {run_files.HISTORY}.</p>'
    keys = list(history)
    num_epochs = max(len(values) for values in history.values())
    val_loss = history.get("val_loss") or []
    finite = [(value, index) for index, value in enumerate(val_loss) if math.isfinite(value)]
    best = min(finite)[1] if finite else None
    unit, first = ("iteration", 0) if iterations else ("epoch", 1)
    step = history_step(num_epochs)
    shown = sorted({*range(0, num_epochs, step), num_epochs - 1, *([best] if best is not None else [])})
    header = f"<tr><th>{unit}</th>" + "".join(f"<th>{escape(key)}</th>" for key in keys) + "</tr>"
    rows = []
    for index in shown:
        cells = "".join(_cell(history[key][index] if index < len(history[key]) else None) for key in keys)
        css = ' class="best"' if index == best else ""
        rows.append(f'<tr{css}><td class="number">{index + first}</td>{cells}</tr>')
    notes = []
    if step > 1:
        notes.append(f"Every {step}th {unit} ({first}, {first + step}, {first + 2 * step}, ...) and the last: "
                     f"{len(shown)} of {num_epochs} rows; {run_files.HISTORY} has them all.")
    if best is not None:
        notes.append(f"Highlighted: {unit} {best + first}, the lowest val_loss.")
    note = f'<p class="note">{" ".join(notes)}</p>' if notes else ""
    return f'<h2 id="history">History</h2>\n{note}\n<table>\n{header}\n' + "\n".join(rows) + "\n</table>"


def _config_section(config):
    text = json.dumps(config, indent=2, ensure_ascii=False)
    return (
        f'<h2 id="config">Configuration</h2>\n{_key_value_table(_flatten(config))}\n'
        f"<details><summary>{run_files.CONFIG}</summary><pre>{escape(text)}</pre></details>"
    )


def _files_section(files):
    items = "\n".join(f'<li><a href="{escape(quote(name))}">{escape(name)}</a></li>' for name in files)
    return f'<h2 id="files">Files</h2>\n<ul>\n{items}\n</ul>'
