"""Figures drawn off-screen: each owns an Agg canvas, so no pyplot state is shared between calls."""

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from neurona.utils.atomic import atomic_path

DPI = 100
MISTAKE_COLOR = "#c62828"
RIGHT_COLOR = "#1b5e20"


def new_figure(width, height):
    """A Figure of `width` x `height` inches with constrained layout (titles never overlap)."""
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_png(figure, path):
    """Write `figure` as a PNG to `path` atomically and return `path` as a Path."""
    path = Path(path)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=DPI, facecolor="white")
    return path
