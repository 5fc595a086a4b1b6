"""The run folder: its name, writing it whole or not at all, and finding what is in it.

    runs/20250101-120000-mnist-mlp/
        config.json  model.neurona  history.csv  metrics.json  *.png  report.html

A run is written into `<folder>.partial/` and renamed to `<folder>/` once complete, so a
folder without `.partial` always holds a finished run (an interrupted run is finished too:
it is saved with what was reached). While it trains, the `.partial` folder holds config.json
and a checkpoint of the last epoch (see `checkpoint`), from which a run killed on the way
continues (`neurona train --resume`).
"""

import datetime
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from neurona.reports import run_files

RUNS_DIR = "runs"
PARTIAL_SUFFIX = ".partial"
MODEL_FILES = ("model.neurona", "model.keras", "model.h5")


def new_run_dir(name, runs_dir=RUNS_DIR, now=None):
    """`runs_dir/<YYYYmmdd-HHMMSS>-<name>`, with '-2', '-3', ... added if that folder exists."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(runs_dir) / f"{stamp}-{name}"
    candidate, count = base, 1
    while candidate.exists() or partial_dir(candidate).exists():
        count += 1
        candidate = base.with_name(f"{base.name}-{count}")
    return candidate


def partial_dir(run_dir):
    """Where `run_dir` is written before it is complete."""
    run_dir = Path(run_dir)
    return run_dir.with_name(run_dir.name + PARTIAL_SUFFIX)


def check_writable(run_dir, overwrite=False):
    """Raise FileExistsError before training unless `run_dir` is absent, an empty folder, or
    (with `overwrite`) a run folder."""
    run_dir = Path(run_dir)
    if not run_dir.exists() or (run_dir.is_dir() and not any(run_dir.iterdir())):
        return
    if not run_dir.is_dir():
        raise FileExistsError(f"{run_dir} exists and is not a folder.")
    if not overwrite:
        raise FileExistsError(f"Run folder {run_dir} already exists: choose another --out, or add --overwrite.")
    if not (run_dir / run_files.CONFIG).is_file():
        # --overwrite replaces run folders only: never a folder of other files (--out . by mistake).
        raise FileExistsError(f"{run_dir} is not an empty folder or a run folder (no {run_files.CONFIG}); "
                              "refusing to replace it.")


def start(run_dir, overwrite=False):
    """Create and return the empty `<run_dir>.partial/`.

    A `.partial` folder left by a run that stopped on the way holds its checkpoints: it is
    replaced only with `overwrite` (FileExistsError otherwise, saying how to resume it)."""
    partial = partial_dir(run_dir)
    if partial.exists():
        if not overwrite:
            raise FileExistsError(f"{partial} holds an unfinished run: continue it with "
                                  f"`neurona train --resume {run_dir}`, or add --overwrite to start again.")
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    return partial


def unfinished(path):
    """(run folder, its `.partial` folder) for an unfinished run named by either.

    Raises:
        FileNotFoundError: there is no `.partial` folder with a config.json there (a finished
            run says so).
    """
    path = Path(path)
    if path.name.endswith(PARTIAL_SUFFIX):
        run_dir, partial = path.with_name(path.name[: -len(PARTIAL_SUFFIX)]), path
    else:
        run_dir, partial = path, partial_dir(path)
    if not (partial / run_files.CONFIG).is_file():
        if (run_dir / run_files.CONFIG).is_file() and any((run_dir / name).is_file() for name in MODEL_FILES):
            raise FileNotFoundError(f"The run {run_dir} is finished: there is nothing to resume.")
        raise FileNotFoundError(f"No unfinished run at {path}: expected a folder {partial} with "
                                f"{run_files.CONFIG}.")
    return run_dir, partial


def finish(partial, run_dir, overwrite=False):
    """Rename the complete `partial` folder to `run_dir` (replacing it when `overwrite`)."""
    run_dir = Path(run_dir)
    if run_dir.is_dir() and not any(run_dir.iterdir()):
        run_dir.rmdir()
    if run_dir.exists():
        if not overwrite:
            raise FileExistsError(f"Run folder {run_dir} appeared while training; the run is in {partial}.")
        shutil.rmtree(run_dir)
    Path(partial).rename(run_dir)
    return run_dir


def write_json(path, value):
    """Write `value` as indented JSON (NaN and infinities as null, which JSON lacks)."""
    Path(path).write_text(json.dumps(_finite(value), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


# Reading runs ----------------------------------------------------------------------------------

@dataclass
class RunInfo:
    """A model file and, when it sits in a run folder, that run's config and metrics (else None)."""

    model_path: Path
    run_dir: Path | None
    config: dict | None
    metrics: dict | None

    @property
    def dataset_name(self):
        """The dataset the model was trained on, when known."""
        return self.config.get("dataset") if self.config else None

    @property
    def class_names(self):
        """The class names recorded by the run, or None."""
        dataset = (self.metrics or {}).get("dataset") or {}
        return dataset.get("class_names")

    @property
    def image_shape(self):
        """The shape of the images the run trained on, or None."""
        dataset = (self.metrics or {}).get("dataset") or {}
        shape = dataset.get("image_shape")
        return tuple(shape) if shape else None


def find_model_file(run_dir):
    """The model file of a run folder (model.neurona, model.keras or model.h5)."""
    run_dir = Path(run_dir)
    for name in MODEL_FILES:
        if (run_dir / name).is_file():
            return run_dir / name
    raise FileNotFoundError(f"Run folder {run_dir} has no model file ({', '.join(MODEL_FILES)}).")


def locate(path):
    """A `RunInfo` for a run folder or a model file (whose folder may be a run).

    Raises:
        FileNotFoundError: nothing at `path`, or a folder without a model file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No run folder or model file at {path}.")
    if path.is_dir():
        model_path, run_dir = find_model_file(path), path
    else:
        model_path = path
        run_dir = path.parent if (path.parent / run_files.CONFIG).is_file() else None
    config = metrics = None
    if run_dir is not None:
        config = _read_optional_json(run_dir / run_files.CONFIG)
        metrics = _read_optional_json(run_dir / run_files.METRICS)
    return RunInfo(model_path, run_dir, config, metrics)


def _read_optional_json(path):
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    return value if isinstance(value, dict) else None
