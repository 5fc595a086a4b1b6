"""Plots, metrics and the HTML report of a training run.

Modules, one concept each (importing this package imports none of them, so
`neurona.reports.metrics` works without matplotlib):

- `metrics`: confusion matrix and per-class precision / recall / F1 (NumPy only).
- `history_csv`: write and read a run's per-epoch history as CSV.
- `plots`: every plot function, each writing one PNG (matplotlib, no display needed):
  `history_plot`, `image_grids`, `confusion_plot`, `weights_plot`, `conv_plots` hold them.
- `run_files`: the names of the files in a run folder and the captions of its plots.
- `html`: `build_report(run_dir)` writes the run's self-contained `report.html`.
"""
