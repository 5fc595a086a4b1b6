"""What a study shows: the trial table on the terminal and `report.html` beside the trials.

The page holds the trial table and three matplotlib figures as embedded PNGs (no scripts,
nothing fetched): the optimisation history (each trial's value and the best so far), the
parameters' importances (Optuna's default importance evaluator, once trials have finished
with different parameters) and parallel coordinates (one line per finished trial across the parameters,
coloured by its value).
"""

import base64
import html
import io
import json
import math

from optuna.trial import TrialState

from neurona.utils.atomic import write_text_atomic

REPORT_FILE = "report.html"
_COLUMNS = ("trial", "state", "value", "epochs", "seconds", "params")


def _value(trial):
    return "" if trial.value is None else f"{trial.value:.4f}"


def _params(trial):
    return ", ".join(f"{key}={_short(value)}" for key, value in trial.params.items())


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _rows(study):
    for trial in study.get_trials(deepcopy=False):
        seconds = f"{trial.duration.total_seconds():.1f}" if trial.duration else ""
        yield {"trial": str(trial.number), "state": trial.state.name, "value": _value(trial),
               "epochs": str(trial.user_attrs.get("epochs_run", "")), "seconds": seconds, "params": _params(trial)}


def best_trial(study):
    """The best complete trial, or None before any has completed."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return study.best_trial if complete else None


def format_table(study):
    """The study's trials as an aligned text table, then the best one and its run folder."""
    rows = list(_rows(study))
    headers = {key: key for key in _COLUMNS}
    widths = {key: max([len(key)] + [len(row[key]) for row in rows]) for key in _COLUMNS}

    def line(values):
        return "  ".join(values[key].ljust(widths[key]) for key in _COLUMNS).rstrip()

    lines = [line(headers), line({key: "-" * widths[key] for key in _COLUMNS})] + [line(row) for row in rows]
    lines.append("")
    lines.extend(describe_best(study))
    return "\n".join(lines)


def describe_best(study):
    metric = study.user_attrs.get("metric", "value")
    best = best_trial(study)
    if best is None:
        return [f"No trial of study {study.study_name!r} has completed yet."]
    return [f"Best: trial {best.number}, {metric} {best.value:.4f} ({_params(best)}).",
            f"Best trial's run folder: {best.user_attrs.get('run_dir', '(not recorded)')}"
            + _elsewhere(best)]


def _elsewhere(trial):
    import socket

    host = (trial.user_attrs.get("worker") or {}).get("host")
    return f" on {host}" if host and host != socket.gethostname() else ""


# The page ----------------------------------------------------------------------------------

