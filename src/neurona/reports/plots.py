"""Every plot of a run, one function per PNG: `plot_*(..., path)` writes the file and returns its Path.

Each has a `make_*_figure` twin that returns the matplotlib Figure instead (for tests and
notebooks). Figures own their Agg canvas: no display and no pyplot state are needed.
"""

from neurona.reports.confusion_plot import make_confusion_matrix_figure, plot_confusion_matrix
from neurona.reports.conv_plots import (
    make_conv_filters_figure,
    make_feature_maps_figure,
    plot_conv_filters,
    plot_feature_maps,
)
from neurona.reports.history_plot import best_epoch, make_history_figure, plot_history
from neurona.reports.image_grids import (
    confident_mistakes,
    make_confident_mistakes_figure,
    make_prediction_grid_figure,
    make_sample_grid_figure,
    plot_confident_mistakes,
    plot_prediction_grid,
    plot_sample_grid,
)
from neurona.reports.weights_plot import make_first_layer_weights_figure, plot_first_layer_weights

__all__ = [
    "best_epoch",
    "confident_mistakes",
    "make_confident_mistakes_figure",
    "make_confusion_matrix_figure",
    "make_conv_filters_figure",
    "make_feature_maps_figure",
    "make_first_layer_weights_figure",
    "make_history_figure",
    "make_prediction_grid_figure",
    "make_sample_grid_figure",
    "plot_confident_mistakes",
    "plot_confusion_matrix",
    "plot_conv_filters",
    "plot_feature_maps",
    "plot_first_layer_weights",
    "plot_history",
    "plot_prediction_grid",
    "plot_sample_grid",
]