def build_report(study, folder):
    """Write `folder/report.html` for `study` and return its path."""
    metric = study.user_attrs.get("metric", "value")
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    figures = []
    if complete:
        figures.append(("Optimisation history", _png(_history_figure(study, metric))))
        importances = _importances(study)
        if importances:
            figures.append(("Parameter importances", _png(_importance_figure(importances))))
        if study.best_trial.params:
            figures.append(("Parallel coordinates", _png(_parallel_figure(study, complete, metric))))
    rows = list(_rows(study))
    table = "".join("<tr>" + "".join(f"<td>{html.escape(row[key])}</td>" for key in _COLUMNS) + "</tr>\n"
                    for row in rows)
    header = "".join(f"<th>{key}</th>" for key in _COLUMNS)
    images = "".join(f"<h2>{html.escape(title)}</h2>\n<img alt=\"{html.escape(title)}\" "
                     f"src=\"data:image/png;base64,{data}\">\n" for title, data in figures)
    best = "".join(f"<p>{html.escape(line)}</p>\n" for line in describe_best(study))
    space = html.escape(json.dumps(study.user_attrs.get("space", {}), indent=2))
    direction = study.direction.name.lower()
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Study {html.escape(study.study_name)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:left}}img{{max-width:100%}}</style></head>
<body><h1>Study {html.escape(study.study_name)}</h1>
<p>{len(rows)} trials; {html.escape(metric)}, to {direction} (validation data: the test set never chooses).</p>
{best}{images}<h2>Trials</h2>
<table><tr>{header}</tr>
{table}</table>
<h2>Space</h2><pre>{space}</pre>
</body></html>
"""
    return write_text_atomic(folder / REPORT_FILE, page)


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _history_figure(study, metric):
    from matplotlib.ticker import MaxNLocator

    from neurona.reports._figure import new_figure

    complete = [trial for trial in study.get_trials(deepcopy=False) if trial.state == TrialState.COMPLETE]
    figure = new_figure(7, 3.5)
    axes = figure.add_subplot()
    numbers = [trial.number for trial in complete]
    values = [trial.value for trial in complete]
    pick = max if study.direction.name == "MAXIMIZE" else min
    best = [pick(values[:index + 1]) for index in range(len(values))]
    axes.scatter(numbers, values, label=metric, color="#1565c0")
    axes.step(numbers, best, where="post", label="best so far", color="#c62828")
    axes.set_xlabel("trial")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(metric)
    axes.legend()
    return figure


def _importances(study):
    """{param: importance}, or {} when there is too little to tell (fewer than two trials, one value)."""
    import warnings

    import optuna

    try:
        with warnings.catch_warnings():  # "too few trials": the figure is left out instead
            warnings.simplefilter("ignore")
            importances = optuna.importance.get_param_importances(study)
    except (ValueError, RuntimeError, ZeroDivisionError):
        return {}
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return importances if len(complete) >= 2 else {}


def _importance_figure(importances):
    from neurona.reports._figure import new_figure

    names = list(importances)[::-1]
    figure = new_figure(7, 0.5 + 0.45 * len(names))
    axes = figure.add_subplot()
    axes.barh(names, [importances[name] for name in names], color="#1565c0")
    axes.set_xlabel("importance")
    return figure


def _parallel_figure(study, complete, metric):
    from matplotlib import cm, colormaps, colors

    from neurona.reports._figure import new_figure

    names = sorted({name for trial in complete for name in trial.params})
    axes_values = [metric] + names
    columns = [[trial.value for trial in complete]] + [[trial.params.get(name) for trial in complete]
                                                        for name in names]
    scaled, labels = zip(*(_scale(values, study, name) for name, values in zip(axes_values, columns)))
    figure = new_figure(max(6, 1.6 * len(axes_values)), 4)
    axes = figure.add_subplot()
    values = [trial.value for trial in complete]
    norm = colors.Normalize(min(values), max(values) if max(values) > min(values) else min(values) + 1)
    colormap = colormaps["viridis"]
    for row in range(len(complete)):
        axes.plot(range(len(axes_values)), [column[row] for column in scaled], color=colormap(norm(values[row])),
                  alpha=0.8)
    axes.set_xticks(range(len(axes_values)), [f"{name}\n{label}" for name, label in zip(axes_values, labels)],
                    fontsize=8)
    axes.set_yticks([])
    for index in range(len(axes_values)):
        axes.axvline(index, color="#999", linewidth=0.8)
    figure.colorbar(cm.ScalarMappable(norm=norm, cmap=colormap), ax=axes, label=metric)
    return figure


def _scale(values, study, name):
    """Values mapped to [0, 1] for one axis (categories by their order, log ranges on a log scale),
    and the axis' range as a label."""
    distribution = None
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if name in trial.distributions:
            distribution = trial.distributions[name]
            break
    if distribution is not None and hasattr(distribution, "choices"):
        choices = [json.dumps(choice) if not isinstance(choice, str) else choice for choice in distribution.choices]
        index = {choice: position for position, choice in enumerate(choices)}
        shown = [json.dumps(value) if not isinstance(value, str) else value for value in values]
        span = max(len(choices) - 1, 1)
        return [index.get(value, 0) / span for value in shown], " | ".join(choices)
    log = bool(getattr(distribution, "log", False))
    numbers = [math.log(value) if log else value for value in values]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    label = f"{_short(min(values))} .. {_short(max(values))}"
    return [(number - low) / span for number in numbers], label
